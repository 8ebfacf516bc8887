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
constexpr uint32_t kColInf = 0x7FFFFFFFu;

// 1-D squared distance transform of f (kInf = no site) into d; v, z are scratch (n and n+1).
void envelope_1d(const int64_t* f, int64_t n, int64_t* d, int64_t* v, double* z) {
  int64_t k = -1;
  for (int64_t q = 0; q < n; ++q) {
    if (f[q] == kInf) continue;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -std::numeric_limits<double>::infinity();
      z[1] = std::numeric_limits<double>::infinity();
      continue;
    }
    double s;
    for (;;) {
      const int64_t p = v[k];
      // intersection of parabolas from p and q
      s = (static_cast<double>(f[q] + q * q) - static_cast<double>(f[p] + p * p)) / (2.0 * static_cast<double>(q - p));
      if (s <= z[k]) {
        if (--k < 0) break;
      } else {
        break;
      }
    }
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -std::numeric_limits<double>::infinity();
      z[1] = std::numeric_limits<double>::infinity();
      continue;
    }
    ++k;
    v[k] = q;
    z[k] = s;
    z[k + 1] = std::numeric_limits<double>::infinity();
  }
  if (k < 0) {
    std::fill(d, d + n, kInf);
    return;
  }
  int64_t j = 0;
  for (int64_t q = 0; q < n; ++q) {
    while (z[j + 1] < static_cast<double>(q)) ++j;
    const int64_t p = v[j];
    d[q] = (q - p) * (q - p) + f[p];
  }
}

// Column pass over rows [0, h) and columns [x0, x1): g = distance to nearest zero in the
// column; outside rows count as background when `edge_is_background`.
template <typename Pred>
void column_pass(int64_t w, int64_t h, int64_t x0, int64_t x1, Pred is_fg, uint32_t* g, bool edge_is_background) {
  const uint32_t start = edge_is_background ? 1u : kColInf;
  for (int64_t x = x0; x < x1; ++x) g[x] = is_fg(x, 0) ? start : 0u;
  for (int64_t y = 1; y < h; ++y) {
    uint32_t* cur = g + y * w;
    const uint32_t* prev = cur - w;
    for (int64_t x = x0; x < x1; ++x) {
      const uint32_t p = prev[x];
      cur[x] = is_fg(x, y) ? (p == kColInf ? kColInf : p + 1) : 0u;
    }
  }
  if (edge_is_background)
    for (int64_t x = x0; x < x1; ++x) g[(h - 1) * w + x] = std::min<uint32_t>(g[(h - 1) * w + x], 1u);
  for (int64_t y = h - 2; y >= 0; --y) {
    uint32_t* cur = g + y * w;
    const uint32_t* next = cur + w;
    for (int64_t x = x0; x < x1; ++x) {
      const uint32_t n = next[x];
      if (n != kColInf && n + 1 < cur[x]) cur[x] = n + 1;
    }
  }
}

struct RowScratch {
  std::vector<int64_t> f, d, v;
  std::vector<double> z;
  explicit RowScratch(int64_t n) : f(n + 2), d(n + 2), v(n + 2), z(n + 3) {}
};

// Row pass for one row of column distances g (length n); `edge_is_background` adds a site
// just outside each end. Writes squared distances.
void row_pass(const uint32_t* g, int64_t n, bool edge_is_background, RowScratch& s, int64_t* out) {
  if (edge_is_background) {
    // sites at -1 and n: shift by one and use n + 2 samples
    s.f[0] = 0;
    for (int64_t x = 0; x < n; ++x) s.f[x + 1] = g[x] == kColInf ? kInf : static_cast<int64_t>(g[x]) * g[x];
    s.f[n + 1] = 0;
    envelope_1d(s.f.data(), n + 2, s.d.data(), s.v.data(), s.z.data());
    std::copy(s.d.begin() + 1, s.d.begin() + 1 + n, out);
  } else {
    for (int64_t x = 0; x < n; ++x) s.f[x] = g[x] == kColInf ? kInf : static_cast<int64_t>(g[x]) * g[x];
    envelope_1d(s.f.data(), n, out, s.v.data(), s.z.data());
  }
}

