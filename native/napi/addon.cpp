// Module entry: registers every kernel family's bindings.
#include "bindings.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace nucseg::napi {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
#if defined(__GLIBC__)
  // Kernels allocate image-sized scratch buffers (hundreds of KB) per call, many times per
  // second in `augment`. glibc's defaults return such memory to the kernel on free (mmap
  // threshold, heap trimming), so every call page-faulted and zeroed fresh pages: 22 % of
  // augmentation time. Keep freed memory for reuse instead (up to 256 MB per arena top).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
  register_info(env, exports);
  register_overlap(env, exports);
  register_components(env, exports);
  register_distance(env, exports);
  register_filters(env, exports);
  register_watershed(env, exports);
  register_measure(env, exports);
  register_augment(env, exports);
  register_instances(env, exports);
  return exports;
}

}  // namespace nucseg::napi

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return nucseg::napi::Init(env, exports); }
NODE_API_MODULE(nucseg, InitModule)
