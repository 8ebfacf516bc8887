// Plain image views shared by every kernel. No Node types here: the N-API layer
// (native/napi) wraps TypedArrays into these and the kernels never see JavaScript.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace nucseg {

// A non-owning, row-major, single-channel view. `stride` is in elements, not bytes.
template <typename T>
struct ImageView {
  T* data = nullptr;
  int64_t width = 0;
  int64_t height = 0;
  int64_t stride = 0;

  ImageView() = default;
  ImageView(T* d, int64_t w, int64_t h) : data(d), width(w), height(h), stride(w) {}
  ImageView(T* d, int64_t w, int64_t h, int64_t s) : data(d), width(w), height(h), stride(s) {}
  // A mutable view converts to a read-only one.
  template <typename U, typename = std::enable_if_t<std::is_same_v<const U, T> && !std::is_same_v<U, T>>>
  ImageView(const ImageView<U>& o) : data(o.data), width(o.width), height(o.height), stride(o.stride) {}

  T* row(int64_t y) const { return data + y * stride; }
  T& at(int64_t x, int64_t y) const { return data[y * stride + x]; }
  int64_t pixels() const { return width * height; }
  bool empty() const { return width <= 0 || height <= 0; }
};

// An owning image, for kernel outputs and scratch space.
template <typename T>
struct Image {
  std::vector<T> storage;
  int64_t width = 0;
  int64_t height = 0;

  Image() = default;
  Image(int64_t w, int64_t h, T fill = T{}) : storage(static_cast<size_t>(w * h), fill), width(w), height(h) {}
  ImageView<T> view() { return ImageView<T>(storage.data(), width, height); }
  ImageView<const T> view() const { return ImageView<const T>(storage.data(), width, height); }
};

// Thrown for bad arguments; the binding layer turns it into a JS TypeError/RangeError.
struct ArgumentError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

template <typename A, typename B>
void require_same_size(const ImageView<A>& a, const ImageView<B>& b, const char* what) {
  if (a.width != b.width || a.height != b.height) {
    throw ArgumentError(std::string(what) + ": image sizes differ (" + std::to_string(a.width) + "x" +
                        std::to_string(a.height) + " vs " + std::to_string(b.width) + "x" +
                        std::to_string(b.height) + ")");
  }
}

}  // namespace nucseg
