// TypedArray <-> ImageView conversion and error mapping: the only place that knows both
// Node and nucseg types.
#pragma once
#include <napi.h>

#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "nucseg/image.hpp"

namespace nucseg::napi {

inline const char* type_name(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    default: return "a BigInt TypedArray";
  }
}

// The TypedArray type that holds elements of type T.
template <typename T> constexpr napi_typedarray_type array_type_of();
template <> constexpr napi_typedarray_type array_type_of<int8_t>() { return napi_int8_array; }
template <> constexpr napi_typedarray_type array_type_of<uint8_t>() { return napi_uint8_array; }
template <> constexpr napi_typedarray_type array_type_of<int16_t>() { return napi_int16_array; }
template <> constexpr napi_typedarray_type array_type_of<uint16_t>() { return napi_uint16_array; }
template <> constexpr napi_typedarray_type array_type_of<int32_t>() { return napi_int32_array; }
template <> constexpr napi_typedarray_type array_type_of<uint32_t>() { return napi_uint32_array; }
template <> constexpr napi_typedarray_type array_type_of<float>() { return napi_float32_array; }
template <> constexpr napi_typedarray_type array_type_of<double>() { return napi_float64_array; }

// The TypedArray in an image argument {data, width, height}; `name` (e.g. "watershed:
// markers") starts every error message.
inline Napi::TypedArray image_data(const Napi::Env& env, const Napi::Value& v, const std::string& name) {
  if (!v.IsObject()) throw Napi::TypeError::New(env, name + " must be an image { data, width, height }");
  Napi::Value d = v.As<Napi::Object>().Get("data");
  if (!d.IsTypedArray()) throw Napi::TypeError::New(env, name + ".data must be a TypedArray");
  return d.As<Napi::TypedArray>();
}

// The element type of an image argument (a TypeError when it is not an image).
inline napi_typedarray_type array_type(const Napi::Env& env, const Napi::Value& v, const std::string& name) {
  return image_data(env, v, name).TypedArrayType();
}

// Reads an image argument {data, width, height} as a view of T: data must be the
// TypedArray of T (a TypeError naming the argument and the type given) with exactly
// width*height elements (a RangeError). The type check lives here so that no binding can
// reinterpret, say, a Float32Array as uint8 by forgetting a separate check.
template <typename T>
ImageView<T> image_arg_of(const Napi::Env& env, const Napi::Value& v, const std::string& name) {
  using E = std::remove_const_t<T>;
  Napi::TypedArray ta = image_data(env, v, name);
  if (ta.TypedArrayType() != array_type_of<E>())
    throw Napi::TypeError::New(env, name + " must be a " + type_name(array_type_of<E>()) + ", not " + type_name(ta.TypedArrayType()));
  Napi::Object o = v.As<Napi::Object>();
  int64_t w = o.Get("width").ToNumber().Int64Value();
  int64_t h = o.Get("height").ToNumber().Int64Value();
  // each side below 2^31 (so w * h cannot overflow) and an empty image empty both ways:
  // 0 x 2^53 made row loops spin (fuzz finding empty-image-huge-side)
  if (w < 0 || h < 0 || w >= (int64_t(1) << 31) || h >= (int64_t(1) << 31) || ((w == 0) != (h == 0)))
    throw Napi::RangeError::New(env, name + ": invalid size " + std::to_string(w) + "x" + std::to_string(h));
  if (static_cast<int64_t>(ta.ElementLength()) != w * h)
    throw Napi::RangeError::New(env, name + " has " + std::to_string(ta.ElementLength()) + " values, expected " + std::to_string(w) + "x" +
                                         std::to_string(h) + " = " + std::to_string(w * h));
  // the data pointer as napi_get_typedarray_info gives it (at the view's offset): it also
  // serves TypedArrays over a SharedArrayBuffer, which ArrayBuffer().Data() refused with a
  // bare "Invalid argument"
  void* data = nullptr;
  if (napi_get_typedarray_info(env, ta, nullptr, nullptr, &data, nullptr, nullptr) != napi_ok)
    throw Napi::TypeError::New(env, name + ".data cannot be read");
  return ImageView<T>(static_cast<T*>(data), w, h);
}

// A read-only image argument of element type T (see image_arg_of).
template <typename T>
ImageView<const T> image_arg(const Napi::Env& env, const Napi::Value& v, const std::string& name) {
  return image_arg_of<const T>(env, v, name);
}

