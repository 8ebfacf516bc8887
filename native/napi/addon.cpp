// Module entry: registers every kernel family's bindings.
#include "bindings.hpp"


namespace nucseg::napi {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  register_info(env, exports);
  register_overlap(env, exports);
  register_components(env, exports);
  register_distance(env, exports);
  register_filters(env, exports);
  register_morphology(env, exports);
  register_resize(env, exports);
  register_max_filter(env, exports);
  register_watershed(env, exports);
  register_measure(env, exports);
  register_augment(env, exports);
  register_instances(env, exports);
  return exports;
}

}  // namespace nucseg::napi

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return nucseg::napi::Init(env, exports); }
NODE_API_MODULE(nucseg, InitModule)
