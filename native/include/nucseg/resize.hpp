// Image resizing. Pixel centres are aligned (OpenCV's convention): source coordinate of
// output pixel x is (x + 0.5) * in_w / out_w - 0.5.
#pragma once
#include <cstdint>

#include "nucseg/image.hpp"

namespace nucseg {

enum class Interpolation { Nearest, Bilinear, Area };

// Nearest: the source pixel containing the output pixel's centre (labels stay labels).
// Bilinear: border replicated. Area: exact pixel-area averaging (for shrinking; for
// enlarging it equals bilinear-like box sampling). Integer outputs are rounded and clamped.
template <typename T>
void resize(ImageView<const T> in, ImageView<T> out, Interpolation mode, int threads);

}  // namespace nucseg