// An image argument the kernel writes into (e.g. a canvas edited in place).
template <typename T>
ImageView<T> mutable_image_arg(const Napi::Env& env, const Napi::Value& v, const std::string& name) {
  return image_arg_of<T>(env, v, name);
}

// The element type of a view, for the generic lambdas with_image calls: element_of<decltype(v)>.
template <typename View>
using element_of = std::remove_const_t<std::remove_pointer_t<decltype(std::declval<View>().data)>>;

// Calls f(image_arg<T>(...)) for the first T in Ts that is the image's element type, so a
// binding that accepts several types states them once; any other type is a TypeError that
// lists them.
template <typename... Ts, typename F>
auto with_image(const Napi::Env& env, const Napi::Value& v, const std::string& name, F&& f) {
  const napi_typedarray_type t = array_type(env, v, name);
  using R = decltype(f(ImageView<const std::tuple_element_t<0, std::tuple<Ts...>>>()));
  std::optional<R> r;
  ((!r && t == array_type_of<Ts>() ? (r.emplace(f(image_arg<Ts>(env, v, name))), true) : false) || ...);
  if (!r) {
    std::string want;
    const char* names[] = {type_name(array_type_of<Ts>())...};
    for (size_t i = 0; i < sizeof...(Ts); ++i) want += (i == 0 ? "" : i + 1 == sizeof...(Ts) ? " or " : ", ") + std::string(names[i]);
    throw Napi::TypeError::New(env, name + " must be " + (sizeof...(Ts) > 1 ? "" : "a ") + want + ", not " + type_name(t));
  }
  return std::move(*r);
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

// The output of a kernel: the caller's `out` image when given (element type T, exactly w x h,
// not sharing memory with the inputs; every kernel that takes one writes every pixel, so it
// need not be cleared), else a new TypedArray. A new array is fresh memory on every call (V8
// frees the last one only at a GC), so each of its pages is faulted in and zeroed while the
// kernel writes it: for CC8 on the 2048² bench mosaic, 1 thread, ~3,900 minor faults and
// 11.4-12.8 ms per call with a new 16 MB output vs 0 faults and 3.0-3.4 ms with a reused
// one (the C++ kernel alone: 3.3-3.9 ms, same run, 2-core machine, medians of 15).
template <typename T>
OutImage<T> out_arg(const Napi::Env& env, const Napi::Value& v, int64_t w, int64_t h, const std::string& name) {
  if (v.IsUndefined() || v.IsNull()) return out_image<T>(env, w, h);
  ImageView<T> view = mutable_image_arg<T>(env, v, name);
  if (view.width != w || view.height != h)
    throw Napi::RangeError::New(env, name + " is " + std::to_string(view.width) + "x" + std::to_string(view.height) + ", expected " +
                                         std::to_string(w) + "x" + std::to_string(h));
  return {image_data(env, v, name).As<Napi::TypedArrayOf<T>>(), view};
}

// A RangeError when an output shares memory with an input (the kernels read their inputs
// after they start writing the output).
template <typename A, typename B>
void require_disjoint(const Napi::Env& env, ImageView<A> out, ImageView<B> in, const std::string& what) {
  const auto* o = reinterpret_cast<const uint8_t*>(out.data);
  const auto* i = reinterpret_cast<const uint8_t*>(in.data);
  const size_t on = static_cast<size_t>(out.pixels()) * sizeof(A), in_n = static_cast<size_t>(in.pixels()) * sizeof(B);
  if (on > 0 && in_n > 0 && o < i + in_n && i < o + on) throw Napi::RangeError::New(env, what + " must not share memory with the inputs");
}

// {data, width, height} for a TypedArray result.
inline Napi::Object image_object(const Napi::Env& env, Napi::Value data, int64_t w, int64_t h) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("data", data);
  o.Set("width", Napi::Number::New(env, static_cast<double>(w)));
  o.Set("height", Napi::Number::New(env, static_cast<double>(h)));
  return o;
}

// A TypedArray argument of element type T with exactly n elements; `what` names it in the
// TypeError / RangeError.
template <typename T>
Napi::TypedArrayOf<T> typed_array(const Napi::Env& env, const Napi::Value& v, size_t n, const std::string& what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != array_type_of<T>())
    throw Napi::TypeError::New(env, what + " must be a " + type_name(array_type_of<T>()) +
                                        (v.IsTypedArray() ? std::string(", not ") + type_name(v.As<Napi::TypedArray>().TypedArrayType()) : std::string()));
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
