#include "nucseg/max_filter.hpp"

#include <algorithm>
#include <limits>
#include <vector>

#include "nucseg/thread_pool.hpp"

namespace nucseg {

namespace {
// 1-D running max of window 2r+1 over n samples at stride `step` (van Herk / Gil-Werman).
void max_1d(const float* in, int64_t n, int64_t step, int r, float* out, std::vector<float>& g, std::vector<float>& hbuf) {
  const int64_t wlen = 2 * r + 1;
  const int64_t padded = n + 2 * r;
  const int64_t blocks = (padded + wlen - 1) / wlen;
  const int64_t m = blocks * wlen;
  g.resize(static_cast<size_t>(m));
  hbuf.resize(static_cast<size_t>(m));
  const float NEG = -std::numeric_limits<float>::infinity();
  auto at = [&](int64_t i) { const int64_t s = i - r; return (s >= 0 && s < n) ? in[s * step] : NEG; };
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t s = b * wlen;
    g[s] = at(s);
    for (int64_t i = 1; i < wlen; ++i) g[s + i] = std::max(g[s + i - 1], at(s + i));
    hbuf[s + wlen - 1] = at(s + wlen - 1);
    for (int64_t i = wlen - 2; i >= 0; --i) hbuf[s + i] = std::max(hbuf[s + i + 1], at(s + i));
  }
  for (int64_t x = 0; x < n; ++x) out[x * step] = std::max(hbuf[x], g[x + wlen - 1]);
}
}  // namespace

__attribute__((target_clones("avx2", "default"))) void row_max(float* __restrict d, const float* __restrict s, int64_t n) {
  for (int64_t x = 0; x < n; ++x) d[x] = d[x] < s[x] ? s[x] : d[x];
}

void max_filter(ImageView<const float> in, ImageView<float> out, int radius, int threads) {
  require_same_size(in, out, "maxFilter");
  if (radius < 0) throw ArgumentError("maxFilter: radius must be >= 0");
  const int64_t w = in.width, h = in.height;
  if (in.empty()) return;
  std::vector<float> tmp(static_cast<size_t>(w * h));
  parallel_chunks(h, resolve_threads(threads), [&](int, int64_t y0, int64_t y1) {
    std::vector<float> g, hb;
    for (int64_t y = y0; y < y1; ++y) max_1d(in.row(y), w, 1, radius, tmp.data() + y * w, g, hb);
  });
  if (radius <= 16) {
    // Small windows: row-major running maxima over the 2r+1 rows (vectorizes across x).
    parallel_chunks(h, resolve_threads(threads), [&](int, int64_t y0, int64_t y1) {
      for (int64_t y = y0; y < y1; ++y) {
        float* o = out.row(y);
        const int64_t a = std::max<int64_t>(0, y - radius), b = std::min<int64_t>(h - 1, y + radius);
        std::copy(tmp.begin() + a * w, tmp.begin() + (a + 1) * w, o);
        for (int64_t yy = a + 1; yy <= b; ++yy) row_max(o, tmp.data() + yy * w, w);
      }
    });
    return;
  }
  parallel_chunks(w, resolve_threads(threads), [&](int, int64_t x0, int64_t x1) {
    std::vector<float> g, hb, col(static_cast<size_t>(h)), res(static_cast<size_t>(h));
    for (int64_t x = x0; x < x1; ++x) {
      for (int64_t y = 0; y < h; ++y) col[y] = tmp[y * w + x];
      max_1d(col.data(), h, 1, radius, res.data(), g, hb);
      for (int64_t y = 0; y < h; ++y) out.row(y)[x] = res[y];
    }
  });
}

}  // namespace nucseg
