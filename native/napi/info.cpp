#include "nucseg/backends.hpp"
#include "nucseg/thread_pool.hpp"

#include "bindings.hpp"

namespace nucseg::napi {
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
