#include "nucseg/filters.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "nucseg/thread_pool.hpp"

namespace nucseg {
namespace {

// 'reflect' index mapping for any i (period 2n): d c b a | a b c d | d c b a.
inline int64_t reflect(int64_t i, int64_t n) {
  if (n == 1) return 0;
  const int64_t p = 2 * n;
  i %= p;
  if (i < 0) i += p;
  return i < n ? i : p - 1 - i;
}

std::vector<float> gaussian_kernel(double sigma, double truncate) {
  // a radius an int cannot hold was undefined behaviour (fuzz finding augment-gaussian-sigma)
  if (!(sigma >= 0 && truncate >= 0 && truncate * sigma <= 100000)) throw ArgumentError("gaussian: sigma x truncate must be in [0, 100000]");
  const int r = static_cast<int>(truncate * sigma + 0.5);
  std::vector<double> k(static_cast<size_t>(2 * r + 1));
  double sum = 0;
  for (int i = -r; i <= r; ++i) sum += k[i + r] = std::exp(-0.5 * i * i / (sigma * sigma));
  std::vector<float> out(k.size());
  for (size_t i = 0; i < k.size(); ++i) out[i] = static_cast<float>(k[i] / sum);
  return out;
}

// Inner loops, compiled for AVX2+FMA and a baseline, picked at load time.
__attribute__((target_clones("avx2", "default"))) void axpy(float* __restrict d, const float* __restrict s, float k, int64_t n) {
  for (int64_t x = 0; x < n; ++x) d[x] += k * s[x];
}

// d[x] = sum over j of k[j] * s[j][x], summed in the order of j from 0.0 (the same sums,
// to the bit, as clearing d and calling axpy once per j), for the common short kernels.
template <int N>
__attribute__((always_inline)) inline void fir_impl(float* __restrict d, const float* const* s, const float* k, int64_t n) {
  const float* p[N];
  float c[N];
  for (int j = 0; j < N; ++j) {
    p[j] = s[j];
    c[j] = k[j];
  }
#pragma GCC ivdep
  for (int64_t x = 0; x < n; ++x) {
    float acc = 0.0f;
    for (int j = 0; j < N; ++j) acc += c[j] * p[j][x];
    d[x] = acc;
  }
}
__attribute__((target_clones("avx2", "default"))) void fir9(float* d, const float* const* s, const float* k, int64_t n) { fir_impl<9>(d, s, k, n); }

// The same for any kernel length: fir9 when it has 9 taps, else cleared + axpy per tap.
void fir(float* d, const float* const* s, const std::vector<float>& k, int64_t n) {
  if (k.size() == 9) return fir9(d, s, k.data(), n);
  std::fill(d, d + n, 0.0f);
  for (size_t j = 0; j < k.size(); ++j) axpy(d, s[j], k[j], n);
}

// Separable correlation of a float image with kernel k (odd length), reflect border.
// Rows that are entirely zero (common for sparse targets such as borders) are skipped in
// both passes.
void separable(const float* src, int64_t w, int64_t h, const std::vector<float>& k, float* dst, int threads) {
  const int64_t r = static_cast<int64_t>(k.size() / 2);
  std::unique_ptr<float[]> tmp_buf(new float[static_cast<size_t>(w * h)]);  // every row is written below
  float* const tmpd = tmp_buf.get();
  std::vector<uint8_t> nonzero(static_cast<size_t>(h), 0);
  const int chunks = static_cast<int>(std::min<int64_t>(resolve_threads(threads), std::max<int64_t>(1, w * h / (1 << 16))));
  parallel_chunks(h, chunks, [&](int, int64_t y0, int64_t y1) {
    std::vector<float> pad(static_cast<size_t>(w + 2 * r));
    for (int64_t y = y0; y < y1; ++y) {
      const float* s = src + y * w;
      float* t = tmpd + y * w;
      bool any = false;
      for (int64_t x = 0; x < w && !any; ++x) any = s[x] != 0.0f;
      nonzero[y] = any;
      std::fill(t, t + w, 0.0f);
      if (!any) continue;
      std::copy(s, s + w, pad.data() + r);
      for (int64_t x = -r; x < 0; ++x) pad[x + r] = s[reflect(x, w)];
      for (int64_t x = w; x < w + r; ++x) pad[x + r] = s[reflect(x, w)];
      for (int64_t j = 0; j <= 2 * r; ++j) axpy(t, pad.data() + j, k[j], w);
    }
  });
  parallel_chunks(h, chunks, [&](int, int64_t y0, int64_t y1) {
    for (int64_t y = y0; y < y1; ++y) {
      float* d = dst + y * w;
      std::fill(d, d + w, 0.0f);
      for (int64_t j = -r; j <= r; ++j) {
        const int64_t yy = reflect(y + j, h);
        if (nonzero[yy]) axpy(d, tmpd + yy * w, k[j + r], w);
      }
    }
  });
}

}  // namespace

template <typename T>
void gaussian_blur(ImageView<const T> in, ImageView<float> out, double sigma, double truncate, int threads) {
  require_same_size(in, out, "gaussianBlur");
  const int64_t w = in.width, h = in.height;
  if (in.empty()) return;
  std::vector<float> src(static_cast<size_t>(w * h));
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) src[y * w + x] = static_cast<float>(in.row(y)[x]);
  if (!(sigma > 0)) {
    for (int64_t y = 0; y < h; ++y) std::copy(src.begin() + y * w, src.begin() + (y + 1) * w, out.row(y));
    return;
  }
  if (out.stride == w) {
    separable(src.data(), w, h, gaussian_kernel(sigma, truncate), out.data, threads);
  } else {
    std::vector<float> dst(src.size());
    separable(src.data(), w, h, gaussian_kernel(sigma, truncate), dst.data(), threads);
    for (int64_t y = 0; y < h; ++y) std::copy(dst.begin() + y * w, dst.begin() + (y + 1) * w, out.row(y));
  }
}

