// Label overlap histogram in one pass: run-length encode the pair (gt, pred) along the
// raster order and add each run to a hash map. Runs are long (background, nucleus
// interiors), so the per-pixel work is a compare; on AVX2 machines 16 (uint16) or 8
// (uint32) pixels are compared at once against the current run.
#include "nucseg/overlap.hpp"

#include <algorithm>
#include <type_traits>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define NUCSEG_X86 1
#endif

#include "nucseg/hash_counter.hpp"
#include "nucseg/thread_pool.hpp"

namespace nucseg {
namespace {

inline uint64_t pair_key(uint32_t g, uint32_t p) { return (static_cast<uint64_t>(g) << 32) | p; }

// State of the run being accumulated; carried across rows within one chunk.
struct Run {
  uint32_t g = 0, p = 0;
  uint64_t len = 0;
};

// Adds the finished run to the table. Background runs (0, 0) are counted too (no
// branch on the hot path) and dropped when the tables are merged.
inline void flush(HashCounter& h, Run& r) {
  h.add(pair_key(r.g, r.p), r.len);
  r.len = 0;
}

template <typename G, typename P>
inline int64_t scalar_span(const G* g, const P* p, int64_t x, int64_t end, Run& r, HashCounter& h) {
  for (; x < end; ++x) {
    uint32_t gv = g[x], pv = p[x];
    if (gv == r.g && pv == r.p) {
      ++r.len;
    } else {
      flush(h, r);
      r.g = gv;
      r.p = pv;
      r.len = 1;
    }
  }
  return x;
}

template <typename G, typename P>
void row_scalar(const G* g, const P* p, int64_t w, Run& r, HashCounter& h) {
  scalar_span(g, p, 0, w, r, h);
}

#ifdef NUCSEG_X86
// Same-type fast paths. Compare each vector of pixels with the same vector shifted by one
// pixel: a set bit in the mask marks a run boundary (gt or pred changes). Blocks without a
// boundary cost a few instructions for 16 (uint16) or 8 (uint32) pixels; blocks with
// boundaries cost one iteration per boundary, not per pixel. `bytes` is the sample size:
// movemask gives that many bits per pixel.
template <typename T, int bytes>
__attribute__((target("avx2"))) inline uint32_t boundary_mask(const T* g, const T* p, int64_t x) {
  const __m256i ga = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(g + x));
  const __m256i gb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(g + x - 1));
  const __m256i pa = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + x));
  const __m256i pb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + x - 1));
  __m256i eq;
  if constexpr (bytes == 2)
    eq = _mm256_and_si256(_mm256_cmpeq_epi16(ga, gb), _mm256_cmpeq_epi16(pa, pb));
  else
    eq = _mm256_and_si256(_mm256_cmpeq_epi32(ga, gb), _mm256_cmpeq_epi32(pa, pb));
  return ~static_cast<uint32_t>(_mm256_movemask_epi8(eq));
}

template <typename T, int bytes>
__attribute__((target("avx2,bmi"))) void row_avx2(const T* g, const T* p, int64_t w, Run& r, HashCounter& h) {
  constexpr int per = 32 / bytes;
  // Pixel 0 continues or ends the run carried from the previous row.
  if (g[0] != r.g || p[0] != r.p) {
    flush(h, r);
    r.g = g[0];
    r.p = p[0];
  }
  int64_t start = 0;  // where the current run began in this row
  int64_t x = 1;
  for (; x + per <= w; x += per) {
    // Fast skip over pairs of boundary-free vectors (interiors and background).
    while (x + 2 * per <= w) {
      const uint32_t a = boundary_mask<T, bytes>(g, p, x), b = boundary_mask<T, bytes>(g, p, x + per);
      if (a | b) break;
      x += 2 * per;
    }
    if (x + per > w) break;
    uint32_t m = boundary_mask<T, bytes>(g, p, x);
    while (m) {
      const int64_t i = x + (__builtin_ctz(m) / bytes);
      r.len += static_cast<uint64_t>(i - start);
      flush(h, r);
      r.g = g[i];
      r.p = p[i];
      start = i;
      m &= ~((bytes == 2 ? 3u : 15u) << ((i - x) * bytes));
    }
  }
  for (; x < w; ++x) {
    if (g[x] != r.g || p[x] != r.p) {
      r.len += static_cast<uint64_t>(x - start);
      flush(h, r);
      r.g = g[x];
      r.p = p[x];
      start = x;
    }
  }
  r.len += static_cast<uint64_t>(w - start);
}

bool have_avx2() {
  static const bool ok = __builtin_cpu_supports("avx2");
  return ok;
}
#endif

