// Smoothing, thresholding and the FPN2-WS border target.
#pragma once
#include <cstdint>

#include "nucseg/image.hpp"

namespace nucseg {

// Separable Gaussian blur into float32. Radius = int(truncate * sigma + 0.5) taps each side
// (SciPy's rule: sigma 1, truncate 4 -> 9 taps); border mode 'reflect' (d c b a | a b c d,
// OpenCV BORDER_REFLECT). sigma <= 0 copies.
template <typename T>
void gaussian_blur(ImageView<const T> in, ImageView<float> out, double sigma, double truncate, int threads);

// Median of the k x k window (k odd, 1..7), border replicated (OpenCV's medianBlur rule).
template <typename T>
void median_blur(ImageView<const T> in, ImageView<T> out, int k, int threads);

// Otsu's threshold, as scikit-image computes it: integer images use one bin per value in
// [min, max], float images 256 bins over [min, max]; returns the bin centre maximizing the
// between-class variance. Foreground is value > threshold. Constant images return that value.
template <typename T>
double otsu_threshold(ImageView<const T> in);

// The FPN2-WS border target: pixels of a nucleus with a 4-neighbour of another label or of
// background (the image edge does not count) as 1, else 0, then Gaussian-blurred (sigma,
// 4-sigma truncation, reflect border). Matches skimage find_boundaries(mode='inner') +
// scipy gaussian_filter.
template <typename T>
void blurred_border(ImageView<const T> labels, ImageView<float> out, double sigma, int threads);

}  // namespace nucseg