namespace {

// A selection network for the median of k*k values: Batcher's odd-even merge sort on the
// next power of two N, the spare wires fixed at -inf (first L) and +inf (the rest) so the
// median lands on wire L + n/2, with every comparator that cannot change that wire (or only
// compares constants) removed. Built once per k.
struct MedianNetwork {
  int n = 0, wires = 0, low = 0, out = 0;
  std::vector<std::pair<int, int>> pairs;
};

void batcher_merge(int lo, int hi, int r, std::vector<std::pair<int, int>>& p) {
  const int step = r * 2;
  if (step < hi - lo) {
    batcher_merge(lo, hi, step, p);
    batcher_merge(lo + r, hi, step, p);
    for (int i = lo + r; i < hi - r; i += step) p.emplace_back(i, i + r);
  } else {
    p.emplace_back(lo, lo + r);
  }
}

void batcher_sort(int lo, int hi, std::vector<std::pair<int, int>>& p) {
  if (hi - lo >= 1) {
    const int mid = lo + (hi - lo) / 2;
    batcher_sort(lo, mid, p);
    batcher_sort(mid + 1, hi, p);
    batcher_merge(lo, hi, 1, p);
  }
}

MedianNetwork make_median_network(int k) {
  MedianNetwork m;
  m.n = k * k;
  m.wires = 1;
  while (m.wires < m.n) m.wires *= 2;
  m.low = (m.wires - m.n) / 2;
  m.out = m.low + m.n / 2;
  std::vector<std::pair<int, int>> all;
  batcher_sort(0, m.wires - 1, all);
  // forward: drop comparators that cannot move anything (-inf already low, +inf already high)
  enum { Var, Low, High };
  std::vector<int> kind(static_cast<size_t>(m.wires), Var);
  for (int i = 0; i < m.low; ++i) kind[i] = Low;
  for (int i = m.low + m.n; i < m.wires; ++i) kind[i] = High;
  std::vector<std::pair<int, int>> live;
  for (auto [a, b] : all) {
    if (kind[a] == Low || kind[b] == High) continue;
    if (kind[a] == High || kind[b] == Low) {  // a plain exchange of a constant and a value
      std::swap(kind[a], kind[b]);
      live.emplace_back(a, b);
      continue;
    }
    live.emplace_back(a, b);
  }
  // backward: keep only what reaches the median wire
  std::vector<char> need(static_cast<size_t>(m.wires), 0);
  need[m.out] = 1;
  for (auto it = live.rbegin(); it != live.rend(); ++it)
    if (need[it->first] || need[it->second]) {
      need[it->first] = need[it->second] = 1;
      m.pairs.push_back(*it);
    }
  std::reverse(m.pairs.begin(), m.pairs.end());
  return m;
}

const MedianNetwork& median_network(int k) {
  static const MedianNetwork nets[4] = {make_median_network(1), make_median_network(3), make_median_network(5), make_median_network(7)};
  return nets[k / 2];
}

}  // namespace

