#include "nucseg/backends.hpp"
#include "nucseg/thread_pool.hpp"

#include "bindings.hpp"
#include "convert.hpp"

namespace nucseg::napi {

bool use_cuda(const Napi::Env& env, const Napi::CallbackInfo& info, size_t i, int64_t pixels, int64_t auto_min_pixels) {
  const int dev = info.Length() > i && info[i].IsNumber() ? info[i].ToNumber().Int32Value() : 0;
  if (dev == 1) return false;
  const CudaInfo c = cuda_info();
  if (dev == 2) {
    if (!c.compiled) throw Napi::Error::New(env, "device 'cuda' requested, but this nucseg build has no CUDA kernels (nvcc was not found at build time)");
    if (c.device_count == 0) throw Napi::Error::New(env, "device 'cuda' requested, but no usable GPU: " + (c.error.empty() ? std::string("none found") : c.error));
    return true;
  }
  return c.device_count > 0 && pixels >= auto_min_pixels;
}

namespace {

// backends() -> { cpu: { threads, simd }, cuda: { compiled, devices, device, error } }
Napi::Value Backends(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object cpu = Napi::Object::New(env);
  cpu.Set("threads", hardware_threads());
#if defined(__x86_64__)
  cpu.Set("simd", __builtin_cpu_supports("avx2") ? "avx2" : "sse2");
#else
  cpu.Set("simd", "none");
#endif
  CudaInfo c = cuda_info();
  Napi::Object cuda = Napi::Object::New(env);
  cuda.Set("compiled", c.compiled);
  cuda.Set("devices", c.device_count);
  cuda.Set("device", c.device_name);
  cuda.Set("error", c.error);
  Napi::Object o = Napi::Object::New(env);
  o.Set("cpu", cpu);
  o.Set("cuda", cuda);
#ifdef NUCSEG_SANITIZE_BUILD
  o.Set("sanitized", true);
#else
  o.Set("sanitized", false);
#endif
  return o;
}

}  // namespace

void register_info(Napi::Env env, Napi::Object exports) {
  exports.Set("backends", Napi::Function::New(env, Backends, "backends"));
}

}  // namespace nucseg::napi
