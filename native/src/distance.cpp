// Exact Euclidean distance transform in two separable passes: per column, the distance to
// the nearest background pixel in that column (two row-major sweeps, vectorizable); per
// row, the lower envelope of parabolas (Felzenszwalb & Huttenlocher 2012) over the squared
// column distances. Integer squared distances are exact; only the final sqrt rounds.
#include "nucseg/distance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>
#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "nucseg/scratch.hpp"
#include "nucseg/thread_pool.hpp"

namespace nucseg {
namespace {

constexpr int64_t kInf = std::numeric_limits<int64_t>::max();

// 1-D squared distance transform of f (kInf = no site) into d: lower envelope of the
// parabolas (q - p)² + f(p), in exact integer arithmetic (no division: the intersection
// tests are cross-multiplied; |values| stay far below 2^63 for images up to 2^20 wide).
// v is scratch of n entries; z is unused (kept for the scratch layout).
void envelope_1d(const int64_t* f, int64_t n, int64_t* d, int64_t* v, double* /*z*/) {
  // F(p) = f(p) + p²; intersection of parabolas p < q is at (F(q) - F(p)) / (2 (q - p)).
  auto F = [&](int64_t p) { return f[p] + p * p; };
  int64_t k = -1;
  for (int64_t q = 0; q < n; ++q) {
    if (f[q] == kInf) continue;
    const int64_t Fq = F(q);
    // pop v[k] while the new parabola's intersection with v[k] lies at or left of the
    // intersection of v[k-1] and v[k]
    while (k >= 1) {
      const int64_t p = v[k], r = v[k - 1];
      const int64_t Fp = F(p), Fr = F(r);
      // s(p,q) <= s(r,p)  <=>  (Fq - Fp)(p - r) <= (Fp - Fr)(q - p)
      if ((Fq - Fp) * (p - r) <= (Fp - Fr) * (q - p))
        --k;
      else
        break;
    }
    v[++k] = q;
  }
  if (k < 0) {
    std::fill(d, d + n, kInf);
    return;
  }
  int64_t j = 0;
  for (int64_t q = 0; q < n; ++q) {
    // advance while the intersection of v[j] and v[j+1] is left of q: (F1 - F0) < 2q (v1 - v0)
    while (j < k && F(v[j + 1]) - F(v[j]) < 2 * q * (v[j + 1] - v[j])) ++j;
    const int64_t p = v[j];
    d[q] = (q - p) * (q - p) + f[p];
  }
}

// Column pass: g(x, y) = distance to the nearest zero of `mask` in column x (saturating at
// INF = max of G). Row-major sweeps over columns [x0, x1), which vectorize. When
// `edge_is_background`, the rows just outside the image count as background.
template <typename G>
void column_pass(ImageView<const uint8_t> mask, int64_t x0, int64_t x1, G* g, bool edge_is_background) {
  constexpr G INF = std::numeric_limits<G>::max();
  const int64_t w = mask.width, h = mask.height;
  const G start = edge_is_background ? G(1) : INF;
  {
    const uint8_t* m = mask.row(0);
    for (int64_t x = x0; x < x1; ++x) g[x] = m[x] ? start : G(0);
  }
  for (int64_t y = 1; y < h; ++y) {
    const uint8_t* m = mask.row(y);
    G* cur = g + y * w;
    const G* prev = cur - w;
    for (int64_t x = x0; x < x1; ++x) {
      const G p = prev[x];
      const G inc = static_cast<G>(p + (p != INF));
      cur[x] = m[x] ? inc : G(0);
    }
  }
  if (edge_is_background) {
    G* last = g + (h - 1) * w;
    for (int64_t x = x0; x < x1; ++x) last[x] = std::min<G>(last[x], G(1));
  }
  for (int64_t y = h - 2; y >= 0; --y) {
    G* cur = g + y * w;
    const G* nxt = cur + w;
    for (int64_t x = x0; x < x1; ++x) {
      const G n = nxt[x];
      const G inc = static_cast<G>(n + (n != INF));
      cur[x] = std::min(cur[x], inc);
    }
  }
}

struct RowScratch {
  std::vector<int64_t> f, d, v;
  std::vector<double> z;
  explicit RowScratch(int64_t n) : f(n + 2), d(n + 2), v(n + 2), z(n + 3) {}
};

// Row pass for one row: squared distances of the foreground pixels. Only the sites between
// the background pixels that bound a run of foreground can be nearest to a pixel of that
// run (a bounding background pixel is itself at distance <= the run's half-width), so the
// envelope is built per run: the work is proportional to the foreground, not the image.
// emit(a, b, d2) receives the run [a, b) and its squared distances.
template <typename G, typename Emit>
void row_pass(const uint8_t* m, const G* g, int64_t w, bool edge_is_background, RowScratch& s, Emit&& emit) {
  constexpr G INF = std::numeric_limits<G>::max();
  int64_t x = 0;
  while (x < w) {
    while (x < w && !m[x]) ++x;
    if (x >= w) break;
    const int64_t a = x;
    while (x < w && m[x]) ++x;
    const int64_t b = x;
    // sites [lo, hi]: the bounding background pixels (or virtual ones outside the image)
    const bool left = a > 0 || edge_is_background, right = b < w || edge_is_background;
    const int64_t lo = left ? a - 1 : a, hi = right ? b : b - 1;
    const int64_t n = hi - lo + 1;
    for (int64_t q = lo; q <= hi; ++q) {
      int64_t fv;
      if (q < a || q >= b) fv = 0;  // background (real, or outside when edge_is_background)
      else fv = g[q] == INF ? kInf : static_cast<int64_t>(g[q]) * g[q];
      s.f[q - lo] = fv;
    }
    envelope_1d(s.f.data(), n, s.d.data(), s.v.data(), s.z.data());
    emit(a, b, s.d.data() + (a - lo));
  }
}

// Squared EDT of `mask`; emit(y, a, b, d2) per foreground run. Column distances are
// uint16 when the image is shorter than 65535 rows (half the memory traffic).
template <typename G, typename Emit>
void edt_runs_t(ImageView<const uint8_t> mask, bool edge_is_background, int threads, Emit&& emit) {
  const int64_t w = mask.width, h = mask.height;
  std::vector<G> g(static_cast<size_t>(w * h));
  const int chunks = static_cast<int>(std::min<int64_t>(resolve_threads(threads), std::max<int64_t>(1, w * h / (1 << 17))));
  parallel_chunks(w, chunks, [&](int, int64_t x0, int64_t x1) { column_pass<G>(mask, x0, x1, g.data(), edge_is_background); });
  parallel_chunks(h, chunks, [&](int, int64_t y0, int64_t y1) {
    RowScratch s(w);
    for (int64_t y = y0; y < y1; ++y)
      row_pass<G>(mask.row(y), g.data() + y * w, w, edge_is_background, s,
                  [&](int64_t a, int64_t b, const int64_t* d2) { emit(y, a, b, d2); });
  });
}

template <typename Emit>
void edt_runs(ImageView<const uint8_t> mask, bool edge_is_background, int threads, Emit&& emit) {
  if (mask.height < 65535)
    edt_runs_t<uint16_t>(mask, edge_is_background, threads, emit);
  else
    edt_runs_t<uint32_t>(mask, edge_is_background, threads, emit);
}

}  // namespace

void squared_distance_transform(ImageView<const uint8_t> mask, ImageView<int64_t> out, int threads) {
  require_same_size(mask, out, "squaredDistanceTransform");
  if (mask.empty()) return;
  for (int64_t y = 0; y < mask.height; ++y) std::fill(out.row(y), out.row(y) + mask.width, int64_t{0});
  edt_runs(mask, false, threads, [&](int64_t y, int64_t a, int64_t b, const int64_t* d2) { std::copy(d2, d2 + (b - a), out.row(y) + a); });
}

void distance_transform(ImageView<const uint8_t> mask, ImageView<float> out, int threads) {
  require_same_size(mask, out, "distanceTransform");
  if (mask.empty()) return;
  // Background rows are zero-filled by the row pass's owner chunk below.
  const int64_t w = mask.width;
  edt_runs(mask, false, threads, [&](int64_t y, int64_t a, int64_t b, const int64_t* d2) {
    float* o = out.row(y);
    for (int64_t x = a; x < b; ++x) {
      const int64_t v = d2[x - a];
      o[x] = v == kInf ? std::numeric_limits<float>::infinity() : static_cast<float>(std::sqrt(static_cast<double>(v)));
    }
  });
  // zero the background (pixels not written above)
  parallel_chunks(mask.height, resolve_threads(threads), [&](int, int64_t y0, int64_t y1) {
    for (int64_t y = y0; y < y1; ++y) {
      const uint8_t* m = mask.row(y);
      float* o = out.row(y);
      for (int64_t x = 0; x < w; ++x)
        if (!m[x]) o[x] = 0.0f;
    }
  });
}

namespace {

// The per-nucleus transform of normalized_distance, for all nuclei at once. The distance
// of a pixel of nucleus L to the nearest pixel not in L is separable like the plain EDT:
// - per column, the distance to the end of the pixel's run of L in that column (the image
//   edge counts as not-L): g = 1 at either end of the run, growing inwards;
// - per row, the lower envelope over the sites of the pixel's run of L in that row, bounded
//   by the not-L pixel (or image edge) on either side. Pixels of L in another run of the
//   same row never matter: the not-L pixel between is nearer, at f = 0.
// Those are exactly the values a transform of each nucleus' bounding box computes (its
// edge is background, and the pixel just outside the box is not L), so the result is the
// same to the bit, without a box, a mask or any scratch per nucleus.
template <typename G, typename T>
__attribute__((always_inline)) inline void column_runs_impl(ImageView<const T> labels, int64_t x0, int64_t x1, G* g) {
  const int64_t w = labels.width, h = labels.height;
  {
    const T* l = labels.row(0);
    for (int64_t x = x0; x < x1; ++x) g[x] = l[x] ? G(1) : G(0);
  }
  for (int64_t y = 1; y < h; ++y) {
    const T* l = labels.row(y);
    const T* up = labels.row(y - 1);
    G* cur = g + y * w;
    const G* prev = cur - w;
    for (int64_t x = x0; x < x1; ++x) {
      // branch-free (vectorizes): eq ? prev + 1 : 1, and 0 off the nuclei
      const G eq = up[x] == l[x], nz = l[x] != 0;
      cur[x] = static_cast<G>(nz * static_cast<G>(eq * prev[x] + 1));
    }
  }
  {
    G* last = g + (h - 1) * w;  // the edge below is not L either
    for (int64_t x = x0; x < x1; ++x) last[x] = std::min<G>(last[x], G(1));
  }
  for (int64_t y = h - 2; y >= 0; --y) {
    const T* l = labels.row(y);
    const T* dn = labels.row(y + 1);
    G* cur = g + y * w;
    const G* nxt = cur + w;
    for (int64_t x = x0; x < x1; ++x) {
      const G eq = dn[x] == l[x];
      cur[x] = std::min(cur[x], static_cast<G>(eq * nxt[x] + 1));
    }
  }
}
// ... compiled for AVX2 and a baseline (target_clones: one non-template function per
// type pair, as clang does not multiversion templates).
#define NUCSEG_COLUMN_RUNS(G, T) \
  __attribute__((target_clones("avx2", "default"))) void column_runs(ImageView<const T> labels, int64_t x0, int64_t x1, G* g) { column_runs_impl(labels, x0, x1, g); }
NUCSEG_COLUMN_RUNS(uint16_t, uint16_t)
NUCSEG_COLUMN_RUNS(uint16_t, uint32_t)
NUCSEG_COLUMN_RUNS(uint32_t, uint16_t)
NUCSEG_COLUMN_RUNS(uint32_t, uint32_t)
#undef NUCSEG_COLUMN_RUNS

// o[x] = sqrt(d2[x]) for one short run, 4 at a time on x86-64 (SSE2). Exactly
// float(sqrt(double(d2))), as long runs compute it: d2 < 2^24 is a float, and a correctly rounded single sqrt
// equals the double one rounded to single (53 >= 2 x 24 + 2: Figueroa).
void sqrt_run(const int32_t* d2, float* o, int64_t n) {
  int64_t x = 0;
#if defined(__SSE2__)
  for (; x + 4 <= n; x += 4)
    _mm_storeu_ps(o + x, _mm_sqrt_ps(_mm_cvtepi32_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(d2 + x)))));
#endif
  for (; x < n; ++x) o[x] = std::sqrt(static_cast<float>(d2[x]));
}

