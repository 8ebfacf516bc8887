// libFuzzer target: augmented training ROIs behind native/napi/augment.cpp (augmentRois),
// with fuzzer-chosen sources (size, pixels, labels, zoom), ROI plan, seed and augmentation
// config (see fuzz_common.hpp for what counts as a finding).
//
// The config is drawn from what an augment config file can hold after validateConfig
// (lib/augment/config.ts) accepts it: roi a whole number in [16, 2048] (kept <= 64 here for
// speed), shoulder in [0, 128], probabilities in [0, 1], every range finite with
// min <= max, medianK within [1, 7], claheTiles[0] >= 1; the op weights are not checked
// there, so they take any value. It then goes through the binding's config_from
// (native/napi/augment.cpp: int fields by static_cast<int>), modelled below.
#include "nucseg/numbers.hpp"
#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "fuzz_common.hpp"
#include "nucseg/augment.hpp"

using namespace nucseg;
using namespace nucseg::fuzz;

namespace {

// A finite double: mostly "interesting" (0, +-1, +-1e300, ...), never NaN or inf.
double finite(Reader& r) {
  const double d = r.interesting();
  return std::isfinite(d) ? d : 1.0;
}

// A [min, max] range: from the default range (perturbed) or from two finite values.
void read_range(Reader& r, double* out, double lo, double hi) {
  const uint8_t mode = r.u8();
  double a, b;
  if (mode < 160) {
    a = lo + (hi - lo) * (r.u8() / 255.0);
    b = lo + (hi - lo) * (r.u8() / 255.0);
  } else {
    a = finite(r);
    b = finite(r);
  }
  if (a > b) std::swap(a, b);
  out[0] = a;
  out[1] = b;
}

// An integer range as validateConfig bounds it (lower end >= min_lo, upper end <= max_hi),
// through the binding's int_range (native/napi/augment.cpp): static_cast<int> of each end.
// Returns false to skip the input (a known finding, see known()).
bool read_int_range(Reader& r, int* out, double lo, double hi, double min_lo, double max_hi) {
  double d[2];
  read_range(r, d, lo, hi);
  d[0] = std::clamp(d[0], min_lo, max_hi);
  d[1] = std::clamp(d[1], d[0], max_hi);
  // the binding's conversion (int_from_double; the finding augment-int-range-cast is fixed there)
  out[0] = int_from_double(d[0]);
  out[1] = int_from_double(d[1]);
  return true;
}

double weight(Reader& r) {
  const uint8_t m = r.u8();
  if (m < 200) return m % 4;  // 0 disables an op
  return r.interesting();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader r(data, size);
  const int threads = read_threads(r);
  AugmentConfig c;
  c.roi = 16 + r.u8() % 49;
  c.shoulder = r.u8() < 230 ? r.u8() % 17 : r.u8() % 129;
  const uint8_t bools = r.u8();
  c.rotate45 = bools & 1;
  c.flips = bools & 2;
  c.p_contrast = r.in_range(0, 1);
  c.p_blur = r.in_range(0, 1);
  c.p_noise = r.in_range(0, 1);
  c.w_clahe = weight(r);
  c.w_gamma = weight(r);
  c.w_saturation = weight(r);
  c.w_multiply = weight(r);
  c.w_gaussian = weight(r);
  c.w_median = weight(r);
  c.w_gauss_noise = weight(r);
  c.w_poisson = weight(r);
  c.w_impulse = weight(r);
  c.w_dropout = weight(r);
  read_range(r, c.clahe_clip, 1, 4);
  if (!read_int_range(r, c.clahe_tiles, 4, 12, 1, std::numeric_limits<double>::max())) return 0;
  read_range(r, c.gamma, 0.6, 1.6);
  read_range(r, c.saturation, 95, 99.9);
  // augment-saturation-cast: augment_rois computes static_cast<int64_t>(p / 100 * (n - 1))
  // for a percentile p drawn from saturation; [-1e300, 0] passes validateConfig (UB)
  // (fixed: augment_rois clamps the percentile to [0, 100])
  read_range(r, c.multiply, 0.6, 1.4);
  read_range(r, c.gaussian_sigma, 0.5, 2);
  // augment-gaussian-sigma: gaussian_kernel (native/src/filters.cpp) computes
  // static_cast<int>(4 * sigma + 0.5); a sigma the int cannot hold is UB, and the kernel
  // vector / taps go wild (SIGSEGV in Node: test/fuzz/crashes/augment-gaussian-sigma.mjs)
  // (fixed: gaussian_kernel refuses sigma x truncate > 100000 with an ArgumentError)
  if (!read_int_range(r, c.median_k, 3, 5, 1, 7)) return 0;
  read_range(r, c.gauss_noise_sigma, 0.01, 0.08);
  read_range(r, c.poisson_peak, 20, 200);
  read_range(r, c.impulse_fraction, 0.001, 0.02);
  read_range(r, c.dropout_fraction, 0.01, 0.1);
  const uint64_t seed = r.u64() & ((uint64_t(1) << 53) - 1);  // augment.ts: safe integer >= 0
  const int64_t first = static_cast<int64_t>(r.u32());

  // sources: Float32 image + Uint32 labels of one size, zoom in (0.01, 100) (binding) from the
  // config's scales (0.05, 8]
  const int nsrc = 1 + r.u8() % 3;
  std::vector<std::vector<float>> images(nsrc);
  std::vector<std::vector<uint32_t>> labels(nsrc);
  std::vector<AugmentSource> sources;
  std::vector<int> set;
  for (int s = 0; s < nsrc; ++s) {
    const uint8_t f = r.u8();
    const int64_t w = 1 + r.u8() % 96, h = 1 + r.u8() % 96;
    const double zoom = (f & 0x80) ? r.in_range(0.0101, 99.99) : r.in_range(0.05, 8);
    images[s].resize(static_cast<size_t>(w * h));
    if (f & 1) {
      r.bytes(images[s].data(), images[s].size() * sizeof(float));  // raw floats: NaN, inf, ...
      // augment-clahe-nan: clahe() (native/src/augment.cpp) indexes its histogram with
      // static_cast<int>(NaN * 256) (UB, INT_MIN on x86: a write far outside it); NaN reaches
      // it from NaN / inf source pixels (normalizeImage keeps NaN)
      // (fixed: augment_rois maps NaN to 0 before CLAHE; nucseg augment refuses NaN fields)
    } else {
      for (auto& v : images[s]) v = r.u8() / 255.0f;
    }
    labels[s] = read_pixels<uint32_t>(r, Size{w, h});
    fold_labels(labels[s], f >> 1);
    sources.push_back({images[s].data(), labels[s].data(), w, h, (f >> 3) & 1, zoom});
    set.push_back((f >> 4) & 1);
  }
  const int64_t count = 1 + r.u8() % 3;
  std::vector<uint8_t> roi_set(static_cast<size_t>(count)), roi_split(static_cast<size_t>(count));
  for (int64_t k = 0; k < count; ++k) {
    const uint8_t b = r.u8();
    roi_set[k] = b & 1;
    roi_split[k] = (b >> 1) & 1;
    if (b >= 250) roi_set[k] = b;  // a set without sources
  }
  const size_t px = static_cast<size_t>(c.roi) * c.roi;
  std::vector<float> image(px * count), distance(px * count), border(px * count);
  std::vector<uint16_t> lab(px * count), image16(px * count);
  std::vector<RoiOut> out(static_cast<size_t>(count));
  const bool want16 = bools & 4;
  for (int64_t k = 0; k < count; ++k) {
    out[k] = {image.data() + k * px, lab.data() + k * px, distance.data() + k * px, border.data() + k * px};
    if (want16) {
      out[k].image_u16 = image16.data() + k * px;
      out[k].image_levels = static_cast<float>(1 + r.u16());
    }
  }
  guarded("augment_rois", [&] { augment_rois(sources, set, roi_set, roi_split, c, seed, first, count, out, threads); });
  return 0;
}
