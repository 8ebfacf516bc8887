#include "nucseg/numbers.hpp"
#include "nucseg/augment.hpp"

#include <memory>

#include "bindings.hpp"
#include "convert.hpp"

namespace nucseg::napi {
namespace {

double num(const Napi::Object& o, const char* k, double def) {
  Napi::Value v = o.Get(k);
  return v.IsNumber() ? v.ToNumber().DoubleValue() : def;
}

void range(const Napi::Object& o, const char* k, double* r) {
  Napi::Value v = o.Get(k);
  if (!v.IsArray()) return;
  auto a = v.As<Napi::Array>();
  if (a.Length() != 2) throw ArgumentError(std::string("augment config: ") + k + " must be [min, max]");
  r[0] = a.Get(0u).ToNumber().DoubleValue();
  r[1] = a.Get(1u).ToNumber().DoubleValue();
  if (!(r[1] >= r[0])) throw ArgumentError(std::string("augment config: ") + k + " must have min <= max");
}

void int_range(const Napi::Object& o, const char* k, int* r) {
  double d[2] = {double(r[0]), double(r[1])};
  range(o, k, d);
  r[0] = int_from_double(d[0]);
  r[1] = int_from_double(d[1]);
}

// Reads every native setting of AUGMENT_SETTINGS (lib/augment/config.ts, which validated
// them), one statement each: test/augment/config-schema.test.ts checks this function's
// keys, fields and readers against that list.
AugmentConfig config_from(const Napi::Object& o) {
  AugmentConfig c;
  c.roi = static_cast<int>(num(o, "roi", c.roi));
  c.shoulder = static_cast<int>(num(o, "shoulder", c.shoulder));
  c.rotate45 = o.Get("rotate45").IsBoolean() ? o.Get("rotate45").ToBoolean().Value() : c.rotate45;
  c.flips = o.Get("flips").IsBoolean() ? o.Get("flips").ToBoolean().Value() : c.flips;
  c.p_contrast = num(o, "pContrast", c.p_contrast);
  c.p_blur = num(o, "pBlur", c.p_blur);
  c.p_noise = num(o, "pNoise", c.p_noise);
  c.w_clahe = num(o, "wClahe", c.w_clahe);
  c.w_gamma = num(o, "wGamma", c.w_gamma);
  c.w_saturation = num(o, "wSaturation", c.w_saturation);
  c.w_multiply = num(o, "wMultiply", c.w_multiply);
  c.w_gaussian = num(o, "wGaussian", c.w_gaussian);
  c.w_median = num(o, "wMedian", c.w_median);
  c.w_gauss_noise = num(o, "wGaussNoise", c.w_gauss_noise);
  c.w_poisson = num(o, "wPoisson", c.w_poisson);
  c.w_impulse = num(o, "wImpulse", c.w_impulse);
  c.w_dropout = num(o, "wDropout", c.w_dropout);
  range(o, "claheClip", c.clahe_clip);
  int_range(o, "claheTiles", c.clahe_tiles);
  range(o, "gamma", c.gamma);
  range(o, "saturation", c.saturation);
  range(o, "multiply", c.multiply);
  range(o, "gaussianSigma", c.gaussian_sigma);
  int_range(o, "medianK", c.median_k);
  range(o, "gaussNoiseSigma", c.gauss_noise_sigma);
  range(o, "poissonPeak", c.poisson_peak);
  range(o, "impulseFraction", c.impulse_fraction);
  range(o, "dropoutFraction", c.dropout_fraction);
  return c;
}

// Everything one augmentRois call needs, with references that keep the JS arrays alive
// while a worker thread reads and writes them.
struct Job {
  std::vector<AugmentSource> sources;
  std::vector<int> set;
  std::vector<uint8_t> roi_set, roi_split;
  AugmentConfig cfg;
  uint64_t seed = 0;
  int64_t first = 0, count = 0;
  int threads = 0;
  std::vector<RoiOut> out;
  std::vector<Napi::ObjectReference> keep;
};

class AugmentWorker : public Napi::AsyncWorker {
 public:
  AugmentWorker(Napi::Env env, std::unique_ptr<Job> job, Napi::Object result)
      : Napi::AsyncWorker(env), job_(std::move(job)), deferred_(Napi::Promise::Deferred::New(env)), result_(Napi::Persistent(result)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    try {
      augment_rois(job_->sources, job_->set, job_->roi_set, job_->roi_split, job_->cfg, job_->seed, job_->first, job_->count, job_->out, job_->threads);
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override { deferred_.Resolve(result_.Value()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(Napi::RangeError::New(Env(), e.Message()).Value()); }

 private:
  std::unique_ptr<Job> job_;
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference result_;
};

// augmentRois(sources[], roiSet u8, roiSplit u8, config, seed, firstIndex, threads, async?, into?)
//   -> { image f32, labels u16, distance f32, border f32 } (count x roi x roi each), or a
//   Promise of it when async (computed on a worker thread, the JS thread stays free)
Napi::Value AugmentRois(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    auto job = std::make_unique<Job>();
    auto arr = info[0].As<Napi::Array>();
    std::vector<AugmentSource>& sources = job->sources;
    std::vector<int>& set = job->set;
    for (uint32_t i = 0; i < arr.Length(); ++i) {
      Napi::Object s = arr.Get(i).As<Napi::Object>();
      auto im = image_arg<float>(env, s.Get("image"), "augmentRois: sources[" + std::to_string(i) + "].image");
      auto lb = image_arg<uint32_t>(env, s.Get("labels"), "augmentRois: sources[" + std::to_string(i) + "].labels");
      if (im.width != lb.width || im.height != lb.height) throw Napi::RangeError::New(env, "augmentRois: source image and labels differ in size");
      const double zoom = s.Get("zoom").IsNumber() ? s.Get("zoom").ToNumber().DoubleValue() : 1.0;
      if (!(zoom > 0.01 && zoom < 100)) throw Napi::RangeError::New(env, "augmentRois: zoom out of range");
      sources.push_back({im.data, lb.data, im.width, im.height, s.Get("split").ToNumber().Int32Value(), zoom});
      set.push_back(s.Get("set").ToNumber().Int32Value());
      job->keep.push_back(Napi::Persistent(s.Get("image").As<Napi::Object>().Get("data").As<Napi::Object>()));
      job->keep.push_back(Napi::Persistent(s.Get("labels").As<Napi::Object>().Get("data").As<Napi::Object>()));
    }
    auto rs = info[1].As<Napi::Uint8Array>(), rp = info[2].As<Napi::Uint8Array>();
    const AugmentConfig cfg = config_from(info[3].As<Napi::Object>());
    const uint64_t seed = static_cast<uint64_t>(info[4].ToNumber().Int64Value());
    const int64_t first = info[5].ToNumber().Int64Value();
    const int64_t count = static_cast<int64_t>(rs.ElementLength());
    if (static_cast<int64_t>(rp.ElementLength()) != count) throw Napi::RangeError::New(env, "augmentRois: roiSet and roiSplit differ in length");
    std::vector<uint8_t> vs(rs.Data(), rs.Data() + count), vp(rp.Data(), rp.Data() + count);
    const bool async = info.Length() > 7 && info[7].ToBoolean();
    const size_t px = static_cast<size_t>(cfg.roi) * cfg.roi;
    // outputs: new arrays, or the caller's (argument 8, reused across batches so the pages
    // are not faulted in and zeroed again for every batch)
    Napi::Float32Array image, distance, border;
    Napi::Uint16Array labels;
    const size_t n = px * static_cast<size_t>(count);
    if (info.Length() > 8 && info[8].IsObject()) {
      Napi::Object into = info[8].As<Napi::Object>();
      image = typed_array<float>(env, into.Get("image"), n, "augmentRois: into.image");
      distance = typed_array<float>(env, into.Get("distance"), n, "augmentRois: into.distance");
      border = typed_array<float>(env, into.Get("border"), n, "augmentRois: into.border");
      labels = typed_array<uint16_t>(env, into.Get("labels"), n, "augmentRois: into.labels");
    } else {
      image = Napi::Float32Array::New(env, n);
      distance = Napi::Float32Array::New(env, n);
      border = Napi::Float32Array::New(env, n);
      labels = Napi::Uint16Array::New(env, n);
    }
    std::vector<RoiOut> out(static_cast<size_t>(count));
    for (int64_t k = 0; k < count; ++k) out[k] = {image.Data() + k * px, labels.Data() + k * px, distance.Data() + k * px, border.Data() + k * px};
    // into.image16 (optional): the image also as round(value x into.levels) in uint16
    Napi::Uint16Array image16;
    if (info.Length() > 8 && info[8].IsObject() && info[8].As<Napi::Object>().Has("image16")) {
      Napi::Object into = info[8].As<Napi::Object>();
      image16 = typed_array<uint16_t>(env, into.Get("image16"), n, "augmentRois: into.image16");
      const double levels = into.Get("levels").ToNumber().DoubleValue();
      if (!(levels >= 1 && levels <= 65535)) throw Napi::RangeError::New(env, "augmentRois: into.levels must be in [1, 65535]");
      for (int64_t k = 0; k < count; ++k) {
        out[k].image_u16 = image16.Data() + k * px;
        out[k].image_levels = static_cast<float>(levels);
      }
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("image", image);
    o.Set("labels", labels);
    o.Set("distance", distance);
    o.Set("border", border);
    if (!image16.IsEmpty()) o.Set("image16", image16);
    if (!async) {
      augment_rois(sources, set, vs, vp, cfg, seed, first, count, out, threads_arg(info, 6));
      return o;
    }
    job->roi_set = std::move(vs);
    job->roi_split = std::move(vp);
    job->cfg = cfg;
    job->seed = seed;
    job->first = first;
    job->count = count;
    job->threads = threads_arg(info, 6);
    job->out = std::move(out);
    auto* w = new AugmentWorker(env, std::move(job), o);  // owns the arrays via `o` and `keep`
    w->Queue();
    return w->Promise();
  });
}

}  // namespace

void register_augment(Napi::Env env, Napi::Object exports) {
  exports.Set("augmentRois", Napi::Function::New(env, AugmentRois, "augmentRois"));
}

}  // namespace nucseg::napi