// The end of the run of value v that starts at x (16 bytes at a time on x86-64).
template <typename T>
int64_t run_end(const T* l, int64_t x, int64_t w, T v) {
#if defined(__SSE2__)
  static_assert(sizeof(T) == 2 || sizeof(T) == 4);
  constexpr int k = 16 / sizeof(T);
  const __m128i pattern = sizeof(T) == 2 ? _mm_set1_epi16(static_cast<int16_t>(v)) : _mm_set1_epi32(static_cast<int32_t>(v));
  for (; x + k <= w; x += k) {
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(l + x));
    if (const unsigned differ = ~static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(c, pattern))) & 0xFFFFu)
      return x + __builtin_ctz(differ) / sizeof(T);
  }
#endif
  while (x < w && l[x] == v) ++x;
  return x;
}

// Runs up to this long take the direct minimum below; longer ones the lower envelope.
constexpr int64_t kShortRun = 64;

// The direct minimum's lanes: runs are padded to a multiple of this (the extra lanes
// compute values nobody reads, so the loops have no scalar remainder).
constexpr int32_t kLanes = 8;

// (t - o)² for t in [0, 2 o], o = kShortRun + kLanes: the squared offsets the direct
// minimum adds, padded lanes included.
struct Squares {
  static constexpr int64_t o = kShortRun + kLanes;
  int32_t v[2 * o + 1];
  constexpr Squares() : v() {
    for (int64_t t = 0; t <= 2 * o; ++t) v[t] = static_cast<int32_t>((t - o) * (t - o));
  }
};
constexpr Squares kSquares;

