// Watershed and FPN2-WS targets on strided views, reused per-thread scratch, thread counts
// and the error paths: each result equals the contiguous, single-threaded one.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <vector>

#include "harness.hpp"
#include "nucseg/distance.hpp"
#include "nucseg/filters.hpp"
#include "nucseg/watershed.hpp"

using namespace nucseg;

namespace {

// A copy of a w x h image inside a larger buffer (stride w + 3), the padding filled with `pad`.
template <typename T>
std::vector<T> strided(const std::vector<T>& v, int w, int h, T pad) {
  std::vector<T> s(static_cast<size_t>(w + 3) * h + 3, pad);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) s[static_cast<size_t>(y) * (w + 3) + x] = v[static_cast<size_t>(y) * w + x];
  return s;
}

template <typename T>
std::vector<T> unstrided(const std::vector<T>& s, int w, int h) {
  std::vector<T> v(static_cast<size_t>(w) * h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) v[static_cast<size_t>(y) * w + x] = s[static_cast<size_t>(y) * (w + 3) + x];
  return v;
}

// Blobs of labels 1..n (discs, overlapping ones resolved by the later one), for the targets.
std::vector<uint32_t> blobs(int w, int h, int n, std::mt19937& rng) {
  std::vector<uint32_t> l(static_cast<size_t>(w) * h, 0);
  std::uniform_int_distribution<int> ux(0, w - 1), uy(0, h - 1), ur(1, 9);
  for (int k = 1; k <= n; ++k) {
    const int cx = ux(rng), cy = uy(rng), r = ur(rng);
    for (int y = std::max(0, cy - r); y < std::min(h, cy + r + 1); ++y)
      for (int x = std::max(0, cx - r); x < std::min(w, cx + r + 1); ++x)
        if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) l[static_cast<size_t>(y) * w + x] = static_cast<uint32_t>(k);
  }
  return l;
}

}  // namespace

TEST(watershed_strided_views_and_reused_scratch_equal_contiguous) {
  std::mt19937 rng(11);
  // a large image first, then smaller ones: the scratch of the first call is reused
  for (auto [w, h] : std::vector<std::pair<int, int>>{{301, 207}, {1, 1}, {1, 9}, {17, 1}, {64, 48}, {301, 207}}) {
    const size_t n = static_cast<size_t>(w) * h;
    std::vector<uint32_t> mk(n, 0);
    std::vector<uint8_t> mask(n), e8(n);
    std::vector<float> ef(n), efm(n);
    std::uniform_real_distribution<float> uf(0.f, 1.f);
    for (size_t i = 0; i < n; ++i) {
      e8[i] = static_cast<uint8_t>(rng() & 255);
      ef[i] = uf(rng);                   // many distinct values: the sorted path
      efm[i] = std::round(ef[i] * 300);  // a few hundred: the hashed path
      mask[i] = (rng() % 10) != 0;
      if (rng() % 97 == 0) mk[i] = 1 + static_cast<uint32_t>(rng() % 40);
    }
    for (int conn : {4, 8})
      for (bool lines : {false, true})
        for (bool use_mask : {false, true}) {
          WatershedOptions o;
          o.connectivity = conn;
          o.lines = lines;
          if (use_mask) o.mask = ImageView<const uint8_t>(mask.data(), w, h);
          WatershedOptions os = o;
          const auto smask = strided<uint8_t>(mask, w, h, 0);
          if (use_mask) os.mask = ImageView<const uint8_t>(smask.data(), w, h, w + 3);
          const auto smk = strided<uint32_t>(mk, w, h, 7);
          auto check = [&](auto elev) {
            using E = typename decltype(elev)::value_type;
            std::vector<uint32_t> a(n), s(static_cast<size_t>(w + 3) * h + 3, 99);
            watershed<E>(ImageView<const E>(elev.data(), w, h), ImageView<const uint32_t>(mk.data(), w, h), ImageView<uint32_t>(a.data(), w, h), o);
            const auto se = strided<E>(elev, w, h, E(0));
            watershed<E>(ImageView<const E>(se.data(), w, h, w + 3), ImageView<const uint32_t>(smk.data(), w, h, w + 3),
                         ImageView<uint32_t>(s.data(), w, h, w + 3), os);
            CHECK(unstrided(s, w, h) == a);
            for (int y = 0; y < h; ++y)  // the padding of a strided output is not written
              for (int x = w; x < w + 3 && y + 1 < h; ++x) CHECK_EQ(s[static_cast<size_t>(y) * (w + 3) + x], 99u);
          };
          check(e8);
          check(ef);
          check(efm);
        }
  }
}

