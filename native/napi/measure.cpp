#include "nucseg/measure.hpp"

#include "bindings.hpp"
#include "convert.hpp"

namespace nucseg::napi {
namespace {

template <typename L, typename I>
Napi::Value run(const Napi::CallbackInfo& info, ImageView<const L> labels, std::optional<ImageView<const I>> intensity) {
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
  if (info[1].IsNull() || info[1].IsUndefined()) return run<L, float>(info, labels, std::nullopt);
  return with_image<uint8_t, uint16_t, float>(env, info[1], "measureRegions: intensity", [&](auto v) -> Napi::Value {
    using I = element_of<decltype(v)>;
    return run<L, I>(info, labels, v);  // the kernel checks that the sizes match
  });
}

// measureRegions(labels, intensity|null, threads)
Napi::Value MeasureRegions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    return with_image<uint16_t, uint32_t>(env, info[0], "measureRegions: labels", [&](auto v) -> Napi::Value { return with_labels(info, v); });
  });
}

}  // namespace

void register_measure(Napi::Env env, Napi::Object exports) {
  exports.Set("measureRegions", Napi::Function::New(env, MeasureRegions, "measureRegions"));
}

}  // namespace nucseg::napi
