#include "nucseg/watershed.hpp"

#include "bindings.hpp"
#include "convert.hpp"

namespace nucseg::napi {
namespace {

// watershed(elevation u8|u16|f32, markers u32, mask u8|null, connectivity, lines, out u32?) -> Uint32 image
Napi::Value Watershed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    auto markers = image_arg<uint32_t>(env, info[1], "watershed: markers");
    WatershedOptions o;
    if (!info[2].IsNull() && !info[2].IsUndefined()) {
      o.mask = image_arg<uint8_t>(env, info[2], "watershed: mask");  // its size: checked by the kernel
    }
    o.connectivity = info[3].ToNumber().Int32Value();
    o.lines = info[4].ToBoolean();
    auto out = out_arg<uint32_t>(env, info[5], markers.width, markers.height, "watershed: out");
    require_disjoint(env, out.view, markers, "watershed: out");
    if (o.mask) require_disjoint(env, out.view, *o.mask, "watershed: out");
    return with_image<uint8_t, uint16_t, float>(env, info[0], "watershed: elevation", [&](auto elevation) -> Napi::Value {
      require_disjoint(env, out.view, elevation, "watershed: out");
      watershed(elevation, markers, out.view, o);
      return image_object(env, out.array, markers.width, markers.height);
    });
  });
}

}  // namespace

void register_watershed(Napi::Env env, Napi::Object exports) {
  exports.Set("watershed", Napi::Function::New(env, Watershed, "watershed"));
}

}  // namespace nucseg::napi