TEST(watershed_nan_only_matters_where_the_flood_may_go) {
  const int w = 4, h = 1;
  std::vector<float> e = {0.f, 1.f, std::numeric_limits<float>::quiet_NaN(), 2.f};
  std::vector<uint32_t> mk = {1, 0, 0, 0}, out(4);
  std::vector<uint8_t> mask = {1, 1, 0, 1};
  WatershedOptions o;
  o.mask = ImageView<const uint8_t>(mask.data(), w, h);
  watershed<float>(ImageView<const float>(e.data(), w, h), ImageView<const uint32_t>(mk.data(), w, h), ImageView<uint32_t>(out.data(), w, h), o);
  CHECK((out == std::vector<uint32_t>{1, 1, 0, 0}));  // the masked-out NaN blocks the flood
  o.mask.reset();
  bool threw = false;
  try {
    watershed<float>(ImageView<const float>(e.data(), w, h), ImageView<const uint32_t>(mk.data(), w, h), ImageView<uint32_t>(out.data(), w, h), o);
  } catch (const ArgumentError&) {
    threw = true;
  }
  CHECK(threw);
  mk[3] = 0xFFFFFFFFu;  // the reserved id, on a finite elevation
  e[2] = 3.f;
  threw = false;
  try {
    watershed<float>(ImageView<const float>(e.data(), w, h), ImageView<const uint32_t>(mk.data(), w, h), ImageView<uint32_t>(out.data(), w, h), o);
  } catch (const ArgumentError&) {
    threw = true;
  }
  CHECK(threw);
}

TEST(fpn2ws_targets_strided_views_and_threads_equal_contiguous) {
  std::mt19937 rng(3);
  for (auto [w, h] : std::vector<std::pair<int, int>>{{1, 1}, {1, 12}, {13, 1}, {2, 2}, {97, 61}, {250, 180}}) {
    const size_t n = static_cast<size_t>(w) * h;
    const auto l32 = blobs(w, h, std::max(1, static_cast<int>(n / 60)), rng);
    std::vector<uint16_t> l16(l32.begin(), l32.end());
    const auto s32 = strided<uint32_t>(l32, w, h, 5);
    std::vector<float> nd(n), bb(n), so(static_cast<size_t>(w + 3) * h + 3, -1.f), t(n);
    normalized_distance<uint32_t>(ImageView<const uint32_t>(l32.data(), w, h), ImageView<float>(nd.data(), w, h), 1);
    for (size_t i = 0; i < n; ++i) CHECK(nd[i] >= 0.f && nd[i] <= 1.f && (nd[i] > 0.f) == (l32[i] != 0));
    normalized_distance<uint32_t>(ImageView<const uint32_t>(s32.data(), w, h, w + 3), ImageView<float>(so.data(), w, h, w + 3), 1);
    CHECK(unstrided(so, w, h) == nd);
    normalized_distance<uint16_t>(ImageView<const uint16_t>(l16.data(), w, h), ImageView<float>(t.data(), w, h), 3);
    CHECK(t == nd);
    for (double sigma : {0.0, 1.0, 2.5}) {
      blurred_border<uint32_t>(ImageView<const uint32_t>(l32.data(), w, h), ImageView<float>(bb.data(), w, h), sigma, 1);
      blurred_border<uint32_t>(ImageView<const uint32_t>(s32.data(), w, h, w + 3), ImageView<float>(so.data(), w, h, w + 3), sigma, 1);
      CHECK(unstrided(so, w, h) == bb);
      blurred_border<uint16_t>(ImageView<const uint16_t>(l16.data(), w, h), ImageView<float>(t.data(), w, h), sigma, 3);
      CHECK(t == bb);
    }
  }
}

namespace {

// normalized_distance by brute force: per pixel of label L, the least squared distance to a
// pixel not in L (outside the image included), then the same normalization as the kernel.
template <typename T>
std::vector<float> brute_normalized_distance(const std::vector<T>& l, int w, int h) {
  std::vector<int64_t> d2(l.size(), 0);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const T v = l[static_cast<size_t>(y) * w + x];
      if (!v) continue;
      const int64_t e = std::min({x + 1, w - x, y + 1, h - y});
      int64_t best = e * e;
      for (int yy = 0; yy < h; ++yy)
        for (int xx = 0; xx < w; ++xx)
          if (l[static_cast<size_t>(yy) * w + xx] != v) best = std::min<int64_t>(best, int64_t{xx - x} * (xx - x) + int64_t{yy - y} * (yy - y));
      d2[static_cast<size_t>(y) * w + x] = best;
    }
  std::map<T, int64_t> mx;
  for (size_t i = 0; i < l.size(); ++i)
    if (l[i]) mx[l[i]] = std::max(mx[l[i]], d2[i]);
  std::vector<float> o(l.size(), 0.0f);
  for (size_t i = 0; i < l.size(); ++i) {
    if (!l[i]) continue;
    const int64_t m = mx[l[i]];
    const float d = static_cast<float>(std::sqrt(static_cast<double>(d2[i]))), mv = static_cast<float>(std::sqrt(static_cast<double>(m)));
    o[i] = d == mv ? 1.0f : d * static_cast<float>(1.0 / std::sqrt(static_cast<double>(m)));
  }
  return o;
}

}  // namespace

