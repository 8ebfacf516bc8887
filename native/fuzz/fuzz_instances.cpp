// libFuzzer target: Mask R-CNN post-processing behind native/napi/instances.cpp
// (pasteInstances, mergeTileInstances), with fuzzer-chosen detections, mask grids, canvas and
// tile sizes and tile positions (see fuzz_common.hpp for what counts as a finding).
#include <cstdint>
#include <limits>
#include <vector>

#include "fuzz_common.hpp"
#include "nucseg/instances.hpp"

using namespace nucseg;
using namespace nucseg::fuzz;

namespace {

// A float for a coordinate or a probability: raw bits (NaN, inf, 1e38 ...) or a value on a
// grid around [-0.5, 1.5] x `scale`, where boxes and masks are meaningful.
float read_value(Reader& r, bool raw, double scale) {
  if (raw) return r.f32();
  return static_cast<float>((static_cast<int>(r.u8()) - 64) * scale / 128.0);
}

// pasteInstances(boxes, scores, masks, maskSize, width, height, scoreThr, maskThr):
// lib/kernels/instances.ts checks width/height are whole numbers >= 1; the binding checks
// maskSize in [1, 4096], the array lengths, and w*h <= 2^31.
void paste(Reader& r) {
  const uint8_t flags = r.u8();
  int64_t count = r.u8() % 33;
  const int64_t m = (flags & 0x40) ? 1 + r.u16() % 4096 : 1 + r.u8() % 40;
  int64_t w = 1 + r.u16() % 1024, h = 1 + r.u16() % 1024;
  if (w * h > kMaxPixels) h = std::max<int64_t>(1, kMaxPixels / w);
  if (count * m * m > (int64_t(1) << 20)) count = (int64_t(1) << 20) / (m * m);
  const float score_thr = static_cast<float>(r.interesting());
  const float mask_thr = static_cast<float>(r.interesting());
  std::vector<float> boxes(static_cast<size_t>(count * 4)), scores(static_cast<size_t>(count)), masks(static_cast<size_t>(count * m * m));
  for (auto& s : scores) s = read_value(r, flags & 1, 1.0);
  for (int64_t i = 0; i < count; ++i)
    for (int c = 0; c < 4; ++c) boxes[static_cast<size_t>(4 * i + c)] = read_value(r, flags & 2, static_cast<double>(c % 2 ? h : w));
  if (flags & 4) {
    r.bytes(masks.data(), masks.size() * sizeof(float));
  } else {
    for (auto& v : masks) v = r.u8() / 255.0f;
  }
  Detections det;
  det.boxes = boxes.data();
  det.scores = scores.data();
  det.masks = masks.data();
  det.count = count;
  det.mask_size = m;
  guarded("paste_instances", [&] {
    Image<uint32_t> out(w, h);
    paste_instances(det, score_thr, mask_thr, out.view());
  });
}

// A JS number through Napi ToNumber().Int64Value() (napi_get_value_int64): NaN and
// infinities -> 0, finite values out of range -> saturated.
int64_t js_int64(double d) {
  if (!std::isfinite(d)) return 0;
  if (d >= 9223372036854775807.0) return std::numeric_limits<int64_t>::max();
  if (d <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(d);
}

// mergeTileInstances(canvas, tile, x0, y0, nextId, minOverlap): the wrapper checks only
// minOverlap in (0, 1]; x0, y0 reach the kernel as any int64, nextId as any uint32.
void merge(Reader& r) {
  const uint8_t flags = r.u8();
  const Size cs = read_size(r), ts = read_size(r);
  int64_t x0, y0;
  if (flags & 1) {
    x0 = js_int64(r.interesting() * 65536.0);
    y0 = js_int64(r.interesting() * 65536.0);
  } else {
    x0 = static_cast<int8_t>(r.u8());
    y0 = static_cast<int8_t>(r.u8());
  }
  uint32_t next_id = (flags & 2) ? r.u32() : 1 + r.u8();
  const double min_overlap = r.in_range(1e-6, 1.0);
  auto canvas = read_pixels<uint32_t>(r, cs);
  auto tile = read_pixels<uint32_t>(r, ts);
  fold_labels(canvas, flags >> 2);
  fold_labels(tile, flags >> 4);
  // merge-offset-overflow: merge_tile_instances computes x0 + tile.width (y0 + tile.height)
  // in int64 before comparing with the canvas; x0 near INT64_MAX overflows (UB) and the
  // wrapped sum passes the check.
  // (fixed: merge_tile_instances compares without adding)
  guarded("merge_tile_instances", [&] {
    merge_tile_instances(ImageView<uint32_t>(canvas.data(), cs.w, cs.h), ImageView<const uint32_t>(tile.data(), ts.w, ts.h), x0, y0,
                         next_id, min_overlap);
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader r(data, size);
  if (r.u8() & 1) merge(r);
  else paste(r);
  return 0;
}
