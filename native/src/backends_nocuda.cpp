// Built when CUDA is not compiled in.
#include "nucseg/backends.hpp"

namespace nucseg {
CudaInfo cuda_info() { return CudaInfo{}; }
}  // namespace nucseg