template <typename Emit>
void edt_core(ImageView<const uint8_t> mask, int threads, Emit&& emit) {
  const int64_t w = mask.width, h = mask.height;
  std::vector<uint32_t> g(static_cast<size_t>(w * h));
  const int nt = resolve_threads(threads);
  const int cchunks = static_cast<int>(std::min<int64_t>(nt, std::max<int64_t>(1, w * h / (1 << 17))));
  parallel_chunks(w, cchunks, [&](int, int64_t x0, int64_t x1) {
    column_pass(w, h, x0, x1, [&](int64_t x, int64_t y) { return mask.row(y)[x] != 0; }, g.data(), false);
  });
  parallel_chunks(h, cchunks, [&](int, int64_t y0, int64_t y1) {
    RowScratch s(w);
    std::vector<int64_t> row(static_cast<size_t>(w));
    for (int64_t y = y0; y < y1; ++y) {
      row_pass(g.data() + y * w, w, false, s, row.data());
      emit(y, row.data());
    }
  });
}

}  // namespace

void squared_distance_transform(ImageView<const uint8_t> mask, ImageView<int64_t> out, int threads) {
  require_same_size(mask, out, "squaredDistanceTransform");
  if (mask.empty()) return;
  edt_core(mask, threads, [&](int64_t y, const int64_t* row) { std::copy(row, row + mask.width, out.row(y)); });
}

void distance_transform(ImageView<const uint8_t> mask, ImageView<float> out, int threads) {
  require_same_size(mask, out, "distanceTransform");
  if (mask.empty()) return;
  edt_core(mask, threads, [&](int64_t y, const int64_t* row) {
    float* o = out.row(y);
    for (int64_t x = 0; x < mask.width; ++x)
      o[x] = row[x] == kInf ? std::numeric_limits<float>::infinity() : static_cast<float>(std::sqrt(static_cast<double>(row[x])));
  });
}

template <typename T>
void normalized_distance(ImageView<const T> labels, ImageView<float> out, int threads) {
  require_same_size(labels, out, "normalizedDistance");
  const int64_t W = labels.width, H = labels.height;
  for (int64_t y = 0; y < H; ++y) std::fill(out.row(y), out.row(y) + W, 0.0f);
  if (labels.empty()) return;
  RegionStats st = region_stats(labels, threads);
  const int64_t n = static_cast<int64_t>(st.ids.size());
  // Balance chunks by area rather than count.
  parallel_chunks(n, resolve_threads(threads), [&](int, int64_t k0, int64_t k1) {
    std::vector<uint32_t> g;
    std::vector<int64_t> row;
    for (int64_t k = k0; k < k1; ++k) {
      const T id = static_cast<T>(st.ids[k]);
      const int64_t bx = st.x0[k], by = st.y0[k];
      const int64_t bw = st.x1[k] - bx + 1, bh = st.y1[k] - by + 1;
      g.assign(static_cast<size_t>(bw * bh), 0);
      auto is_fg = [&](int64_t x, int64_t y) { return labels.row(by + y)[bx + x] == id; };
      column_pass(bw, bh, 0, bw, is_fg, g.data(), true);
      RowScratch s(bw);
      row.resize(static_cast<size_t>(bw));
      int64_t best = 0;
      for (int64_t y = 0; y < bh; ++y) {
        row_pass(g.data() + y * bw, bw, true, s, row.data());
        float* o = out.row(by + y) + bx;
        for (int64_t x = 0; x < bw; ++x)
          if (is_fg(x, y)) {
            best = std::max(best, row[x]);
            o[x] = static_cast<float>(std::sqrt(static_cast<double>(row[x])));
          }
      }
      const float inv_max = best > 0 ? static_cast<float>(1.0 / std::sqrt(static_cast<double>(best))) : 0.0f;
      const float maxv = static_cast<float>(std::sqrt(static_cast<double>(best)));
      for (int64_t y = 0; y < bh; ++y) {
        float* o = out.row(by + y) + bx;
        for (int64_t x = 0; x < bw; ++x)
          if (is_fg(x, y)) o[x] = (o[x] == maxv) ? 1.0f : o[x] * inv_max;
      }
    }
  });
}

template void normalized_distance<uint16_t>(ImageView<const uint16_t>, ImageView<float>, int);
template void normalized_distance<uint32_t>(ImageView<const uint32_t>, ImageView<float>, int);

}  // namespace nucseg
