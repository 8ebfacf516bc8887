// Built when CUDA is not compiled in: no devices, and the GPU entry points refuse.
#include "nucseg/backends.hpp"
#include "nucseg/gpu.hpp"

namespace nucseg {
CudaInfo cuda_info() { return CudaInfo{}; }

namespace gpu {
namespace {
[[noreturn]] void unavailable() { throw ArgumentError("this nucseg build has no CUDA kernels (built without nvcc)"); }
}  // namespace

template <typename G, typename P>
std::vector<std::pair<uint64_t, uint64_t>> label_overlap_counts(ImageView<const G>, ImageView<const P>, Timing*) {
  unavailable();
}
template std::vector<std::pair<uint64_t, uint64_t>> label_overlap_counts<uint16_t, uint16_t>(ImageView<const uint16_t>, ImageView<const uint16_t>, Timing*);
template std::vector<std::pair<uint64_t, uint64_t>> label_overlap_counts<uint16_t, uint32_t>(ImageView<const uint16_t>, ImageView<const uint32_t>, Timing*);
template std::vector<std::pair<uint64_t, uint64_t>> label_overlap_counts<uint32_t, uint16_t>(ImageView<const uint32_t>, ImageView<const uint16_t>, Timing*);
template std::vector<std::pair<uint64_t, uint64_t>> label_overlap_counts<uint32_t, uint32_t>(ImageView<const uint32_t>, ImageView<const uint32_t>, Timing*);

uint32_t connected_components(ImageView<const uint8_t>, ImageView<uint32_t>, int, Timing*) { unavailable(); }
void distance_transform(ImageView<const uint8_t>, ImageView<float>, Timing*) { unavailable(); }
}  // namespace gpu
}  // namespace nucseg
