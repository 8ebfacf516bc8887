// Binary morphology with a disk structuring element (x² + y² <= r²), exact for any radius,
// via squared Euclidean distance transforms. Outside the image neither grows nor erodes
// (scikit-image's binary_* behaviour).
#pragma once
#include <cstdint>

#include "nucseg/image.hpp"

namespace nucseg {

void binary_dilate(ImageView<const uint8_t> in, ImageView<uint8_t> out, double radius, int threads);
void binary_erode(ImageView<const uint8_t> in, ImageView<uint8_t> out, double radius, int threads);
void binary_open(ImageView<const uint8_t> in, ImageView<uint8_t> out, double radius, int threads);
void binary_close(ImageView<const uint8_t> in, ImageView<uint8_t> out, double radius, int threads);

}  // namespace nucseg
