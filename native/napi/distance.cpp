#include "nucseg/distance.hpp"

#include "nucseg/gpu.hpp"

#include "bindings.hpp"
#include "convert.hpp"

namespace nucseg::napi {
namespace {

// distanceTransform(mask u8, threads) -> Float32 image
Napi::Value DistanceTransform(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    auto mask = image_arg<uint8_t>(env, info[0], "distanceTransform: mask");
    auto out = out_image<float>(env, mask.width, mask.height);
    if (use_cuda(env, info, 2, mask.pixels()))
      gpu::distance_transform(mask, out.view);
    else
      distance_transform(mask, out.view, threads_arg(info, 1));
    return image_object(env, out.array, mask.width, mask.height);
  });
}

// normalizedDistance(labels u16|u32, threads, out f32?) -> Float32 image (the FPN2-WS distance target)
Napi::Value NormalizedDistance(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    return with_image<uint16_t, uint32_t>(env, info[0], "normalizedDistance: labels", [&](auto v) -> Napi::Value {
      auto out = out_arg<float>(env, info[2], v.width, v.height, "normalizedDistance: out");
      require_disjoint(env, out.view, v, "normalizedDistance: out");
      normalized_distance(v, out.view, threads_arg(info, 1));
      return image_object(env, out.array, v.width, v.height);
    });
  });
}

}  // namespace

void register_distance(Napi::Env env, Napi::Object exports) {
  exports.Set("distanceTransform", Napi::Function::New(env, DistanceTransform, "distanceTransform"));
  exports.Set("normalizedDistance", Napi::Function::New(env, NormalizedDistance, "normalizedDistance"));
}

}  // namespace nucseg::napi
