// Mask R-CNN post-processing: box-relative instance masks into label images, and instances of
// overlapping tiles merged into one label image.
#pragma once
#include <cstdint>

#include "nucseg/image.hpp"

namespace nucseg {

// Detections of one image: `count` boxes (x0, y0, x1, y1 in pixels, pixel edges), scores, and
// masks of mask_size x mask_size foreground probabilities on a grid spanning each box.
struct Detections {
  const float* boxes = nullptr;
  const float* scores = nullptr;
  const float* masks = nullptr;
  int64_t count = 0;
  int64_t mask_size = 28;
};

// Pastes detections with score >= score_threshold into `labels` (cleared first), best score
// first (stable for equal scores); a pixel already taken keeps its label. A pixel of the box
// belongs to the instance where the mask, sampled bilinearly at the pixel centre (the grid
// padded with one ring of zeros), exceeds mask_threshold. Labels are 1..n in score order;
// boxes with no area are skipped without a label. Returns n. Non-finite values throw.
uint32_t paste_instances(const Detections& det, float score_threshold, float mask_threshold, ImageView<uint32_t> labels);

// Merges the instances of one tile (`tile`, labels 1..k, placed at x0, y0 of `canvas`) into
// the canvas: a tile instance whose pixels overlap one canvas label by at least
// min_overlap x the smaller of the two (measured inside the tile) joins that label, else it
// gets the id next_id++. Either way it only claims canvas pixels that are still 0. Returns
// the next free id.
uint32_t merge_tile_instances(ImageView<uint32_t> canvas, ImageView<const uint32_t> tile, int64_t x0, int64_t y0,
                              uint32_t next_id, double min_overlap);

}  // namespace nucseg
