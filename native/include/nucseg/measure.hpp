// Per-nucleus measurements for the segmentation tables (CellProfiler-style).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "nucseg/image.hpp"

namespace nucseg {

struct Measurements {
  std::vector<uint32_t> ids;             // label ids, ascending
  std::vector<double> area;              // pixels
  std::vector<double> cx, cy;            // centroid (pixel centres at integer coordinates)
  std::vector<int32_t> x0, y0, x1, y1;   // bounding box, inclusive
  std::vector<double> mu20, mu02, mu11;  // central second moments / area (pixel-centre convention)
  std::vector<double> hull_area;         // area of the convex hull of the pixel squares
  std::vector<double> intensity_sum, intensity_min, intensity_max;
  std::vector<uint8_t> touches_border;   // any pixel on the image edge
};

// One pass over `labels` (and `intensity`, optional: without it the intensity columns are 0)
// plus a convex hull per label from its row extremes. Works for any ids. An intensity image
// of another size than `labels` is an ArgumentError (checked here, not only by the binding).
template <typename L, typename I>
Measurements measure_regions(ImageView<const L> labels, std::optional<ImageView<const I>> intensity, int threads);

}  // namespace nucseg
