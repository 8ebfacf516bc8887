#include "nucseg/filters.hpp"

#include "nucseg/morphology.hpp"
#include "nucseg/resize.hpp"

#include "bindings.hpp"
#include "convert.hpp"

namespace nucseg::napi {
namespace {

// Calls f(view, tag) for a uint8, uint16 or float32 image.
template <typename F>
Napi::Value on_gray(const Napi::CallbackInfo& info, const char* name, F&& f) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    auto t = array_type(info[0]);
    if (t == napi_uint8_array) return f(image_arg<uint8_t>(env, info[0], "image"), uint8_t{});
    if (t == napi_uint16_array) return f(image_arg<uint16_t>(env, info[0], "image"), uint16_t{});
    if (t == napi_float32_array) return f(image_arg<float>(env, info[0], "image"), float{});
    throw Napi::TypeError::New(env, std::string(name) + ": image must be Uint8Array, Uint16Array or Float32Array, not " + type_name(t));
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

// binaryMorphology(mask u8, op 'dilate'|'erode'|'open'|'close', radius, threads) -> Uint8 image
Napi::Value BinaryMorphology(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    if (array_type(info[0]) != napi_uint8_array) throw Napi::TypeError::New(env, "binary morphology: mask must be a Uint8Array");
    auto in = image_arg<uint8_t>(env, info[0], "mask");
    auto out = out_image<uint8_t>(env, in.width, in.height);
    const std::string op = info[1].ToString();
    const double r = info[2].ToNumber().DoubleValue();
    const int th = threads_arg(info, 3);
    if (op == "dilate") binary_dilate(in, out.view, r, th);
    else if (op == "erode") binary_erode(in, out.view, r, th);
    else if (op == "open") binary_open(in, out.view, r, th);
    else if (op == "close") binary_close(in, out.view, r, th);
    else throw Napi::TypeError::New(env, "binary morphology: unknown operation " + op);
    return image_object(env, out.array, in.width, in.height);
  });
}

// resize(image, width, height, mode 'nearest'|'bilinear'|'area', threads) -> same type
Napi::Value Resize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    const int64_t w = info[1].ToNumber().Int64Value(), h = info[2].ToNumber().Int64Value();
    if (w <= 0 || h <= 0 || w > (1 << 20) || h > (1 << 20)) throw Napi::RangeError::New(env, "resize: output size out of range");
    const std::string m = info[3].ToString();
    Interpolation mode = m == "nearest" ? Interpolation::Nearest : m == "bilinear" ? Interpolation::Bilinear : Interpolation::Area;
    if (m != "nearest" && m != "bilinear" && m != "area") throw Napi::TypeError::New(env, "resize: unknown interpolation " + m);
    const int th = threads_arg(info, 4);
    auto run = [&](auto v, auto tag) -> Napi::Value {
      using T = decltype(tag);
      auto out = out_image<T>(env, w, h);
      resize(v, out.view, mode, th);
      return image_object(env, out.array, w, h);
    };
    auto t = array_type(info[0]);
    if (t == napi_uint8_array) return run(image_arg<uint8_t>(env, info[0], "image"), uint8_t{});
    if (t == napi_uint16_array) return run(image_arg<uint16_t>(env, info[0], "image"), uint16_t{});
    if (t == napi_uint32_array) return run(image_arg<uint32_t>(env, info[0], "image"), uint32_t{});
    if (t == napi_float32_array) return run(image_arg<float>(env, info[0], "image"), float{});
    throw Napi::TypeError::New(env, std::string("resize: unsupported ") + type_name(t));
  });
}

}  // namespace

void register_filters(Napi::Env env, Napi::Object exports) {
  exports.Set("gaussianBlur", Napi::Function::New(env, GaussianBlur, "gaussianBlur"));
  exports.Set("medianBlur", Napi::Function::New(env, MedianBlur, "medianBlur"));
  exports.Set("otsuThreshold", Napi::Function::New(env, OtsuThreshold, "otsuThreshold"));
  exports.Set("binaryMorphology", Napi::Function::New(env, BinaryMorphology, "binaryMorphology"));
  exports.Set("resize", Napi::Function::New(env, Resize, "resize"));
}

}  // namespace nucseg::napi