// Squared distances of a run of n pixels of one nucleus, bounded on both sides by pixels
// not in it (at 0), with column distances g: d[i] = min((i + 1)², (n - i)², min over j of
// (i - j)² + g[j]²) by direct comparison, vectorized over i (the (i - j)² read from a
// table). A site with g[j]² at or above the largest end bound ((n + 1) / 2)² never wins,
// so it is skipped; g is clamped to n + 1 first (same result; the squares fit in 32 bits).
// d has room for n rounded up to kLanes.
template <typename G>
__attribute__((always_inline)) inline void short_run_impl(const G* __restrict g, int32_t n, int32_t* __restrict d) {
  const int32_t half = (n + 1) / 2, bound = half * half, padded = (n + kLanes - 1) / kLanes * kLanes;
  const int32_t* sq = kSquares.v + Squares::o;  // sq[k] = k², |k| <= kShortRun + kLanes
  for (int32_t i = 0; i < padded; ++i) d[i] = std::min(sq[i + 1], sq[n - i]);
  for (int32_t j = 0; j < n; ++j) {
    const int32_t gj = std::min<int32_t>(g[j], n + 1), fj = gj * gj;
    if (fj >= bound) continue;
    const int32_t* s = sq - j;  // s[i] = (i - j)²
    for (int32_t i = 0; i < padded; ++i) d[i] = std::min(d[i], s[i] + fj);
  }
}
__attribute__((target_clones("avx2", "default"))) void short_run(const uint16_t* g, int32_t n, int32_t* d) { short_run_impl(g, n, d); }
__attribute__((target_clones("avx2", "default"))) void short_run(const uint32_t* g, int32_t n, int32_t* d) { short_run_impl(g, n, d); }

