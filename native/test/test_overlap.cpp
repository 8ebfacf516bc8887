#include <map>
#include <random>
#include <utility>

#include "harness.hpp"
#include "nucseg/overlap.hpp"

using namespace nucseg;

namespace {

// Obviously-correct reference: std::map over every pixel.
template <typename G, typename P>
OverlapTable brute(const std::vector<G>& g, const std::vector<P>& p) {
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> pairs;
  std::map<uint32_t, uint64_t> ga, pa;
  for (size_t i = 0; i < g.size(); ++i) {
    if (g[i]) ++ga[g[i]];
    if (p[i]) ++pa[p[i]];
    if (g[i] && p[i]) ++pairs[{g[i], p[i]}];
  }
  OverlapTable t;
  for (auto& [k, n] : pairs) {
    t.pair_gt.push_back(k.first);
    t.pair_pred.push_back(k.second);
    t.pair_count.push_back(n);
  }
  for (auto& [k, n] : ga) {
    t.gt_ids.push_back(k);
    t.gt_area.push_back(n);
  }
  for (auto& [k, n] : pa) {
    t.pred_ids.push_back(k);
    t.pred_area.push_back(n);
  }
  return t;
}

bool same(const OverlapTable& a, const OverlapTable& b) {
  return a.pair_gt == b.pair_gt && a.pair_pred == b.pair_pred && a.pair_count == b.pair_count &&
         a.gt_ids == b.gt_ids && a.gt_area == b.gt_area && a.pred_ids == b.pred_ids && a.pred_area == b.pred_area;
}

// Blocky random labels: runs of random length, so both the SIMD skip and the scalar
// tail paths are exercised.
template <typename T>
std::vector<T> blocky(std::mt19937& rng, int64_t n, uint32_t max_id) {
  std::vector<T> v(static_cast<size_t>(n));
  std::uniform_int_distribution<uint32_t> id(0, max_id), len(1, 40);
  for (int64_t i = 0; i < n;) {
    T val = static_cast<T>(id(rng) % 3 == 0 ? 0 : id(rng));
    for (uint32_t k = len(rng); k && i < n; --k) v[static_cast<size_t>(i++)] = val;
  }
  return v;
}

template <typename G, typename P>
void check_random(uint32_t max_id) {
  std::mt19937 rng(1234 + max_id);
  for (auto [w, h] : std::vector<std::pair<int, int>>{{1, 1}, {1, 37}, {37, 1}, {17, 13}, {300, 211}, {1024, 600}}) {
    auto g = blocky<G>(rng, int64_t(w) * h, max_id);
    auto p = blocky<P>(rng, int64_t(w) * h, max_id);
    auto ref = brute(g, p);
    for (int threads : {1, 2, 3, 8}) {
      auto t = label_overlap<G, P>(ImageView<const G>(g.data(), w, h), ImageView<const P>(p.data(), w, h), threads);
      CHECK(same(t, ref));
    }
  }
}

}  // namespace

TEST(overlap_matches_bruteforce_u16) { check_random<uint16_t, uint16_t>(65535); }
TEST(overlap_matches_bruteforce_u32) { check_random<uint32_t, uint32_t>(0xFFFFFFFFu); }
TEST(overlap_matches_bruteforce_mixed) {
  check_random<uint16_t, uint32_t>(5000);
  check_random<uint32_t, uint16_t>(70000);
}

TEST(overlap_empty_and_background) {
  std::vector<uint16_t> z(64, 0);
  auto t = label_overlap<uint16_t, uint16_t>(ImageView<const uint16_t>(z.data(), 8, 8),
                                             ImageView<const uint16_t>(z.data(), 8, 8), 0);
  CHECK(t.pair_gt.empty() && t.gt_ids.empty() && t.pred_ids.empty());
  auto e = label_overlap<uint16_t, uint16_t>(ImageView<const uint16_t>(nullptr, 0, 0),
                                             ImageView<const uint16_t>(nullptr, 0, 0), 0);
  CHECK(e.gt_ids.empty());
}

TEST(overlap_max_ids) {
  std::vector<uint32_t> g{0xFFFFFFFFu, 0xFFFFFFFFu, 1, 0}, p{0xFFFFFFFFu, 7, 0xFFFFFFFFu, 0xFFFFFFFFu};
  auto t = label_overlap<uint32_t, uint32_t>(ImageView<const uint32_t>(g.data(), 2, 2),
                                             ImageView<const uint32_t>(p.data(), 2, 2), 1);
  CHECK(same(t, brute(g, p)));
  CHECK_EQ(t.pred_area.back(), uint64_t(3));
}

TEST(overlap_size_mismatch_throws) {
  std::vector<uint16_t> a(6), b(6);
  CHECK_THROWS((label_overlap<uint16_t, uint16_t>(ImageView<const uint16_t>(a.data(), 2, 3),
                                                  ImageView<const uint16_t>(b.data(), 3, 2), 1)));
}