// Short runs take a direct minimum, long ones (> 64 px) the lower envelope: both must give
// the exact per-nucleus distances, for touching nuclei, nuclei cut by the image edge, one id
// on several separate blobs, and 16- and 32-bit labels.
TEST(normalized_distance_equals_brute_force_short_and_long_runs) {
  std::mt19937 rng(5);
  for (int round = 0; round < 6; ++round) {
    const int w = round % 2 ? 150 : 61, h = round % 3 ? 47 : 90;
    std::vector<uint32_t> l = blobs(w, h, 25, rng);
    // a large rectangle and a wide ellipse: rows far longer than 64 px
    for (int y = h / 4; y < h / 2; ++y)
      for (int x = 2; x < w - 1; ++x) l[static_cast<size_t>(y) * w + x] = 100 + round % 2;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const double ex = (x - w / 2.0) / (w / 2.0), ey = (y - 0.8 * h) / (0.15 * h);
        if (ex * ex + ey * ey <= 1) l[static_cast<size_t>(y) * w + x] = round % 2 ? 7 : 70000;  // 7: also a blob id
      }
    const std::vector<float> ref = brute_normalized_distance(l, w, h);
    for (int threads : {1, 2}) {
      std::vector<float> o(l.size(), -1.0f);
      normalized_distance<uint32_t>(ImageView<const uint32_t>(l.data(), w, h), ImageView<float>(o.data(), w, h), threads);
      CHECK(o == ref);
      if (round % 2) {
        std::vector<uint16_t> l16(l.begin(), l.end());
        std::vector<float> o16(l.size(), -1.0f);
        normalized_distance<uint16_t>(ImageView<const uint16_t>(l16.data(), w, h), ImageView<float>(o16.data(), w, h), threads);
        CHECK(o16 == ref);
      }
    }
  }
}

// blurred_border blurs only near the borders: to the bit the same as the plain definition
// (the 0/1 border image, then the separable Gaussian with every term summed in tap order
// from 0, reflect border), for sparse, dense (every pixel a border) and empty label
// images, several sigmas, widths around the 8-pixel blocks, and 1-3 threads.
TEST(blurred_border_equals_dense_definition) {
  std::mt19937 rng(9);
  auto reflect = [](int64_t i, int64_t n) {
    if (n == 1) return int64_t{0};
    while (i < 0 || i >= n) i = i < 0 ? -i - 1 : 2 * n - i - 1;
    return i;
  };
  for (int round = 0; round < 12; ++round) {
    const int w = std::vector<int>{1, 7, 8, 9, 63, 64, 65, 130, 200, 3, 17, 71}[round], h = 1 + static_cast<int>(rng() % 90);
    std::vector<uint32_t> l = round % 4 == 3 ? std::vector<uint32_t>(static_cast<size_t>(w) * h, 0) : blobs(w, h, 2 + static_cast<int>(rng() % 30), rng);
    if (round % 4 == 2)  // a checkerboard: every labelled pixel is a border
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) l[static_cast<size_t>(y) * w + x] = static_cast<uint32_t>(1 + (x + y) % 2);
    std::vector<float> b(l.size(), 0.0f);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const uint32_t v = l[static_cast<size_t>(y) * w + x];
        auto at = [&](int xx, int yy) { return xx < 0 || yy < 0 || xx >= w || yy >= h ? v : l[static_cast<size_t>(yy) * w + xx]; };
        b[static_cast<size_t>(y) * w + x] = v && (at(x - 1, y) != v || at(x + 1, y) != v || at(x, y - 1) != v || at(x, y + 1) != v) ? 1.0f : 0.0f;
      }
    for (double sigma : {0.5, 1.0, 1.7, 3.0}) {
      // the kernel as filters.hpp states it: radius int(4 sigma + 0.5), weights summing to 1
      const int64_t r = static_cast<int64_t>(4.0 * sigma + 0.5);
      std::vector<double> kd;
      double sum = 0;
      for (int64_t i = -r; i <= r; ++i) sum += kd.emplace_back(std::exp(-0.5 * i * i / (sigma * sigma)));
      std::vector<float> k;
      for (double v : kd) k.push_back(static_cast<float>(v / sum));
      std::vector<float> t(l.size()), ref(l.size());
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
          float acc = 0.0f;
          for (int64_t j = -r; j <= r; ++j) acc += k[j + r] * b[static_cast<size_t>(y) * w + reflect(x + j, w)];
          t[static_cast<size_t>(y) * w + x] = acc;
        }
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
          float acc = 0.0f;
          for (int64_t j = -r; j <= r; ++j) acc += k[j + r] * t[static_cast<size_t>(reflect(y + j, h)) * w + x];
          ref[static_cast<size_t>(y) * w + x] = acc;
        }
      for (int threads : {1, 3}) {
        std::vector<float> o(l.size(), -1.0f);
        blurred_border<uint32_t>(ImageView<const uint32_t>(l.data(), w, h), ImageView<float>(o.data(), w, h), sigma, threads);
        CHECK(o == ref);
      }
    }
  }
}