// Median of each k x k window (edges replicated). A row at a time: the window values are
// laid out as wires (one array per window offset) and a fixed selection network of min/max
// runs over whole rows, so the compiler vectorizes it; exact, the same as sorting.
template <typename T>
void median_blur(ImageView<const T> in, ImageView<T> out, int k, int threads) {
  require_same_size(in, out, "medianBlur");
  if (k < 1 || k > 7 || k % 2 == 0) throw ArgumentError("medianBlur: kernel size must be 1, 3, 5 or 7");
  const int64_t w = in.width, h = in.height, r = k / 2;
  if (in.empty()) return;
  const MedianNetwork& net = median_network(k);
  const T lo = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::lowest();
  const T hi = std::numeric_limits<T>::has_infinity ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max();
  parallel_chunks(h, resolve_threads(threads), [&](int, int64_t y0, int64_t y1) {
    std::vector<T> wires(static_cast<size_t>(net.wires * w));
    auto wire = [&](int i) { return wires.data() + static_cast<int64_t>(i) * w; };
    for (int i = 0; i < net.low; ++i) std::fill(wire(i), wire(i) + w, lo);
    for (int i = net.low + net.n; i < net.wires; ++i) std::fill(wire(i), wire(i) + w, hi);
    for (int64_t y = y0; y < y1; ++y) {
      int j = net.low;
      for (int64_t dy = -r; dy <= r; ++dy) {
        const T* row = in.row(std::clamp<int64_t>(y + dy, 0, h - 1));
        for (int64_t dx = -r; dx <= r; ++dx, ++j) {
          T* dst = wire(j);
          const int64_t xa = std::min<int64_t>(std::max<int64_t>(-dx, 0), w), xb = std::max<int64_t>(std::min<int64_t>(w - dx, w), xa);
          for (int64_t x = 0; x < xa; ++x) dst[x] = row[std::clamp<int64_t>(x + dx, 0, w - 1)];
          std::copy(row + xa + dx, row + xb + dx, dst + xa);
          for (int64_t x = xb; x < w; ++x) dst[x] = row[std::clamp<int64_t>(x + dx, 0, w - 1)];
        }
      }
      for (auto [a, b] : net.pairs) {
        T* __restrict pa = wire(a);
        T* __restrict pb = wire(b);
        for (int64_t x = 0; x < w; ++x) {
          const T u = pa[x], v = pb[x];
          pa[x] = std::min(u, v);
          pb[x] = std::max(u, v);
        }
      }
      std::copy(wire(net.out), wire(net.out) + w, out.row(y));
      // the constant wires may have been exchanged into: reset them for the next row
      for (int i = 0; i < net.low; ++i) std::fill(wire(i), wire(i) + w, lo);
      for (int i = net.low + net.n; i < net.wires; ++i) std::fill(wire(i), wire(i) + w, hi);
    }
  });
}

