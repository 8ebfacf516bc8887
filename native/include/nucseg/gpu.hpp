// CUDA versions of the kernels that pay on a GPU. Built when nvcc is found; in a build
// without CUDA these throw. Callers use them only when cuda_usable() (backends.hpp) and
// the image is large enough; each gives exactly the CPU result (components in raster order
// too). Timings, if non-null, receive milliseconds for the kernels alone and end to end
// (with host-device copies).
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "nucseg/image.hpp"

namespace nucseg::gpu {

struct Timing {
  double kernel_ms = 0;
  double total_ms = 0;
};

// Raw (gt << 32 | pred, count) entries of the overlap histogram; feed overlap_from_counts().
template <typename G, typename P>
std::vector<std::pair<uint64_t, uint64_t>> label_overlap_counts(ImageView<const G> gt, ImageView<const P> pred,
                                                                Timing* t = nullptr);

// Same contract as connected_components() (without stats).
uint32_t connected_components(ImageView<const uint8_t> mask, ImageView<uint32_t> labels, int connectivity,
                              Timing* t = nullptr);

// Same contract as distance_transform().
void distance_transform(ImageView<const uint8_t> mask, ImageView<float> out, Timing* t = nullptr);

}  // namespace nucseg::gpu
