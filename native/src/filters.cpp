#include "nucseg/filters.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
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
  if (r == 0) return {1.0f};  // one tap (sigma² may even underflow to 0: exp(0 / 0) was NaN)
  std::vector<double> k(static_cast<size_t>(2 * r + 1));
  double sum = 0;
  for (int i = -r; i <= r; ++i) sum += k[i + r] = std::exp(-0.5 * i * i / (sigma * sigma));
  std::vector<float> out(k.size());
  for (size_t i = 0; i < k.size(); ++i) out[i] = static_cast<float>(k[i] / sum);
  return out;
}

// Inner loops, compiled for AVX2 and a baseline, picked at load time (no FMA: the sums
// must round as written, the same on every machine).
__attribute__((target_clones("avx2", "default"))) void axpy(float* __restrict d, const float* __restrict s, float k, int64_t n) {
  for (int64_t x = 0; x < n; ++x) d[x] += k * s[x];
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

// Row of the border target as bytes, 0xff for a nucleus pixel with a 4-neighbour of
// another label or of background, else 0; the image edge does not count (up/dn are the
// row itself there). Branch-free (vectorizes).
template <typename T>
__attribute__((always_inline)) inline void border_impl(const T* __restrict row, const T* __restrict up, const T* __restrict dn, int64_t w, uint8_t* __restrict b) {
  auto edge = [&](int64_t x, T left, T right) {
    const T v = row[x];
    return static_cast<uint8_t>(-((v != 0) & ((left != v) | (right != v) | (up[x] != v) | (dn[x] != v))));
  };
  if (w == 1) {
    b[0] = edge(0, row[0], row[0]);
  } else {
    b[0] = edge(0, row[0], row[1]);
    for (int64_t x = 1; x + 1 < w; ++x) b[x] = edge(x, row[x - 1], row[x + 1]);
    b[w - 1] = edge(w - 1, row[w - 2], row[w - 1]);
  }
}
__attribute__((target_clones("avx2", "default"))) void border_bytes(const uint16_t* row, const uint16_t* up, const uint16_t* dn, int64_t w, uint8_t* b) {
  border_impl(row, up, dn, w, b);
}
__attribute__((target_clones("avx2", "default"))) void border_bytes(const uint32_t* row, const uint32_t* up, const uint32_t* dn, int64_t w, uint8_t* b) {
  border_impl(row, up, dn, w, b);
}

template <typename T>
void border_row(ImageView<const T> labels, int64_t y, uint8_t* b) {
  const T* row = labels.row(y);
  border_bytes(row, y > 0 ? labels.row(y - 1) : row, y + 1 < labels.height ? labels.row(y + 1) : row, labels.width, b);
}

// The blur of the border works on blocks of 8 pixels (one AVX2 vector of floats), chosen
// in bit masks: bit i % 64 of word i / 64 for block i, pixels [8i, 8i + 8).
constexpr int64_t kBlock = 8;
typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

template <typename F>
__attribute__((always_inline)) inline void for_blocks(const uint64_t* m, int64_t nw, F&& f) {
  for (int64_t i = 0; i < nw; ++i)
    for (uint64_t bits = m[i]; bits; bits &= bits - 1) f((i * 64 + __builtin_ctzll(bits)) * kBlock);
}

// The vertical pass, for each chosen block: d[x] = sum over j of k[j] * s[j][x], summed in
// the order of j from 0.0 (the same sums, to the bit, as clearing d and calling axpy once
// per j), for x < n. N: the number of taps when fixed (9: sigma 1; then kept in
// registers), else 0 (taps). The sums start at the first term: 0 + v is v, as no term
// here is -0 (nor any value in this blur).
template <int N>
__attribute__((always_inline)) inline void vblur_impl(float* d, const float* const* s, const float* k, int taps, const uint64_t* m, int64_t nw, int64_t n) {
  const float* p[N ? N : 1];
  float c[N ? N : 1];
  for (int j = 0; j < N; ++j) {
    p[j] = s[j];
    c[j] = k[j];
  }
  auto src = [&](int j) { return N ? p[j] : s[j]; };
  auto coef = [&](int j) { return N ? c[j] : k[j]; };
  for_blocks(m, nw, [&](int64_t x) {
    v8f acc, v;
    std::memcpy(&acc, src(0) + x, sizeof acc);
    acc *= coef(0);
    for (int j = 1; j < (N ? N : taps); ++j) {
      std::memcpy(&v, src(j) + x, sizeof v);
      acc += coef(j) * v;
    }
    if (x + kBlock <= n)
      std::memcpy(d + x, &acc, sizeof acc);
    else  // the image ends in this block
      std::memcpy(d + x, &acc, (n - x) * sizeof(float));
  });
}
__attribute__((target_clones("avx2", "default"))) void vblur9(float* d, const float* const* s, const float* k, const uint64_t* m, int64_t nw, int64_t n) {
  vblur_impl<9>(d, s, k, 9, m, nw, n);
}
__attribute__((target_clones("avx2", "default"))) void vblurn(float* d, const float* const* s, const float* k, int taps, const uint64_t* m, int64_t nw, int64_t n) {
  vblur_impl<0>(d, s, k, taps, m, nw, n);
}

// The border bytes as 32-bit masks (0 or all ones), for the horizontal pass.
__attribute__((target_clones("avx2", "default"))) void widen(const uint8_t* __restrict b, int32_t* __restrict m, int64_t n) {
  for (int64_t x = 0; x < n; ++x) m[x] = static_cast<int8_t>(b[x]);
}

// The horizontal pass of the border masks b (b[x + j] weighs k[j] into t[x]; r reflected
// before the row): the sums vblur_impl would make of floats 0/1, but as k[j] x 1 is k[j]
// and k[j] x 0 is +0, each term is the bits of k[j] masked: no multiply.
template <int N>
__attribute__((always_inline)) inline void hblur_impl(float* t, const int32_t* b, const float* k, int taps, const uint64_t* m, int64_t nw) {
  int32_t c[N ? N : 1];
  for (int j = 0; j < N; ++j) std::memcpy(&c[j], &k[j], sizeof c[j]);
  auto coef = [&](int j) {
    int32_t kj = N ? c[j] : 0;
    if (!N) std::memcpy(&kj, &k[j], sizeof kj);
    return kj;
  };
  for_blocks(m, nw, [&](int64_t x) {
    v8i v;
    std::memcpy(&v, b + x, sizeof v);
    v8f acc = reinterpret_cast<v8f>(v & coef(0));
    for (int j = 1; j < (N ? N : taps); ++j) {
      std::memcpy(&v, b + x + j, sizeof v);
      acc += reinterpret_cast<v8f>(v & coef(j));
    }
    std::memcpy(t + x, &acc, sizeof acc);
  });
}
__attribute__((target_clones("avx2", "default"))) void hblur9(float* t, const int32_t* b, const float* k, const uint64_t* m, int64_t nw) {
  hblur_impl<9>(t, b, k, 9, m, nw);
}
__attribute__((target_clones("avx2", "default"))) void hblurn(float* t, const int32_t* b, const float* k, int taps, const uint64_t* m, int64_t nw) {
  hblur_impl<0>(t, b, k, taps, m, nw);
}

// Chooses the blocks that a nonzero byte of b weighs into, the bytes [8i, 8i + 8 + 2r) of
// b for block i: the horizontal pass is exactly 0 in every other block, its terms being
// all k x 0. any: nb words of scratch.
__attribute__((target_clones("avx2", "default"))) void near_blocks(const uint8_t* b, int64_t nb, int64_t r, uint64_t* __restrict any, uint64_t* __restrict near) {
  // 8-byte words at 8i, 8i + 8, ... and the one ending the span
  for (int64_t i = 0; i < nb; ++i) std::memcpy(&any[i], b + i * kBlock + 2 * r, sizeof any[i]);
  for (int64_t o = 0; o < 2 * r; o += 8)
    for (int64_t i = 0; i < nb; ++i) {
      uint64_t v;
      std::memcpy(&v, b + i * kBlock + o, sizeof v);
      any[i] |= v;
    }
  for (int64_t i0 = 0; i0 < nb; i0 += 64) {
    uint64_t bits = 0;
    for (int64_t i = i0; i < std::min(nb, i0 + 64); ++i) bits |= static_cast<uint64_t>(any[i] != 0) << (i - i0);
    near[i0 / 64] = bits;
  }
}

}  // namespace

