#include "nucseg/morphology.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include "nucseg/distance.hpp"

namespace nucseg {
namespace {

int64_t radius_sq(double r) {
  if (!(r >= 0)) throw ArgumentError("morphology: radius must be >= 0");
  // disk(r) holds the integer offsets with x² + y² <= r²
  return static_cast<int64_t>(std::floor(r * r + 1e-9));
}

// Squared distance of every pixel to the nearest pixel where mask == target_value.
std::vector<int64_t> sq_dist_to(ImageView<const uint8_t> in, bool to_set, int threads) {
  const int64_t w = in.width, h = in.height;
  std::vector<uint8_t> m(static_cast<size_t>(w * h));
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) m[y * w + x] = ((in.row(y)[x] != 0) == to_set) ? 0 : 1;
  std::vector<int64_t> d(m.size());
  squared_distance_transform(ImageView<const uint8_t>(m.data(), w, h), ImageView<int64_t>(d.data(), w, h), threads);
  return d;
}

}  // namespace

void binary_dilate(ImageView<const uint8_t> in, ImageView<uint8_t> out, double radius, int threads) {
  require_same_size(in, out, "binaryDilate");
  if (in.empty()) return;
  const int64_t r2 = radius_sq(radius), w = in.width;
  auto d = sq_dist_to(in, true, threads);
  for (int64_t y = 0; y < in.height; ++y)
    for (int64_t x = 0; x < w; ++x) out.row(y)[x] = d[y * w + x] <= r2 ? 1 : 0;
}

void binary_erode(ImageView<const uint8_t> in, ImageView<uint8_t> out, double radius, int threads) {
  require_same_size(in, out, "binaryErode");
  if (in.empty()) return;
  const int64_t r2 = radius_sq(radius), w = in.width;
  auto d = sq_dist_to(in, false, threads);
  for (int64_t y = 0; y < in.height; ++y)
    for (int64_t x = 0; x < w; ++x) out.row(y)[x] = (in.row(y)[x] && d[y * w + x] > r2) ? 1 : 0;
}

void binary_open(ImageView<const uint8_t> in, ImageView<uint8_t> out, double radius, int threads) {
  Image<uint8_t> tmp(in.width, in.height);
  binary_erode(in, tmp.view(), radius, threads);
  binary_dilate(tmp.view(), out, radius, threads);
}

void binary_close(ImageView<const uint8_t> in, ImageView<uint8_t> out, double radius, int threads) {
  Image<uint8_t> tmp(in.width, in.height);
  binary_dilate(in, tmp.view(), radius, threads);
  binary_erode(tmp.view(), out, radius, threads);
}

}  // namespace nucseg
