#include "nucseg/instances.hpp"

#include "bindings.hpp"
#include "convert.hpp"

namespace nucseg::napi {
namespace {

// pasteInstances(boxes f32 K*4, scores f32 K, masks f32 K*M*M, M, width, height, scoreThr, maskThr) -> { labels, count }
Napi::Value PasteInstances(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    if (!info[1].IsTypedArray()) throw Napi::TypeError::New(env, "pasteInstances: scores must be a Float32Array");  // before its length is read
    Detections det;
    det.count = static_cast<int64_t>(info[1].As<Napi::TypedArray>().ElementLength());
    det.mask_size = info[3].ToNumber().Int64Value();
    if (det.mask_size < 1 || det.mask_size > 4096) throw Napi::RangeError::New(env, "pasteInstances: mask size must be in [1, 4096]");
    det.scores = typed_array<float>(env, info[1], static_cast<size_t>(det.count), "pasteInstances: scores").Data();
    det.boxes = typed_array<float>(env, info[0], static_cast<size_t>(det.count * 4), "pasteInstances: boxes").Data();
    det.masks = typed_array<float>(env, info[2], static_cast<size_t>(det.count * det.mask_size * det.mask_size), "pasteInstances: masks").Data();
    const int64_t w = info[4].ToNumber().Int64Value(), h = info[5].ToNumber().Int64Value();
    if (w < 1 || h < 1 || w * h > (int64_t(1) << 31)) throw Napi::RangeError::New(env, "pasteInstances: bad image size");
    auto out = out_image<uint32_t>(env, w, h);
    const uint32_t n = paste_instances(det, info[6].ToNumber().FloatValue(), info[7].ToNumber().FloatValue(), out.view);
    Napi::Object o = Napi::Object::New(env);
    o.Set("labels", image_object(env, out.array, w, h));
    o.Set("count", n);
    return o;
  });
}

// mergeTileInstances(canvas u32 (edited in place), tile u32, x0, y0, nextId, minOverlap) -> nextId
Napi::Value MergeTileInstances(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    auto canvas = mutable_image_arg<uint32_t>(env, info[0], "mergeTileInstances: canvas");
    auto t = image_arg<uint32_t>(env, info[1], "mergeTileInstances: tile");
    const uint32_t next = merge_tile_instances(canvas, t, info[2].ToNumber().Int64Value(), info[3].ToNumber().Int64Value(),
                                               info[4].ToNumber().Uint32Value(), info[5].ToNumber().DoubleValue());
    return Napi::Number::New(env, next);
  });
}

}  // namespace

void register_instances(Napi::Env env, Napi::Object exports) {
  exports.Set("pasteInstances", Napi::Function::New(env, PasteInstances, "pasteInstances"));
  exports.Set("mergeTileInstances", Napi::Function::New(env, MergeTileInstances, "mergeTileInstances"));
}

}  // namespace nucseg::napi
