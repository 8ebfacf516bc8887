#include "nucseg/resize.hpp"

#include "bindings.hpp"
#include "convert.hpp"

namespace nucseg::napi {
namespace {

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
    return with_image<uint8_t, uint16_t, uint32_t, float>(env, info[0], "resize: image", [&](auto v) -> Napi::Value {
      using T = element_of<decltype(v)>;
      auto out = out_image<T>(env, w, h);
      resize(v, out.view, mode, th);
      return image_object(env, out.array, w, h);
    });
  });
}

}  // namespace

void register_resize(Napi::Env env, Napi::Object exports) {
  exports.Set("resize", Napi::Function::New(env, Resize, "resize"));
}

}  // namespace nucseg::napi
