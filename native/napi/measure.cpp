#include "nucseg/measure.hpp"

#include "bindings.hpp"
#include "convert.hpp"

namespace nucseg::napi {
namespace {

template <typename L, typename I>
Napi::Value run(const Napi::CallbackInfo& info, ImageView<const L> labels, const I* intensity) {
  Napi::Env env = info.Env();
  Measurements m = measure_regions<L, I>(labels, intensity, threads_arg(info, 2));
  Napi::Object o = Napi::Object::New(env);
  o.Set("ids", to_array(env, m.ids));
  o.Set("area", to_array(env, m.area));
  o.Set("cx", to_array(env, m.cx));
  o.Set("cy", to_array(env, m.cy));
  o.Set("x0", to_array(env, m.x0));
  o.Set("y0", to_array(env, m.y0));
  o.Set("x1", to_array(env, m.x1));
  o.Set("y1", to_array(env, m.y1));
  o.Set("mu20", to_array(env, m.mu20));
  o.Set("mu02", to_array(env, m.mu02));
  o.Set("mu11", to_array(env, m.mu11));
  o.Set("hullArea", to_array(env, m.hull_area));
  o.Set("intensitySum", to_array(env, m.intensity_sum));
  o.Set("intensityMin", to_array(env, m.intensity_min));
  o.Set("intensityMax", to_array(env, m.intensity_max));
  o.Set("touchesBorder", to_array(env, m.touches_border));
  return o;
}

template <typename L>
Napi::Value with_labels(const Napi::CallbackInfo& info, ImageView<const L> labels) {
  Napi::Env env = info.Env();
  if (info[1].IsNull() || info[1].IsUndefined()) return run<L, float>(info, labels, nullptr);
  const int64_t iw = image_width(info[1]), ih = image_height(info[1]);
  if (iw != labels.width || ih != labels.height) throw Napi::RangeError::New(env, "measureRegions: intensity image size differs from labels");
  switch (array_type(info[1])) {
    case napi_uint8_array: return run<L, uint8_t>(info, labels, image_arg<uint8_t>(env, info[1], "intensity").data);
    case napi_uint16_array: return run<L, uint16_t>(info, labels, image_arg<uint16_t>(env, info[1], "intensity").data);
    case napi_float32_array: return run<L, float>(info, labels, image_arg<float>(env, info[1], "intensity").data);
    default: throw Napi::TypeError::New(env, "measureRegions: intensity must be Uint8Array, Uint16Array or Float32Array");
  }
}

// measureRegions(labels, intensity|null, threads)
Napi::Value MeasureRegions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    auto t = array_type(info[0]);
    if (t == napi_uint16_array) return with_labels<uint16_t>(info, image_arg<uint16_t>(env, info[0], "labels"));
    if (t == napi_uint32_array) return with_labels<uint32_t>(info, image_arg<uint32_t>(env, info[0], "labels"));
    throw Napi::TypeError::New(env, "measureRegions: labels must be Uint16Array or Uint32Array");
  });
}

// maxFilter(image f32, radius, threads) -> Float32 image
Napi::Value MaxFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    if (array_type(info[0]) != napi_float32_array) throw Napi::TypeError::New(env, "maxFilter: image must be a Float32Array");
    auto in = image_arg<float>(env, info[0], "image");
    auto out = out_image<float>(env, in.width, in.height);
    max_filter(in, out.view, info[1].ToNumber().Int32Value(), threads_arg(info, 2));
    return image_object(env, out.array, in.width, in.height);
  });
}

}  // namespace

void register_measure(Napi::Env env, Napi::Object exports) {
  exports.Set("measureRegions", Napi::Function::New(env, MeasureRegions, "measureRegions"));
  exports.Set("maxFilter", Napi::Function::New(env, MaxFilter, "maxFilter"));
}

}  // namespace nucseg::napi
