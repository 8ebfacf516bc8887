// libFuzzer target: the image kernels behind the N-API bindings of native/napi/{components,
// distance,filters,measure,overlap,watershed}.cpp, on images of fuzzer-chosen size and
// content (see fuzz_common.hpp for what counts as a finding).
//
// Input: op (1 byte), then the op's parameters and images as read below. Images are read as
// a size (read_size) followed by w*h raw elements; labels are optionally folded to a few ids.
// Parameters the JS wrappers (lib/kernels/*.ts) bound are drawn inside those bounds; ones
// they pass through unchecked are drawn from the whole range the binding accepts.
#include "nucseg/numbers.hpp"
#include <cstdint>
#include <vector>

#include "fuzz_common.hpp"
#include "nucseg/components.hpp"
#include "nucseg/distance.hpp"
#include "nucseg/filters.hpp"
#include "nucseg/max_filter.hpp"
#include "nucseg/measure.hpp"
#include "nucseg/morphology.hpp"
#include "nucseg/overlap.hpp"
#include "nucseg/resize.hpp"
#include "nucseg/watershed.hpp"

using namespace nucseg;
using namespace nucseg::fuzz;

namespace {

enum Op : uint8_t {
  kConnectedComponents,
  kRegionStats,
  kRelabelSequential,
  kRemoveByArea,
  kFillHoles,
  kKeepLargest,
  kDistanceTransform,
  kNormalizedDistance,
  kBlurredBorder,
  kWatershed,
  kLabelOverlap,
  kResize,
  kGaussianBlur,
  kMedianBlur,
  kOtsu,
  kMorphology,
  kMeasureRegions,
  kMaxFilter,
  kOpCount
};

// Connectivity: the wrappers allow 4 or 8; the kernel must reject anything else itself.
int read_connectivity(Reader& r) {
  const uint8_t c = r.u8();
  if (c < 120) return 4;
  if (c < 240) return 8;
  return static_cast<int8_t>(c);
}

// --- label kernels (uint16 / uint32), as on_labels / edited_copy / labels_to_float do -----
template <typename T>
void label_ops(Op op, Reader& r) {
  const int threads = read_threads(r);
  const uint8_t fold = r.u8();
  const Size s = read_size(r);
  auto px = read_pixels<T>(r, s);
  fold_labels(px, fold);
  ImageView<const T> in(px.data(), s.w, s.h);
  switch (op) {
    case kRegionStats:
      guarded("region_stats", [&] { region_stats(in, threads); });
      break;
    case kRelabelSequential:
      guarded("relabel_sequential", [&] {
        std::vector<T> copy(px);
        std::vector<uint32_t> old;
        relabel_sequential(ImageView<T>(copy.data(), s.w, s.h), &old, threads);
      });
      break;
    case kRemoveByArea: {
      // removeSmallObjects(minArea >= 0) / removeLargeObjects(maxArea >= 1), then the
      // binding's static_cast<uint64_t>(std::max(0.0, x)) (native/napi/components.cpp).
      const bool small = r.u8() & 1;
      const double a = r.interesting();
      if (small ? !(a >= 0) : !(a >= 1)) return;
      // the binding's conversion (area_from_double; the finding remove-area-cast is fixed there)
      const uint64_t mn = small ? area_from_double(a) : 0;
      const uint64_t mx = small ? 0 : area_from_double(a);
      guarded("remove_objects_by_area", [&] {
        std::vector<T> copy(px);
        remove_objects_by_area(ImageView<T>(copy.data(), s.w, s.h), mn, mx, threads);
      });
      break;
    }
    case kFillHoles:
      guarded("fill_holes", [&] {
        std::vector<T> copy(px);
        fill_holes(ImageView<T>(copy.data(), s.w, s.h), threads);
      });
      break;
    case kKeepLargest:
      guarded("keep_largest_component", [&] {
        std::vector<T> copy(px);
        keep_largest_component(ImageView<T>(copy.data(), s.w, s.h), threads);
      });
      break;
    case kNormalizedDistance:
      guarded("normalized_distance", [&] {
        Image<float> out(s.w, s.h);
        normalized_distance(in, out.view(), threads);
      });
      break;
    case kBlurredBorder: {
      const double sigma = r.in_range(0, 100);  // lib/kernels/distance.ts: [0, 100]
      guarded("blurred_border", [&] {
        Image<float> out(s.w, s.h);
        blurred_border(in, out.view(), sigma, threads);
      });
      break;
    }
    case kMeasureRegions: {
      // measureRegions(labels, intensity | null): intensity the same size, u8 / u16 / f32
      const uint8_t it = r.u8() % 4;
      if (it == 0) {
        guarded("measure_regions", [&] { measure_regions<T, float>(in, std::nullopt, threads); });
      } else if (it == 1) {
        auto ip = read_pixels<uint8_t>(r, s);
        guarded("measure_regions", [&] { measure_regions<T, uint8_t>(in, ImageView<const uint8_t>(ip.data(), s.w, s.h), threads); });
      } else if (it == 2) {
        auto ip = read_pixels<uint16_t>(r, s);
        guarded("measure_regions", [&] { measure_regions<T, uint16_t>(in, ImageView<const uint16_t>(ip.data(), s.w, s.h), threads); });
      } else {
        auto ip = read_pixels<float>(r, s);
        guarded("measure_regions", [&] { measure_regions<T, float>(in, ImageView<const float>(ip.data(), s.w, s.h), threads); });
      }
      break;
    }
    default:
      break;
  }
}

// --- labelOverlap: gt and pred of any label type; the wrapper requires equal sizes, the
// kernel checks it again (a mismatch is drawn now and then to test that check) -----------
template <typename G, typename P>
void overlap_op(Reader& r, int threads, uint8_t fold, Size s) {
  auto g = read_pixels<G>(r, s);
  fold_labels(g, fold);
  Size sp = s;
  if (r.u8() == 0xff) sp = read_size(r);
  auto p = read_pixels<P>(r, sp);
  fold_labels(p, fold >> 2);
  guarded("label_overlap", [&] {
    label_overlap<G, P>(ImageView<const G>(g.data(), s.w, s.h), ImageView<const P>(p.data(), sp.w, sp.h), threads);
  });
}

// --- gray kernels (uint8 / uint16 / float32), as on_gray does ---------------------------
template <typename T>
void gray_ops(Op op, Reader& r, int threads, Size s) {
  auto px = read_pixels<T>(r, s);
  ImageView<const T> in(px.data(), s.w, s.h);
  switch (op) {
    case kGaussianBlur: {
      const double sigma = r.in_range(0, 100), truncate = r.in_range(1e-6, 10);  // filters.ts
      guarded("gaussian_blur", [&] {
        Image<float> out(s.w, s.h);
        gaussian_blur(in, out.view(), sigma, truncate, threads);
      });
      break;
    }
    case kMedianBlur: {
      static const int ks[] = {1, 3, 5, 7};
      const int k = ks[r.u8() % 4];
      guarded("median_blur", [&] {
        Image<T> out(s.w, s.h);
        median_blur(in, out.view(), k, threads);
      });
      break;
    }
    case kOtsu:
      if (s.pixels() == 0) return;  // filters.ts: 'otsuThreshold: empty image'
      guarded("otsu_threshold", [&] { otsu_threshold(in); });
      break;
    default:
      break;
  }
}

template <typename E>
void watershed_op(Reader& r, Size s) {
  auto elev = read_pixels<E>(r, s);
  auto markers = read_pixels<uint32_t>(r, s);
  const uint8_t fold = r.u8();
  fold_labels(markers, fold);
  WatershedOptions o;
  o.connectivity = read_connectivity(r);
  o.lines = r.u8() & 1;
  std::vector<uint8_t> mask;
  if (r.u8() & 1) {
    mask = read_pixels<uint8_t>(r, s);
    fold_mask(mask, 1);
    o.mask = ImageView<const uint8_t>(mask.data(), s.w, s.h);
  }
  guarded("watershed", [&] {
    Image<uint32_t> out(s.w, s.h);
    watershed(ImageView<const E>(elev.data(), s.w, s.h), ImageView<const uint32_t>(markers.data(), s.w, s.h), out.view(), o);
  });
}

template <typename T>
void resize_op(Reader& r, int threads, Size s) {
  auto px = read_pixels<T>(r, s);
  // resize.ts: whole numbers > 0; the binding caps each side at 2^20. The output is kept
  // within kMaxPixels here (a large output is a large, legitimate allocation).
  int64_t ow = 1 + r.u16() % kMaxSide, oh = 1 + r.u16() % kMaxSide;
  if (ow * oh > kMaxPixels) oh = std::max<int64_t>(1, kMaxPixels / ow);
  const Interpolation mode = static_cast<Interpolation>(r.u8() % 3);
  guarded("resize", [&] {
    Image<T> out(ow, oh);
    resize(ImageView<const T>(px.data(), s.w, s.h), out.view(), mode, threads);
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader r(data, size);
  const Op op = static_cast<Op>(r.u8() % kOpCount);
  switch (op) {
    case kConnectedComponents: {
      const int threads = read_threads(r);
      const int conn = read_connectivity(r);
      const bool stats = r.u8() & 1;
      const Size s = read_size(r);
      auto m = read_pixels<uint8_t>(r, s);
      fold_mask(m, r.u8());
      guarded("connected_components", [&] {
        Image<uint32_t> out(s.w, s.h);
        RegionStats st;
        connected_components(ImageView<const uint8_t>(m.data(), s.w, s.h), out.view(), conn, threads, stats ? &st : nullptr);
      });
      break;
    }
    case kRegionStats:
    case kRelabelSequential:
    case kRemoveByArea:
    case kFillHoles:
    case kKeepLargest:
    case kNormalizedDistance:
    case kBlurredBorder:
    case kMeasureRegions:
      if (r.u8() & 1) label_ops<uint32_t>(op, r);
      else label_ops<uint16_t>(op, r);
      break;
    case kDistanceTransform: {
      const int threads = read_threads(r);
      const Size s = read_size(r);
      auto m = read_pixels<uint8_t>(r, s);
      fold_mask(m, r.u8());
      guarded("distance_transform", [&] {
        Image<float> out(s.w, s.h);
        distance_transform(ImageView<const uint8_t>(m.data(), s.w, s.h), out.view(), threads);
      });
      break;
    }
    case kWatershed: {
      const uint8_t t = r.u8() % 3;
      const Size s = read_size(r);
      if (t == 0) watershed_op<uint8_t>(r, s);
      else if (t == 1) watershed_op<uint16_t>(r, s);
      else watershed_op<float>(r, s);
      break;
    }
    case kLabelOverlap: {
      const uint8_t t = r.u8();
      const int threads = read_threads(r);
      const uint8_t fold = r.u8();
      const Size s = read_size(r);
      switch (t % 4) {
        case 0: overlap_op<uint16_t, uint16_t>(r, threads, fold, s); break;
        case 1: overlap_op<uint16_t, uint32_t>(r, threads, fold, s); break;
        case 2: overlap_op<uint32_t, uint16_t>(r, threads, fold, s); break;
        default: overlap_op<uint32_t, uint32_t>(r, threads, fold, s); break;
      }
      break;
    }
    case kResize: {
      const uint8_t t = r.u8() % 4;
      const int threads = read_threads(r);
      const Size s = read_size(r);
      if (t == 0) resize_op<uint8_t>(r, threads, s);
      else if (t == 1) resize_op<uint16_t>(r, threads, s);
      else if (t == 2) resize_op<uint32_t>(r, threads, s);
      else resize_op<float>(r, threads, s);
      break;
    }
    case kGaussianBlur:
    case kMedianBlur:
    case kOtsu: {
      const uint8_t t = r.u8() % 3;
      const int threads = read_threads(r);
      const Size s = read_size(r);
      if (t == 0) gray_ops<uint8_t>(op, r, threads, s);
      else if (t == 1) gray_ops<uint16_t>(op, r, threads, s);
      else gray_ops<float>(op, r, threads, s);
      break;
    }
    case kMorphology: {
      const uint8_t which = r.u8() % 4;
      const int threads = read_threads(r);
      const double radius = r.u8() < 200 ? r.in_range(0, 16) : r.in_range(0, 10000);  // morphology.ts: [0, 10000]
      const Size s = read_size(r);
      auto m = read_pixels<uint8_t>(r, s);
      fold_mask(m, r.u8());
      guarded("binary_morphology", [&] {
        ImageView<const uint8_t> in(m.data(), s.w, s.h);
        Image<uint8_t> out(s.w, s.h);
        if (which == 0) binary_dilate(in, out.view(), radius, threads);
        else if (which == 1) binary_erode(in, out.view(), radius, threads);
        else if (which == 2) binary_open(in, out.view(), radius, threads);
        else binary_close(in, out.view(), radius, threads);
      });
      break;
    }
    case kMaxFilter: {
      const int threads = read_threads(r);
      const int radius = r.u8() < 200 ? r.u8() % 20 : r.u16() % 1001;  // measure.ts: whole number in [0, 1000]
      const Size s = read_size(r);
      auto px = read_pixels<float>(r, s);
      guarded("max_filter", [&] {
        Image<float> out(s.w, s.h);
        max_filter(ImageView<const float>(px.data(), s.w, s.h), out.view(), radius, threads);
      });
      break;
    }
    default:
      break;
  }
  return 0;
}
