#include "nucseg/filters.hpp"

#include "bindings.hpp"
#include "convert.hpp"

namespace nucseg::napi {
namespace {

// Calls f(view, tag) for a uint8, uint16 or float32 image.
template <typename F>
Napi::Value on_gray(const Napi::CallbackInfo& info, const char* name, F&& f) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    return with_image<uint8_t, uint16_t, float>(env, info[0], std::string(name) + ": image", [&](auto v) -> Napi::Value {
      return f(v, element_of<decltype(v)>{});
    });
  });
}

// gaussianBlur(image, sigma, truncate, threads) -> Float32 image
Napi::Value GaussianBlur(const Napi::CallbackInfo& info) {
  return on_gray(info, "gaussianBlur", [&](auto v, auto) -> Napi::Value {
    auto out = out_image<float>(info.Env(), v.width, v.height);
    gaussian_blur(v, out.view, info[1].ToNumber().DoubleValue(), info[2].ToNumber().DoubleValue(), threads_arg(info, 3));
    return image_object(info.Env(), out.array, v.width, v.height);
  });
}

// medianBlur(image, k, threads) -> same type
Napi::Value MedianBlur(const Napi::CallbackInfo& info) {
  return on_gray(info, "medianBlur", [&](auto v, auto tag) -> Napi::Value {
    using T = decltype(tag);
    auto out = out_image<T>(info.Env(), v.width, v.height);
    median_blur(v, out.view, info[1].ToNumber().Int32Value(), threads_arg(info, 2));
    return image_object(info.Env(), out.array, v.width, v.height);
  });
}

// otsuThreshold(image) -> number
Napi::Value OtsuThreshold(const Napi::CallbackInfo& info) {
  return on_gray(info, "otsuThreshold", [&](auto v, auto) -> Napi::Value { return Napi::Number::New(info.Env(), otsu_threshold(v)); });
}

// blurredBorder(labels u16|u32, sigma, threads, out f32?) -> Float32 image (the FPN2-WS border target)
Napi::Value BlurredBorder(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    const double sigma = info[1].ToNumber().DoubleValue();
    return with_image<uint16_t, uint32_t>(env, info[0], "blurredBorder: labels", [&](auto v) -> Napi::Value {
      auto out = out_arg<float>(env, info[3], v.width, v.height, "blurredBorder: out");
      require_disjoint(env, out.view, v, "blurredBorder: out");
      blurred_border(v, out.view, sigma, threads_arg(info, 2));
      return image_object(env, out.array, v.width, v.height);
    });
  });
}

}  // namespace

void register_filters(Napi::Env env, Napi::Object exports) {
  exports.Set("gaussianBlur", Napi::Function::New(env, GaussianBlur, "gaussianBlur"));
  exports.Set("medianBlur", Napi::Function::New(env, MedianBlur, "medianBlur"));
  exports.Set("otsuThreshold", Napi::Function::New(env, OtsuThreshold, "otsuThreshold"));
  exports.Set("blurredBorder", Napi::Function::New(env, BlurredBorder, "blurredBorder"));
}

}  // namespace nucseg::napi