template <typename G, typename T>
void normalized_distance_t(ImageView<const T> labels, ImageView<float> out, int threads) {
  const int64_t W = labels.width, H = labels.height;
  // Labels -> a dense index for the per-nucleus maxima: the id itself when the ids are
  // small enough for a table (one per thread chunk, so at most 1/16 of the pixels: an id
  // of W x H made each chunk zero a table the image's size), else their rank among the
  // distinct ids.
  T mx = 0;
  for (int64_t y = 0; y < H; ++y) {
    const T* row = labels.row(y);
    for (int64_t x = 0; x < W; ++x) mx = std::max(mx, row[x]);
  }
  const bool dense = static_cast<uint64_t>(mx) <= std::max<uint64_t>(1u << 16, static_cast<uint64_t>(W * H / 16));
  std::vector<T> ids;
  if (!dense) {
    for (int64_t y = 0; y < H; ++y) {
      const T* row = labels.row(y);
      for (int64_t x = 0; x < W; ++x)
        if (row[x] && (ids.empty() || ids.back() != row[x])) ids.push_back(row[x]);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  }
  const size_t n = dense ? static_cast<size_t>(mx) + 1 : ids.size() + 1;
  auto index = [&](T v) -> size_t { return dense ? v : static_cast<size_t>(std::lower_bound(ids.begin(), ids.end(), v) - ids.begin()) + 1; };

  // column distances: every element is written, so a grow-only buffer kept per thread
  // (fresh pages cost more than the pass that fills them)
  thread_local ScratchBuffer<uint8_t> keep;
  G* const gd = reinterpret_cast<G*>(keep.get(static_cast<size_t>(W * H) * sizeof(G)));
  const int chunks = static_cast<int>(std::min<int64_t>(resolve_threads(threads), std::max<int64_t>(1, W * H / (1 << 17))));
  parallel_chunks(W, chunks, [&](int, int64_t x0, int64_t x1) { column_runs(labels, x0, x1, gd); });
  // row pass: distances of the nuclei's runs into `out` (0 elsewhere), each chunk's
  // per-nucleus maxima of d² into its own table
  std::vector<std::vector<int64_t>> best(static_cast<size_t>(chunks));
  parallel_chunks(H, chunks, [&](int c, int64_t y0, int64_t y1) {
    std::vector<int64_t>& bst = best[c];
    bst.assign(n, 0);
    RowScratch s(W);
    int32_t d2[kShortRun + kLanes];  // a short run's squared distances, padded lanes included
    for (int64_t y = y0; y < y1; ++y) {
      const T* l = labels.row(y);
      const G* gy = gd + y * W;
      float* o = out.row(y);
      for (int64_t x = 0; x < W;) {
        const T v = l[x];
        const int64_t a = x;
        x = run_end(l, x + 1, W, v);
        const int64_t b = x, len = b - a;
        if (!v) {
          std::fill(o + a, o + b, 0.0f);
          continue;
        }
        int64_t m = 0;
        if (len <= kShortRun) {
          short_run(gy + a, static_cast<int32_t>(len), d2);
          int32_t m32 = 0;
          for (int64_t q = 0; q < len; ++q) m32 = std::max(m32, d2[q]);
          m = m32;
          sqrt_run(d2, o + a, len);
        } else {
          // sites a - 1 .. b: the run, bounded by not-L pixels or the image edge (f = 0)
          s.f[0] = 0;
          for (int64_t q = a; q < b; ++q) s.f[q - a + 1] = static_cast<int64_t>(gy[q]) * gy[q];
          s.f[len + 1] = 0;
          envelope_1d(s.f.data(), len + 2, s.d.data(), s.v.data(), s.z.data());
          for (int64_t q = 0; q < len; ++q) {
            m = std::max(m, s.d[q + 1]);
            o[a + q] = static_cast<float>(std::sqrt(static_cast<double>(s.d[q + 1])));
          }
        }
        const size_t i = index(v);
        bst[i] = std::max(bst[i], m);
      }
    }
  });
  std::vector<float> maxv(n), inv(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t b = 0;
    for (const auto& t : best) b = std::max(b, t[i]);
    maxv[i] = static_cast<float>(std::sqrt(static_cast<double>(b)));
    inv[i] = b > 0 ? static_cast<float>(1.0 / std::sqrt(static_cast<double>(b))) : 0.0f;
  }
  // the nuclei's runs again (found as in the row pass: no list of them, whose size an
  // image of tiny runs would blow up), each divided by its nucleus' maximum
  parallel_chunks(H, chunks, [&](int, int64_t y0, int64_t y1) {
    for (int64_t y = y0; y < y1; ++y) {
      const T* l = labels.row(y);
      float* o = out.row(y);
      for (int64_t x = 0; x < W;) {
        const T v = l[x];
        const int64_t a = x;
        x = run_end(l, x + 1, W, v);
        if (!v) continue;
        const size_t i = index(v);
        const float mv = maxv[i], iv = inv[i];
        for (int64_t q = a; q < x; ++q) o[q] = (o[q] == mv) ? 1.0f : o[q] * iv;
      }
    }
  });
}

}  // namespace

template <typename T>
void normalized_distance(ImageView<const T> labels, ImageView<float> out, int threads) {
  require_same_size(labels, out, "normalizedDistance");
  if (labels.empty()) return;  // before any row loop: 0 x 2^53 is empty (fuzz finding empty-image-huge-side)
  if (labels.height < 65535)
    normalized_distance_t<uint16_t>(labels, out, threads);
  else
    normalized_distance_t<uint32_t>(labels, out, threads);
}

template void normalized_distance<uint16_t>(ImageView<const uint16_t>, ImageView<float>, int);
template void normalized_distance<uint32_t>(ImageView<const uint32_t>, ImageView<float>, int);

}  // namespace nucseg
