#include "nucseg/watershed.hpp"

#include "bindings.hpp"
#include "convert.hpp"

namespace nucseg::napi {
namespace {

// watershed(elevation u8|u16|f32, markers u32, mask u8|null, connectivity, lines) -> Uint32 image
Napi::Value Watershed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    if (array_type(info[1]) != napi_uint32_array) throw Napi::TypeError::New(env, "watershed: markers must be a Uint32Array");
    auto markers = image_arg<uint32_t>(env, info[1], "markers");
    WatershedOptions o;
    if (!info[2].IsNull() && !info[2].IsUndefined()) {
      if (array_type(info[2]) != napi_uint8_array) throw Napi::TypeError::New(env, "watershed: mask must be a Uint8Array");
      auto mask = image_arg<uint8_t>(env, info[2], "mask");
      if (mask.width != markers.width || mask.height != markers.height) throw Napi::RangeError::New(env, "watershed: mask size differs");
      o.mask = mask.data;
    }
    o.connectivity = info[3].ToNumber().Int32Value();
    o.lines = info[4].ToBoolean();
    auto out = out_image<uint32_t>(env, markers.width, markers.height);
    auto t = array_type(info[0]);
    if (t == napi_uint8_array) watershed(image_arg<uint8_t>(env, info[0], "elevation"), markers, out.view, o);
    else if (t == napi_uint16_array) watershed(image_arg<uint16_t>(env, info[0], "elevation"), markers, out.view, o);
    else if (t == napi_float32_array) watershed(image_arg<float>(env, info[0], "elevation"), markers, out.view, o);
    else throw Napi::TypeError::New(env, std::string("watershed: elevation must be Uint8Array, Uint16Array or Float32Array, not ") + type_name(t));
    return image_object(env, out.array, markers.width, markers.height);
  });
}

}  // namespace

void register_watershed(Napi::Env env, Napi::Object exports) {
  exports.Set("watershed", Napi::Function::New(env, Watershed, "watershed"));
}

}  // namespace nucseg::napi
