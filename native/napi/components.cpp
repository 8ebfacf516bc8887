#include "nucseg/components.hpp"
#include "nucseg/numbers.hpp"

#include "nucseg/gpu.hpp"

#include "bindings.hpp"
#include "convert.hpp"

namespace nucseg::napi {
namespace {

Napi::Object stats_object(const Napi::Env& env, const RegionStats& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("ids", to_array(env, s.ids));
  o.Set("area", to_f64(env, s.area));
  o.Set("x0", to_array(env, s.x0));
  o.Set("y0", to_array(env, s.y0));
  o.Set("x1", to_array(env, s.x1));
  o.Set("y1", to_array(env, s.y1));
  o.Set("cx", to_array(env, s.cx));
  o.Set("cy", to_array(env, s.cy));
  return o;
}

// connectedComponents(mask u8, connectivity, threads, withStats, device, out u32?) -> { labels, count, stats? }
Napi::Value ConnectedComponents(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    auto mask = image_arg<uint8_t>(env, info[0], "connectedComponents: mask");
    int conn = info[1].ToNumber().Int32Value();
    auto out = out_arg<uint32_t>(env, info[5], mask.width, mask.height, "connectedComponents: out");
    require_disjoint(env, out.view, mask, "connectedComponents: out");
    RegionStats st;
    const bool want = info.Length() > 3 && info[3].ToBoolean();
    // Stats come from the CPU path's runs; the CUDA path labels only.
    uint32_t n = (!want && use_cuda(env, info, 4, mask.pixels())) ? gpu::connected_components(mask, out.view, conn)
                                                                : connected_components(mask, out.view, conn, threads_arg(info, 2), want ? &st : nullptr);
    Napi::Object o = Napi::Object::New(env);
    o.Set("labels", image_object(env, out.array, mask.width, mask.height));
    o.Set("count", n);
    if (want) o.Set("stats", stats_object(env, st));
    return o;
  });
}

template <typename F>
Napi::Value on_labels(const Napi::CallbackInfo& info, const char* name, F&& f) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    return with_image<uint16_t, uint32_t>(env, info[0], std::string(name) + ": labels", [&](auto v) -> Napi::Value {
      return f(v, element_of<decltype(v)>{});
    });
  });
}

// Copies a label view into a new TypedArray of the same type.
template <typename T>
OutImage<T> copy_labels(const Napi::Env& env, ImageView<const T> in) {
  auto out = out_image<T>(env, in.width, in.height);
  for (int64_t y = 0; y < in.height; ++y) std::copy(in.row(y), in.row(y) + in.width, out.view.row(y));
  return out;
}

Napi::Value RegionStatsFn(const Napi::CallbackInfo& info) {
  return on_labels(info, "regionStats", [&](auto v, auto) -> Napi::Value {
    return stats_object(info.Env(), region_stats(v, threads_arg(info, 1)));
  });
}

Napi::Value RelabelSequential(const Napi::CallbackInfo& info) {
  return on_labels(info, "relabelSequential", [&](auto v, auto tag) -> Napi::Value {
    using T = decltype(tag);
    auto out = copy_labels<T>(info.Env(), v);
    std::vector<uint32_t> old;
    uint32_t n = relabel_sequential(out.view, &old, threads_arg(info, 1));
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("labels", image_object(info.Env(), out.array, v.width, v.height));
    o.Set("count", n);
    o.Set("oldIds", to_array(info.Env(), old));
    return o;
  });
}

// The label clean-ups: run `op` on a copy of the labels (uint16 or uint32) and return
// { labels, <key>: the number op returns }.
template <typename Op>
Napi::Value edited_copy(const Napi::CallbackInfo& info, const char* name, const char* key, Op&& op) {
  return on_labels(info, name, [&](auto v, auto tag) -> Napi::Value {
    using T = decltype(tag);
    auto out = copy_labels<T>(info.Env(), v);
    const double n = static_cast<double>(op(out.view));
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("labels", image_object(info.Env(), out.array, v.width, v.height));
    o.Set(key, n);
    return o;
  });
}

// removeObjectsByArea(labels, minArea, maxArea, threads) -> { labels, removed }
Napi::Value RemoveByArea(const Napi::CallbackInfo& info) {
  const uint64_t mn = area_from_double(info[1].ToNumber().DoubleValue());
  const uint64_t mx = area_from_double(info[2].ToNumber().DoubleValue());
  return edited_copy(info, "removeObjects", "removed", [&](auto view) { return remove_objects_by_area(view, mn, mx, threads_arg(info, 3)); });
}

// fillHoles(labels, threads) -> { labels, filled }
Napi::Value FillHoles(const Napi::CallbackInfo& info) {
  return edited_copy(info, "fillHoles", "filled", [&](auto view) { return fill_holes(view, threads_arg(info, 1)); });
}

// keepLargestComponent(labels, threads) -> { labels, cleared }
Napi::Value KeepLargest(const Napi::CallbackInfo& info) {
  return edited_copy(info, "keepLargestComponent", "cleared", [&](auto view) { return keep_largest_component(view, threads_arg(info, 1)); });
}

// nonzeroMask(image of any integer or float type) -> Uint8 image (1 where non-zero)
Napi::Value NonzeroMask(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    return with_image<uint8_t, int8_t, uint16_t, int16_t, uint32_t, int32_t, float, double>(env, info[0], "nonzeroMask: image", [&](auto v) -> Napi::Value {
      auto out = out_image<uint8_t>(env, v.width, v.height);
      const int64_t n = v.pixels();
      for (int64_t i = 0; i < n; ++i) out.view.data[i] = v.data[i] != 0;
      return image_object(env, out.array, v.width, v.height);
    });
  });
}

}  // namespace

void register_components(Napi::Env env, Napi::Object exports) {
  exports.Set("nonzeroMask", Napi::Function::New(env, NonzeroMask, "nonzeroMask"));
  exports.Set("connectedComponents", Napi::Function::New(env, ConnectedComponents, "connectedComponents"));
  exports.Set("regionStats", Napi::Function::New(env, RegionStatsFn, "regionStats"));
  exports.Set("relabelSequential", Napi::Function::New(env, RelabelSequential, "relabelSequential"));
  exports.Set("removeObjectsByArea", Napi::Function::New(env, RemoveByArea, "removeObjectsByArea"));
  exports.Set("fillHoles", Napi::Function::New(env, FillHoles, "fillHoles"));
  exports.Set("keepLargestComponent", Napi::Function::New(env, KeepLargest, "keepLargestComponent"));
}

}  // namespace nucseg::napi