template <typename G, typename P>
void count_rows(ImageView<const G> gt, ImageView<const P> pred, int64_t y0, int64_t y1, HashCounter& h) {
  Run r;
  for (int64_t y = y0; y < y1; ++y) {
    const G* g = gt.row(y);
    const P* p = pred.row(y);
#ifdef NUCSEG_X86
    if constexpr (std::is_same_v<G, uint16_t> && std::is_same_v<P, uint16_t>) {
      if (have_avx2()) {
        row_avx2<uint16_t, 2>(g, p, gt.width, r, h);
        continue;
      }
    } else if constexpr (std::is_same_v<G, uint32_t> && std::is_same_v<P, uint32_t>) {
      if (have_avx2()) {
        row_avx2<uint32_t, 4>(g, p, gt.width, r, h);
        continue;
      }
    }
#endif
    row_scalar(g, p, gt.width, r, h);
  }
  flush(h, r);
}

}  // namespace

template <typename G, typename P>
OverlapTable label_overlap(ImageView<const G> gt, ImageView<const P> pred, int threads) {
  require_same_size(gt, pred, "labelOverlap");
  OverlapTable out;
  if (gt.empty()) return out;

  // Below ~256k pixels a second thread costs more than it saves.
  int chunks = std::min<int64_t>(resolve_threads(threads), std::max<int64_t>(1, gt.pixels() / (1 << 18)));
  chunks = static_cast<int>(std::min<int64_t>(chunks, gt.height));
  std::vector<HashCounter> maps(static_cast<size_t>(chunks));
  parallel_chunks(gt.height, chunks, [&](int c, int64_t y0, int64_t y1) { count_rows(gt, pred, y0, y1, maps[c]); });

  std::vector<std::pair<uint64_t, uint64_t>> all;
  size_t total = 0;
  for (auto& m : maps) total += m.size();
  all.reserve(total);
  for (auto& m : maps) m.for_each([&](uint64_t k, uint64_t n) { all.emplace_back(k, n); });
  return overlap_from_counts(std::move(all));
}

OverlapTable overlap_from_counts(std::vector<std::pair<uint64_t, uint64_t>> all) {
  OverlapTable out;
  all.erase(std::remove_if(all.begin(), all.end(), [](const auto& kv) { return kv.first == 0 || kv.second == 0; }), all.end());
  std::sort(all.begin(), all.end());
  // Combine duplicates (the same pair counted by several chunks).
  std::vector<std::pair<uint64_t, uint64_t>> merged;
  merged.reserve(all.size());
  for (auto& kv : all) {
    if (!merged.empty() && merged.back().first == kv.first)
      merged.back().second += kv.second;
    else
      merged.push_back(kv);
  }

  // Areas: gt sums come out grouped (sorted by gt); pred sums need their own sort.
  std::vector<std::pair<uint32_t, uint64_t>> pred_sum;
  for (auto& [k, n] : merged) {
    uint32_t g = static_cast<uint32_t>(k >> 32), p = static_cast<uint32_t>(k);
    if (g != 0) {
      if (out.gt_ids.empty() || out.gt_ids.back() != g) {
        out.gt_ids.push_back(g);
        out.gt_area.push_back(0);
      }
      out.gt_area.back() += n;
    }
    if (p != 0) pred_sum.emplace_back(p, n);
    if (g != 0 && p != 0) {
      out.pair_gt.push_back(g);
      out.pair_pred.push_back(p);
      out.pair_count.push_back(n);
    }
  }
  std::sort(pred_sum.begin(), pred_sum.end());
  for (auto& [p, n] : pred_sum) {
    if (out.pred_ids.empty() || out.pred_ids.back() != p) {
      out.pred_ids.push_back(p);
      out.pred_area.push_back(0);
    }
    out.pred_area.back() += n;
  }
  // Indices and IoU of each pair (pairs are sorted by gt, so the gt index only advances).
  const size_t np = out.pair_gt.size();
  out.pair_gt_index.resize(np);
  out.pair_pred_index.resize(np);
  out.pair_iou.resize(np);
  size_t gi = 0;
  for (size_t k = 0; k < np; ++k) {
    while (out.gt_ids[gi] != out.pair_gt[k]) ++gi;
    const size_t pi = static_cast<size_t>(
        std::lower_bound(out.pred_ids.begin(), out.pred_ids.end(), out.pair_pred[k]) - out.pred_ids.begin());
    out.pair_gt_index[k] = static_cast<uint32_t>(gi);
    out.pair_pred_index[k] = static_cast<uint32_t>(pi);
    const double inter = static_cast<double>(out.pair_count[k]);
    out.pair_iou[k] = inter / (static_cast<double>(out.gt_area[gi]) + static_cast<double>(out.pred_area[pi]) - inter);
  }
  return out;
}

#define NUCSEG_INSTANTIATE(G, P) \
  template OverlapTable label_overlap<G, P>(ImageView<const G>, ImageView<const P>, int);
NUCSEG_INSTANTIATE(uint16_t, uint16_t)
NUCSEG_INSTANTIATE(uint16_t, uint32_t)
NUCSEG_INSTANTIATE(uint32_t, uint16_t)
NUCSEG_INSTANTIATE(uint32_t, uint32_t)
#undef NUCSEG_INSTANTIATE

}  // namespace nucseg
