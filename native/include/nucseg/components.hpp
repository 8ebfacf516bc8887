// Connected components and label-image clean-up.
#pragma once
#include <cstdint>
#include <vector>

#include "nucseg/image.hpp"

namespace nucseg {

// Per-label measurements from one pass over a label image (index i describes label i+1
// for sequential labels; see region_stats for arbitrary ids).
struct RegionStats {
  std::vector<uint32_t> ids;  // label id of each region, ascending
  std::vector<uint64_t> area;
  std::vector<int32_t> x0, y0, x1, y1;  // bounding box, inclusive
  std::vector<double> cx, cy;           // centroid (pixel centres at integer coordinates)
};

// Labels the non-zero pixels of `mask` into 4- or 8-connected components. Output labels
// are 1..count in raster order of each component's first pixel; identical for any thread
// count. If `stats` is non-null, fills it for labels 1..count from the runs (no extra pass).
uint32_t connected_components(ImageView<const uint8_t> mask, ImageView<uint32_t> labels, int connectivity,
                              int threads, RegionStats* stats = nullptr);

// Area, bounding box and centroid of every label present (ids need not be consecutive).
template <typename T>
RegionStats region_stats(ImageView<const T> labels, int threads);

// Renumbers labels to 1..N keeping the order of the old ids (0 stays 0). Returns N and
// writes the old id of new label k into old_ids[k-1].
template <typename T>
uint32_t relabel_sequential(ImageView<T> labels, std::vector<uint32_t>* old_ids, int threads);

// Sets to 0 every label whose area is < min_area (when min_area > 0) or > max_area (when
// max_area > 0). Returns the number of labels removed. Other ids are unchanged.
template <typename T>
uint32_t remove_objects_by_area(ImageView<T> labels, uint64_t min_area, uint64_t max_area, int threads);

// Fills holes of each label: background (0) regions enclosed by one label (not touching the
// image edge, 4-connected) take that label. Returns the number of pixels filled.
template <typename T>
uint64_t fill_holes(ImageView<T> labels, int threads);

// Keeps, for each label, only its largest 8-connected piece (ties: the piece met first in
// raster order); other pieces become 0. Returns the number of pixels cleared.
template <typename T>
uint64_t keep_largest_component(ImageView<T> labels, int threads);

}  // namespace nucseg
