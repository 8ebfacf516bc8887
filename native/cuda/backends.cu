// Run-time CUDA discovery. cudart is linked statically, so the addon loads on machines
// without a driver; there cudaGetDeviceCount fails and the CPU path is used.
#include <cuda_runtime.h>

#include "nucseg/backends.hpp"

namespace nucseg {

CudaInfo cuda_info() {
  static const CudaInfo info = [] {
    CudaInfo i;
    i.compiled = true;
    int n = 0;
    cudaError_t err = cudaGetDeviceCount(&n);
    if (err != cudaSuccess) {
      i.error = cudaGetErrorString(err);
      cudaGetLastError();  // clear the sticky error
      return i;
    }
    i.device_count = n;
    if (n > 0) {
      cudaDeviceProp prop{};
      if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess) i.device_name = prop.name;
    }
    return i;
  }();
  return info;
}

}  // namespace nucseg
