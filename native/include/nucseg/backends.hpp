// Which compute backends this build has, and which are usable on this machine.
#pragma once
#include <string>

namespace nucseg {

struct CudaInfo {
  bool compiled = false;    // built with nvcc
  int device_count = 0;     // usable GPUs at run time (0 without a driver or GPU)
  std::string device_name;  // first device, if any
  std::string error;        // why no device was found, if compiled
};

CudaInfo cuda_info();
inline bool cuda_usable() { return cuda_info().device_count > 0; }

}  // namespace nucseg
