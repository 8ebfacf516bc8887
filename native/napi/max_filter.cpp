#include "nucseg/max_filter.hpp"

#include "bindings.hpp"
#include "convert.hpp"

namespace nucseg::napi {
namespace {

// maxFilter(image f32, radius, threads) -> Float32 image
Napi::Value MaxFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    auto in = image_arg<float>(env, info[0], "maxFilter: image");
    auto out = out_image<float>(env, in.width, in.height);
    max_filter(in, out.view, info[1].ToNumber().Int32Value(), threads_arg(info, 2));
    return image_object(env, out.array, in.width, in.height);
  });
}

}  // namespace

void register_max_filter(Napi::Env env, Napi::Object exports) {
  exports.Set("maxFilter", Napi::Function::New(env, MaxFilter, "maxFilter"));
}

}  // namespace nucseg::napi
