// Label overlap: the sparse contingency table of two label images.
#pragma once
#include <cstdint>
#include <vector>

#include "nucseg/image.hpp"

namespace nucseg {

// Every (gt id, pred id) pair that shares at least one pixel, with the shared pixel
// count, plus the area of every label that occurs in either image. Label 0 is
// background: pairs with 0 on one side only feed the areas and are not listed.
// Ids are arbitrary uint32 values (need not be consecutive). Output is sorted by
// (gt, pred) and by id, so it is identical for every thread count.
struct OverlapTable {
  std::vector<uint32_t> pair_gt, pair_pred;  // label ids
  std::vector<uint64_t> pair_count;          // shared pixels
  std::vector<uint32_t> gt_ids, pred_ids;    // sorted ids present in each image
  std::vector<uint64_t> gt_area, pred_area;  // their areas
  std::vector<uint32_t> pair_gt_index, pair_pred_index;  // indices into gt_ids / pred_ids
  std::vector<double> pair_iou;  // intersection / union, exact double division
};

template <typename G, typename P>
OverlapTable label_overlap(ImageView<const G> gt, ImageView<const P> pred, int threads);

// Builds the table from raw (gt << 32 | pred, count) entries in any order, with duplicates
// and (0, 0) allowed (both are merged / dropped). Shared by the CPU and CUDA paths.
OverlapTable overlap_from_counts(std::vector<std::pair<uint64_t, uint64_t>> all);

}  // namespace nucseg