// Streams: each output row is the vertical sum of 2r+1 horizontally blurred border rows,
// kept in a ring, so the border image and the horizontal pass never exist in full (no
// large temporaries: on small VMs their page faults cost more than the blur). The sums
// are the ones `separable` computes, in the same order, so the result is the same to the
// bit as blurring the whole border image. Borders are sparse: both passes only run in the
// blocks of 8 pixels near one; elsewhere every term is k x 0, which leaves the
// (non-negative) sums at +0.
template <typename T>
void blurred_border(ImageView<const T> labels, ImageView<float> out, double sigma, int threads) {
  require_same_size(labels, out, "blurredBorder");
  const int64_t w = labels.width, h = labels.height;
  if (labels.empty()) return;
  if (!(sigma > 0)) {
    parallel_chunks(h, resolve_threads(threads), [&](int, int64_t y0, int64_t y1) {
      std::vector<uint8_t> b(static_cast<size_t>(w));
      for (int64_t y = y0; y < y1; ++y) {
        border_row(labels, y, b.data());
        float* o = out.row(y);
        for (int64_t x = 0; x < w; ++x) o[x] = b[x] & 1;
      }
    });
    return;
  }
  const std::vector<float> k = gaussian_kernel(sigma, 4.0);
  const int64_t r = static_cast<int64_t>(k.size() / 2), n = 2 * r + 1;
  const int64_t nb = (w + kBlock - 1) / kBlock, nw = (nb + 63) / 64, wb = nb * kBlock;  // blocks, mask words, w in whole blocks
  // ring slots: the 2r + 1 rows an output row sums, or every row of a shorter image (they
  // are then all in one window: a wide image of few rows with a large sigma needed 2r + 1
  // rows of scratch, 216 MB for 70000 x 1 at sigma 100)
  const int64_t slots = std::min(n, h);
  const int chunks = static_cast<int>(std::min<int64_t>(resolve_threads(threads), std::max<int64_t>(1, w * h / (1 << 16))));
  parallel_chunks(h, chunks, [&](int, int64_t y0, int64_t y1) {
    // the border row, r reflected bytes each side, then zeros to whole blocks (and the
    // ring rows to whole blocks: what they hold past w reaches no output)
    std::vector<uint8_t> bytes(static_cast<size_t>(wb + 2 * r + kBlock), 0);
    uint8_t* const b = bytes.data() + r;
    std::vector<int32_t> masks(bytes.size());
    std::vector<float> ring(static_cast<size_t>(slots * wb), 0.0f);
    std::vector<uint64_t> any(static_cast<size_t>(nb)), near(static_cast<size_t>(slots * nw), 0), stale(static_cast<size_t>(nw)), vnear(static_cast<size_t>(nw));
    std::vector<const float*> rows(static_cast<size_t>(n));
    std::vector<int64_t> held(static_cast<size_t>(slots), -1);  // the source row in each ring slot
    // ring slot of the horizontally blurred border row yy: 0 outside its near blocks
    auto hrow = [&](int64_t yy) -> int64_t {
      const int64_t slot = yy % slots;
      if (held[slot] != yy) {
        held[slot] = yy;
        float* t = ring.data() + slot * wb;
        uint64_t* m = near.data() + slot * nw;
        std::copy(m, m + nw, stale.begin());
        border_row(labels, yy, b);
        for (int64_t x = -r; x < 0; ++x) b[x] = b[reflect(x, w)];
        for (int64_t x = w; x < w + r; ++x) b[x] = b[reflect(x, w)];
        near_blocks(bytes.data(), nb, r, any.data(), m);
        for (int64_t i = 0; i < nw; ++i) stale[i] &= ~m[i];  // the previous row's blocks this one does not overwrite
        for_blocks(stale.data(), nw, [&](int64_t x) { std::fill_n(t + x, kBlock, 0.0f); });
        if (std::all_of(m, m + nw, [](uint64_t v) { return v == 0; })) return slot;  // all 0 now
        widen(bytes.data(), masks.data(), wb + 2 * r);
        if (k.size() == 9)
          hblur9(t, masks.data(), k.data(), m, nw);
        else
          hblurn(t, masks.data(), k.data(), static_cast<int>(n), m, nw);
      }
      return slot;
    };
    for (int64_t y = y0; y < y1; ++y) {
      std::fill(vnear.begin(), vnear.end(), 0);
      for (int64_t j = -r; j <= r; ++j) {
        const int64_t slot = hrow(reflect(y + j, h));
        rows[j + r] = ring.data() + slot * wb;
        for (int64_t i = 0; i < nw; ++i) vnear[i] |= near[slot * nw + i];
      }
      float* o = out.row(y);
      std::fill(o, o + w, 0.0f);  // the whole row, then the blocks near a border
      if (k.size() == 9)
        vblur9(o, rows.data(), k.data(), vnear.data(), nw, w);
      else
        vblurn(o, rows.data(), k.data(), static_cast<int>(n), vnear.data(), nw, w);
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