template <typename T>
double otsu_threshold(ImageView<const T> in) {
  if (in.empty()) throw ArgumentError("otsuThreshold: empty image");
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (int64_t y = 0; y < in.height; ++y)
    for (int64_t x = 0; x < in.width; ++x) {
      const double v = static_cast<double>(in.row(y)[x]);
      if (std::isnan(v)) throw ArgumentError("otsuThreshold: image contains NaN");
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  if (lo == hi) return lo;
  const bool integer = std::is_integral_v<T>;
  const int64_t nb = integer ? static_cast<int64_t>(hi - lo) + 1 : 256;
  std::vector<double> hist(static_cast<size_t>(nb), 0.0), centers(static_cast<size_t>(nb));
  const double step = integer ? 1.0 : (hi - lo) / 256.0;
  for (int64_t b = 0; b < nb; ++b) centers[b] = integer ? lo + b : lo + (b + 0.5) * step;
  for (int64_t y = 0; y < in.height; ++y)
    for (int64_t x = 0; x < in.width; ++x) {
      const double v = static_cast<double>(in.row(y)[x]);
      int64_t b = integer ? static_cast<int64_t>(v - lo) : static_cast<int64_t>((v - lo) / step);
      hist[std::clamp<int64_t>(b, 0, nb - 1)] += 1;
    }
  // weight1/mean1 over bins [0, i], weight2/mean2 over [i+1, nb)
  std::vector<double> w1(nb), m1(nb), w2(nb), m2(nb);
  double cw = 0, cm = 0;
  for (int64_t i = 0; i < nb; ++i) {
    cw += hist[i];
    cm += hist[i] * centers[i];
    w1[i] = cw;
    m1[i] = cw > 0 ? cm / cw : 0;
  }
  cw = 0;
  cm = 0;
  for (int64_t i = nb - 1; i >= 0; --i) {
    cw += hist[i];
    cm += hist[i] * centers[i];
    w2[i] = cw;
    m2[i] = cw > 0 ? cm / cw : 0;
  }
  double best = -1;
  int64_t idx = 0;
  for (int64_t i = 0; i + 1 < nb; ++i) {
    const double d = m1[i] - m2[i + 1];
    const double var = w1[i] * w2[i + 1] * d * d;
    if (var > best) {
      best = var;
      idx = i;
    }
  }
  return centers[idx];
}

namespace {

// Row y of the border target as float 0/1: a nucleus pixel with a 4-neighbour of another
// label or of background; the image edge does not count. Branch-free (vectorizes).
template <typename T>
bool border_row(ImageView<const T> labels, int64_t y, float* __restrict b) {
  const int64_t w = labels.width, h = labels.height;
  const T* __restrict row = labels.row(y);
  const T* __restrict up = y > 0 ? labels.row(y - 1) : row;  // the row itself: never differs
  const T* __restrict dn = y + 1 < h ? labels.row(y + 1) : row;
  auto edge = [&](int64_t x, T left, T right) {
    const T v = row[x];
    return static_cast<float>((v != 0) & ((left != v) | (right != v) | (up[x] != v) | (dn[x] != v)));
  };
  if (w == 1) {
    b[0] = edge(0, row[0], row[0]);
  } else {
    b[0] = edge(0, row[0], row[1]);
    for (int64_t x = 1; x + 1 < w; ++x) b[x] = edge(x, row[x - 1], row[x + 1]);
    b[w - 1] = edge(w - 1, row[w - 2], row[w - 1]);
  }
  float any = 0;
  for (int64_t x = 0; x < w; ++x) any = std::max(any, b[x]);
  return any != 0;
}

}  // namespace

// Streams: each output row is the vertical sum of 2r+1 horizontally blurred border rows,
// kept in a ring, so the border image and the horizontal pass never exist in full (no
// large temporaries: on small VMs their page faults cost more than the blur). The sums
// are the ones `separable` computes, in the same order, so the result is the same to the
// bit as blurring the whole border image; all-zero rows are skipped as there.
template <typename T>
void blurred_border(ImageView<const T> labels, ImageView<float> out, double sigma, int threads) {
  require_same_size(labels, out, "blurredBorder");
  const int64_t w = labels.width, h = labels.height;
  if (labels.empty()) return;
  if (!(sigma > 0)) {
    parallel_chunks(h, resolve_threads(threads), [&](int, int64_t y0, int64_t y1) {
      for (int64_t y = y0; y < y1; ++y) border_row(labels, y, out.row(y));
    });
    return;
  }
  const std::vector<float> k = gaussian_kernel(sigma, 4.0);
  const int64_t r = static_cast<int64_t>(k.size() / 2), n = 2 * r + 1;
  const int chunks = static_cast<int>(std::min<int64_t>(resolve_threads(threads), std::max<int64_t>(1, w * h / (1 << 16))));
  parallel_chunks(h, chunks, [&](int, int64_t y0, int64_t y1) {
    std::vector<float> pad(static_cast<size_t>(w + 2 * r)), ring(static_cast<size_t>(n * w)), zero(static_cast<size_t>(w), 0.0f);
    std::vector<const float*> taps(static_cast<size_t>(n)), rows(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j) taps[j] = pad.data() + j;
    std::vector<int64_t> held(static_cast<size_t>(n), -1);  // the source row in each ring slot
    std::vector<uint8_t> nonzero(static_cast<size_t>(n), 0);
    // the horizontally blurred border row yy (nullptr when it is all zero)
    auto hrow = [&](int64_t yy) -> const float* {
      const int64_t slot = yy % n;
      float* t = ring.data() + slot * w;
      if (held[slot] != yy) {
        held[slot] = yy;
        nonzero[slot] = border_row(labels, yy, pad.data() + r);
        if (nonzero[slot]) {
          const float* s = pad.data() + r;
          for (int64_t x = -r; x < 0; ++x) pad[x + r] = s[reflect(x, w)];
          for (int64_t x = w; x < w + r; ++x) pad[x + r] = s[reflect(x, w)];
          fir(t, taps.data(), k, w);
        }
      }
      return nonzero[slot] ? t : zero.data();  // adding k x 0 leaves the (non-negative) sums as they are
    };
    for (int64_t y = y0; y < y1; ++y) {
      for (int64_t j = -r; j <= r; ++j) rows[j + r] = hrow(reflect(y + j, h));
      fir(out.row(y), rows.data(), k, w);
    }
  });
}

#define NUCSEG_INSTANTIATE(T)                                                                      \
  template void gaussian_blur<T>(ImageView<const T>, ImageView<float>, double, double, int);      \
  template void median_blur<T>(ImageView<const T>, ImageView<T>, int, int);                       \
  template double otsu_threshold<T>(ImageView<const T>);
NUCSEG_INSTANTIATE(uint8_t)
NUCSEG_INSTANTIATE(uint16_t)
NUCSEG_INSTANTIATE(float)
#undef NUCSEG_INSTANTIATE
template void blurred_border<uint16_t>(ImageView<const uint16_t>, ImageView<float>, double, int);
template void blurred_border<uint32_t>(ImageView<const uint32_t>, ImageView<float>, double, int);

}  // namespace nucseg
