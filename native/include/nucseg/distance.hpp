// Exact Euclidean distance transforms.
#pragma once
#include <cstdint>

#include "nucseg/image.hpp"

namespace nucseg {

// Distance of every non-zero pixel of `mask` to the nearest zero pixel (0 on zero pixels),
// exact Euclidean, separable (Felzenszwalb–Huttenlocher lower envelope of parabolas).
// Outside the image is NOT background (SciPy's and OpenCV's convention); a mask without any
// zero pixel gives +inf everywhere.
void distance_transform(ImageView<const uint8_t> mask, ImageView<float> out, int threads);

// Squared distances as exact integers (same convention); INT64_MAX where infinite.
void squared_distance_transform(ImageView<const uint8_t> mask, ImageView<int64_t> out, int threads);

// Per nucleus of a label image: the distance of each pixel to the nearest pixel not in
// that nucleus (other nuclei, background, and outside the image all count), divided by the
// nucleus' own maximum, so each nucleus spans (0, 1] with exactly 1 at its maximum. 0 on
// background. This is the FPN2-WS distance target. The column distances (2 bytes per pixel
// of the largest image) are kept by the calling thread and reused by its next call.
template <typename T>
void normalized_distance(ImageView<const T> labels, ImageView<float> out, int threads);

}  // namespace nucseg
