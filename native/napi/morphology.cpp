#include "nucseg/morphology.hpp"

#include "bindings.hpp"
#include "convert.hpp"

namespace nucseg::napi {
namespace {

// binaryMorphology(mask u8, op 'dilate'|'erode'|'open'|'close', radius, threads) -> Uint8 image
Napi::Value BinaryMorphology(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    auto in = image_arg<uint8_t>(env, info[0], "binaryMorphology: mask");
    auto out = out_image<uint8_t>(env, in.width, in.height);
    const std::string op = info[1].ToString();
    const double r = info[2].ToNumber().DoubleValue();
    const int th = threads_arg(info, 3);
    if (op == "dilate") binary_dilate(in, out.view, r, th);
    else if (op == "erode") binary_erode(in, out.view, r, th);
    else if (op == "open") binary_open(in, out.view, r, th);
    else if (op == "close") binary_close(in, out.view, r, th);
    else throw Napi::TypeError::New(env, "binaryMorphology: unknown operation " + op);
    return image_object(env, out.array, in.width, in.height);
  });
}

}  // namespace

void register_morphology(Napi::Env env, Napi::Object exports) {
  exports.Set("binaryMorphology", Napi::Function::New(env, BinaryMorphology, "binaryMorphology"));
}

}  // namespace nucseg::napi
