#include "nucseg/resize.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "nucseg/thread_pool.hpp"

namespace nucseg {
namespace {

template <typename T>
inline T cast_out(double v) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(v);
  } else {
    v = std::nearbyint(v);
    v = std::clamp(v, static_cast<double>(std::numeric_limits<T>::lowest()), static_cast<double>(std::numeric_limits<T>::max()));
    return static_cast<T>(v);
  }
}

// Area weights: for each output index, the (source index, weight) list covering it.
struct Taps {
  std::vector<int64_t> start;  // first tap index per output
  std::vector<int64_t> src;
  std::vector<double> weight;
};

Taps area_taps(int64_t in_n, int64_t out_n) {
  Taps t;
  const double scale = static_cast<double>(in_n) / static_cast<double>(out_n);
  for (int64_t o = 0; o < out_n; ++o) {
    t.start.push_back(static_cast<int64_t>(t.src.size()));
    const double a = o * scale, b = (o + 1) * scale;
    for (int64_t s = static_cast<int64_t>(std::floor(a)); s < static_cast<int64_t>(std::ceil(b)); ++s) {
      const double lo = std::max<double>(a, s), hi = std::min<double>(b, s + 1);
      if (hi > lo) {
        t.src.push_back(std::min(s, in_n - 1));
        t.weight.push_back((hi - lo) / scale);
      }
    }
  }
  t.start.push_back(static_cast<int64_t>(t.src.size()));
  return t;
}

Taps linear_taps(int64_t in_n, int64_t out_n) {
  Taps t;
  const double scale = static_cast<double>(in_n) / static_cast<double>(out_n);
  for (int64_t o = 0; o < out_n; ++o) {
    t.start.push_back(static_cast<int64_t>(t.src.size()));
    double s = (o + 0.5) * scale - 0.5;
    s = std::clamp(s, 0.0, static_cast<double>(in_n - 1));
    const int64_t i0 = static_cast<int64_t>(std::floor(s));
    const int64_t i1 = std::min(i0 + 1, in_n - 1);
    const double f = s - i0;
    t.src.push_back(i0);
    t.weight.push_back(1.0 - f);
    t.src.push_back(i1);
    t.weight.push_back(f);
  }
  t.start.push_back(static_cast<int64_t>(t.src.size()));
  return t;
}

}  // namespace

template <typename T>
void resize(ImageView<const T> in, ImageView<T> out, Interpolation mode, int threads) {
  if (in.empty() || out.empty()) throw ArgumentError("resize: empty image");
  const int64_t iw = in.width, ih = in.height, ow = out.width, oh = out.height;
  if (mode == Interpolation::Nearest) {
    std::vector<int64_t> xs(static_cast<size_t>(ow));
    for (int64_t x = 0; x < ow; ++x) xs[x] = std::min<int64_t>(iw - 1, static_cast<int64_t>(std::floor((x + 0.5) * iw / ow)));
    parallel_chunks(oh, resolve_threads(threads), [&](int, int64_t y0, int64_t y1) {
      for (int64_t y = y0; y < y1; ++y) {
        const T* s = in.row(std::min<int64_t>(ih - 1, static_cast<int64_t>(std::floor((y + 0.5) * ih / oh))));
        T* d = out.row(y);
        for (int64_t x = 0; x < ow; ++x) d[x] = s[xs[x]];
      }
    });
    return;
  }
  const bool area = mode == Interpolation::Area && (ow <= iw || oh <= ih);
  const Taps tx = area ? area_taps(iw, ow) : linear_taps(iw, ow);
  const Taps ty = area ? area_taps(ih, oh) : linear_taps(ih, oh);
  // horizontal pass into doubles, then vertical
  std::vector<double> tmp(static_cast<size_t>(ow * ih));
  parallel_chunks(ih, resolve_threads(threads), [&](int, int64_t y0, int64_t y1) {
    for (int64_t y = y0; y < y1; ++y) {
      const T* s = in.row(y);
      double* d = tmp.data() + y * ow;
      for (int64_t x = 0; x < ow; ++x) {
        double acc = 0;
        for (int64_t k = tx.start[x]; k < tx.start[x + 1]; ++k) acc += tx.weight[k] * static_cast<double>(s[tx.src[k]]);
        d[x] = acc;
      }
    }
  });
  parallel_chunks(oh, resolve_threads(threads), [&](int, int64_t y0, int64_t y1) {
    std::vector<double> acc(static_cast<size_t>(ow));
    for (int64_t y = y0; y < y1; ++y) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t k = ty.start[y]; k < ty.start[y + 1]; ++k) {
        const double wgt = ty.weight[k];
        const double* s = tmp.data() + ty.src[k] * ow;
        for (int64_t x = 0; x < ow; ++x) acc[x] += wgt * s[x];
      }
      T* d = out.row(y);
      for (int64_t x = 0; x < ow; ++x) d[x] = cast_out<T>(acc[x]);
    }
  });
}

template void resize<uint8_t>(ImageView<const uint8_t>, ImageView<uint8_t>, Interpolation, int);
template void resize<uint16_t>(ImageView<const uint16_t>, ImageView<uint16_t>, Interpolation, int);
template void resize<uint32_t>(ImageView<const uint32_t>, ImageView<uint32_t>, Interpolation, int);
template void resize<float>(ImageView<const float>, ImageView<float>, Interpolation, int);

}  // namespace nucseg
