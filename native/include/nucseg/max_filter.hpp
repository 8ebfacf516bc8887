// Grey-level maximum filter (the local-maxima test of the classic model's seeds).
#pragma once
#include <cstdint>

#include "nucseg/image.hpp"

namespace nucseg {

// Maximum over the (2r+1) x (2r+1) square around each pixel (border: only pixels inside the
// image count), in O(1) per pixel per axis (van Herk / Gil-Werman).
void max_filter(ImageView<const float> in, ImageView<float> out, int radius, int threads);

}  // namespace nucseg
