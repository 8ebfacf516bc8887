#include "nucseg/overlap.hpp"

#include "nucseg/gpu.hpp"

#include "bindings.hpp"
#include "convert.hpp"

namespace nucseg::napi {
namespace {

template <typename G, typename P>
Napi::Value run(const Napi::CallbackInfo& info, ImageView<const G> gt, ImageView<const P> pred) {
  Napi::Env env = info.Env();
  OverlapTable t = use_cuda(env, info, 3, gt.pixels()) ? overlap_from_counts(gpu::label_overlap_counts<G, P>(gt, pred))
                                                       : label_overlap<G, P>(gt, pred, threads_arg(info, 2));
  Napi::Object o = Napi::Object::New(env);
  o.Set("pairGt", to_array(env, t.pair_gt));
  o.Set("pairPred", to_array(env, t.pair_pred));
  o.Set("pairCount", to_f64(env, t.pair_count));
  o.Set("gtIds", to_array(env, t.gt_ids));
  o.Set("gtArea", to_f64(env, t.gt_area));
  o.Set("predIds", to_array(env, t.pred_ids));
  o.Set("predArea", to_f64(env, t.pred_area));
  o.Set("pairGtIndex", to_array(env, t.pair_gt_index));
  o.Set("pairPredIndex", to_array(env, t.pair_pred_index));
  o.Set("pairIoU", to_array(env, t.pair_iou));
  return o;
}

// labelOverlap(gt, pred, threads) -> { pairGt, pairPred, pairCount, gtIds, gtArea, predIds, predArea,
//                                       pairGtIndex, pairPredIndex, pairIoU }
Napi::Value LabelOverlap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    if (info.Length() < 2) throw Napi::TypeError::New(env, "labelOverlap(gt, pred, threads?, device?)");
    return with_image<uint16_t, uint32_t>(env, info[0], "labelOverlap: gt", [&](auto gt) {
      return with_image<uint16_t, uint32_t>(env, info[1], "labelOverlap: pred", [&](auto pred) { return run(info, gt, pred); });
    });
  });
}

}  // namespace

void register_overlap(Napi::Env env, Napi::Object exports) {
  exports.Set("labelOverlap", Napi::Function::New(env, LabelOverlap, "labelOverlap"));
}

}  // namespace nucseg::napi
