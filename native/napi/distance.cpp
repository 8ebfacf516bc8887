#include "nucseg/distance.hpp"

#include "nucseg/filters.hpp"
#include "nucseg/gpu.hpp"

#include "bindings.hpp"
#include "convert.hpp"

namespace nucseg::napi {
namespace {

// distanceTransform(mask u8, threads) -> Float32 image
Napi::Value DistanceTransform(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    if (array_type(info[0]) != napi_uint8_array) throw Napi::TypeError::New(env, "distanceTransform: mask must be a Uint8Array");
    auto mask = image_arg<uint8_t>(env, info[0], "mask");
    auto out = out_image<float>(env, mask.width, mask.height);
    if (use_cuda(env, info, 2, mask.pixels()))
      gpu::distance_transform(mask, out.view);
    else
      distance_transform(mask, out.view, threads_arg(info, 1));
    return image_object(env, out.array, mask.width, mask.height);
  });
}

template <typename F>
Napi::Value labels_to_float(const Napi::CallbackInfo& info, const char* name, F&& f) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    auto t = array_type(info[0]);
    const int64_t w = image_width(info[0]), h = image_height(info[0]);
    auto out = out_image<float>(env, w, h);
    if (t == napi_uint16_array)
      f(image_arg<uint16_t>(env, info[0], "labels"), out.view);
    else if (t == napi_uint32_array)
      f(image_arg<uint32_t>(env, info[0], "labels"), out.view);
    else
      throw Napi::TypeError::New(env, std::string(name) + ": labels must be Uint16Array or Uint32Array, not " + type_name(t));
    return image_object(env, out.array, w, h);
  });
}

// normalizedDistance(labels, threads)
Napi::Value NormalizedDistance(const Napi::CallbackInfo& info) {
  return labels_to_float(info, "normalizedDistance", [&](auto v, ImageView<float> o) { normalized_distance(v, o, threads_arg(info, 1)); });
}

// blurredBorder(labels, sigma, threads)
Napi::Value BlurredBorder(const Napi::CallbackInfo& info) {
  const double sigma = info[1].ToNumber().DoubleValue();
  return labels_to_float(info, "blurredBorder", [&](auto v, ImageView<float> o) { blurred_border(v, o, sigma, threads_arg(info, 2)); });
}

}  // namespace

void register_distance(Napi::Env env, Napi::Object exports) {
  exports.Set("distanceTransform", Napi::Function::New(env, DistanceTransform, "distanceTransform"));
  exports.Set("normalizedDistance", Napi::Function::New(env, NormalizedDistance, "normalizedDistance"));
  exports.Set("blurredBorder", Napi::Function::New(env, BlurredBorder, "blurredBorder"));
}

}  // namespace nucseg::napi
