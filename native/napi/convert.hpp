// TypedArray <-> ImageView conversion and error mapping: the only place that knows both
// Node and nucseg types.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "nucseg/image.hpp"

namespace nucseg::napi {

// Reads {data, width, height} and checks that data has width*height elements.
template <typename T>
ImageView<const T> image_arg(const Napi::Env& env, const Napi::Value& v, const char* name) {
  if (!v.IsObject()) throw Napi::TypeError::New(env, std::string(name) + " must be an image object");
  Napi::Object o = v.As<Napi::Object>();
  Napi::Value d = o.Get("data");
  if (!d.IsTypedArray()) throw Napi::TypeError::New(env, std::string(name) + ".data must be a TypedArray");
  auto ta = d.As<Napi::TypedArray>();
  int64_t w = o.Get("width").ToNumber().Int64Value();
  int64_t h = o.Get("height").ToNumber().Int64Value();
  // each side below 2^31 (so w * h cannot overflow) and an empty image empty both ways:
  // 0 x 2^53 made row loops spin (fuzz finding empty-image-huge-side)
  if (w < 0 || h < 0 || w >= (int64_t(1) << 31) || h >= (int64_t(1) << 31) || ((w == 0) != (h == 0)) ||
      static_cast<int64_t>(ta.ElementLength()) != w * h)
    throw Napi::RangeError::New(env, std::string(name) + ": data length " + std::to_string(ta.ElementLength()) +
                                         " does not match width*height = " + std::to_string(w) + "x" +
                                         std::to_string(h));
  auto* base = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  return ImageView<const T>(reinterpret_cast<const T*>(base), w, h);
}

// A new, zero-filled TypedArray of n elements of T and a view of it as w x h.
template <typename T>
struct OutImage {
  Napi::TypedArrayOf<T> array;
  ImageView<T> view;
};
template <typename T>
OutImage<T> out_image(const Napi::Env& env, int64_t w, int64_t h) {
  auto a = Napi::TypedArrayOf<T>::New(env, static_cast<size_t>(w * h));
  return {a, ImageView<T>(a.Data(), w, h)};
}

// {data, width, height} for a TypedArray result.
inline Napi::Object image_object(const Napi::Env& env, Napi::Value data, int64_t w, int64_t h) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("data", data);
  o.Set("width", Napi::Number::New(env, static_cast<double>(w)));
  o.Set("height", Napi::Number::New(env, static_cast<double>(h)));
  return o;
}

inline int64_t image_width(const Napi::Value& v) { return v.As<Napi::Object>().Get("width").ToNumber().Int64Value(); }
inline int64_t image_height(const Napi::Value& v) { return v.As<Napi::Object>().Get("height").ToNumber().Int64Value(); }

inline const char* type_name(napi_typedarray_type t) {
  switch (t) {
    case napi_uint8_array: return "Uint8Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    default: return "an unsupported TypedArray";
  }
}

inline napi_typedarray_type array_type(const Napi::Value& image) {
  return image.As<Napi::Object>().Get("data").As<Napi::TypedArray>().TypedArrayType();
}

// A TypedArray argument of napi type `want` (element type T) with exactly n elements;
// `what` names it in the TypeError / RangeError.
template <typename T>
Napi::TypedArrayOf<T> typed_array(const Napi::Env& env, const Napi::Value& v, napi_typedarray_type want, size_t n, const std::string& what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != want)
    throw Napi::TypeError::New(env, what + " must be a " + type_name(want));
  auto ta = v.As<Napi::TypedArrayOf<T>>();
  if (ta.ElementLength() != n)
    throw Napi::RangeError::New(env, what + " has " + std::to_string(ta.ElementLength()) + " values, expected " + std::to_string(n));
  return ta;
}

// Copies a vector into a new TypedArray of the same element type (any type
// Napi::TypedArrayOf supports: (u)int8/16/32, float, double).
template <typename T>
Napi::TypedArrayOf<T> to_array(const Napi::Env& env, const std::vector<T>& v) {
  auto a = Napi::TypedArrayOf<T>::New(env, v.size());
  if (!v.empty()) std::copy(v.begin(), v.end(), a.Data());
  return a;
}

inline Napi::Float64Array to_f64(const Napi::Env& env, const std::vector<uint64_t>& v) {
  auto a = Napi::Float64Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) a[i] = static_cast<double>(v[i]);
  return a;
}

// Device choice passed from JS: 0 = auto, 1 = cpu, 2 = cuda. Returns true to use CUDA.
// Auto picks CUDA for images of at least `auto_min_pixels` when a GPU is usable.
bool use_cuda(const Napi::Env& env, const Napi::CallbackInfo& info, size_t i, int64_t pixels, int64_t auto_min_pixels = int64_t(1) << 22);

inline int threads_arg(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || info[i].IsUndefined()) return 0;
  return info[i].ToNumber().Int32Value();
}

// Runs a kernel body, mapping C++ exceptions to JS exceptions.
template <typename F>
Napi::Value guarded(const Napi::Env& env, F&& f) {
  try {
    return f();
  } catch (const Napi::Error&) {
    throw;
  } catch (const ArgumentError& e) {
    throw Napi::RangeError::New(env, e.what());
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(env, "out of memory in native kernel");
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

}  // namespace nucseg::napi
