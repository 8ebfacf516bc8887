// Exact Euclidean distance transform in two separable passes: per column, the distance to
// the nearest background pixel in that column (two row-major sweeps, vectorizable); per
// row, the lower envelope of parabolas (Felzenszwalb & Huttenlocher 2012) over the squared
// column distances. Integer squared distances are exact; only the final sqrt rounds.
#include "nucseg/distance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "nucseg/components.hpp"
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

template <typename T>
void normalized_distance(ImageView<const T> labels, ImageView<float> out, int threads) {
  require_same_size(labels, out, "normalizedDistance");
  const int64_t W = labels.width, H = labels.height;
  if (labels.empty()) return;  // before any row loop: 0 x 2^53 is empty (fuzz finding empty-image-huge-side)
  for (int64_t y = 0; y < H; ++y) std::fill(out.row(y), out.row(y) + W, 0.0f);
  RegionStats st = region_stats(labels, threads);
  const int64_t n = static_cast<int64_t>(st.ids.size());
  parallel_chunks(n, resolve_threads(threads), [&](int, int64_t k0, int64_t k1) {
    std::vector<uint8_t> local;
    for (int64_t k = k0; k < k1; ++k) {
      const T id = static_cast<T>(st.ids[k]);
      const int64_t bx = st.x0[k], by = st.y0[k];
      const int64_t bw = st.x1[k] - bx + 1, bh = st.y1[k] - by + 1;
      local.resize(static_cast<size_t>(bw * bh));
      for (int64_t y = 0; y < bh; ++y) {
        const T* row = labels.row(by + y) + bx;
        uint8_t* l = local.data() + y * bw;
        for (int64_t x = 0; x < bw; ++x) l[x] = row[x] == id;
      }
      int64_t best = 0;
      // serial inside: the parallelism is across nuclei
      edt_runs(ImageView<const uint8_t>(local.data(), bw, bh), true, 1, [&](int64_t y, int64_t a, int64_t b, const int64_t* d2) {
        float* o = out.row(by + y) + bx;
        for (int64_t x = a; x < b; ++x) {
          best = std::max(best, d2[x - a]);
          o[x] = static_cast<float>(std::sqrt(static_cast<double>(d2[x - a])));
        }
      });
      const float maxv = static_cast<float>(std::sqrt(static_cast<double>(best)));
      const float inv_max = best > 0 ? static_cast<float>(1.0 / std::sqrt(static_cast<double>(best))) : 0.0f;
      for (int64_t y = 0; y < bh; ++y) {
        float* o = out.row(by + y) + bx;
        const uint8_t* l = local.data() + y * bw;
        for (int64_t x = 0; x < bw; ++x)
          if (l[x]) o[x] = (o[x] == maxv) ? 1.0f : o[x] * inv_max;
      }
    }
  });
}

template void normalized_distance<uint16_t>(ImageView<const uint16_t>, ImageView<float>, int);
template void normalized_distance<uint32_t>(ImageView<const uint32_t>, ImageView<float>, int);

}  // namespace nucseg
