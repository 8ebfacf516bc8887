// Shared helpers of the libFuzzer targets (native/fuzz/*.cpp).
//
// Each target models one family of N-API bindings (native/napi/*.cpp): it decodes the fuzz
// input into the arguments JavaScript could pass, applies exactly the checks the binding and
// its JS wrapper (lib/kernels/*.ts) apply, then calls the kernels the way the binding does.
// Every rejection those layers would turn into a JS error (nucseg::ArgumentError and
// std::bad_alloc from a kernel; a failed check here) is an expected outcome. Anything else is
// a finding: an ASan/UBSan report, another exception type escaping a kernel, a hang
// (-timeout) or an allocation past -malloc_limit_mb.
//
// Input layout (all targets): a small header read front to back with Reader, then the pixel
// bytes. When the input runs out, every further value reads as 0, so truncated inputs are
// still valid programs. scripts/fuzz.sh builds the seed corpora with native/fuzz/make_seeds.py,
// which writes the same layout (keep the two in sync).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <new>
#include <vector>

#include "nucseg/image.hpp"

namespace nucseg::fuzz {

// Largest image the targets build (pixels, and per side): keeps most runs well under a
// millisecond. kMaxLargePixels (a rarer size mode) is past the sizes at which the threaded
// kernels split an image into several chunks (2^16 .. 2^18 pixels), so the seams between
// chunks are covered too.
constexpr int64_t kMaxPixels = int64_t(1) << 14;
constexpr int64_t kMaxLargePixels = int64_t(1) << 19;
constexpr int64_t kMaxSide = 4096;

class Reader {
 public:
  Reader(const uint8_t* d, size_t n) : d_(d), n_(n) {}
  size_t left() const { return n_ - p_; }
  uint8_t u8() { return p_ < n_ ? d_[p_++] : 0; }
  uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }
  uint32_t u32() { return static_cast<uint32_t>(u16()) | (static_cast<uint32_t>(u16()) << 16); }
  uint64_t u64() { return static_cast<uint64_t>(u32()) | (static_cast<uint64_t>(u32()) << 32); }
  float f32() {
    uint32_t b = u32();
    float f;
    std::memcpy(&f, &b, 4);
    return f;
  }
  double f64() {
    uint64_t b = u64();
    double f;
    std::memcpy(&f, &b, 8);
    return f;
  }
  // A double from a few bytes: mostly small "interesting" values, sometimes raw bits
  // (NaN, infinities, subnormals, 1e308 ...).
  double interesting() {
    static const double k[] = {0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1e-300, -1e-300, 1e300, -1e300,
                               std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                               std::numeric_limits<double>::quiet_NaN(), 4294967296.0, 2147483648.0, 1e-9};
    const uint8_t tag = u8();
    if (tag < 64) return k[tag % 16];
    if (tag < 192) return static_cast<double>(static_cast<int16_t>(u16())) / 256.0;
    return f64();
  }
  // A double in [lo, hi] (mapped from 16 bits), for parameters the JS wrapper bounds.
  double in_range(double lo, double hi) { return lo + (hi - lo) * (u16() / 65535.0); }
  // Copies the next n bytes into dst; zero fills what the input does not have.
  void bytes(void* dst, size_t n) {
    const size_t k = std::min(n, left());
    if (k) std::memcpy(dst, d_ + p_, k);
    if (n > k) std::memset(static_cast<uint8_t*>(dst) + k, 0, n - k);
    p_ += k;
  }

 private:
  const uint8_t* d_;
  size_t n_;
  size_t p_ = 0;
};

// Known findings not fixed yet, by id (docs/fuzzing.md lists them), named in the environment
// variable NUCSEG_FUZZ_KNOWN (comma-separated, or "all"). A target skips an input that would
// trigger a listed finding, as if a check had rejected it, so a long run explores past it
// instead of stopping there. Unset (the default), every finding is reported.
inline bool known(const char* id) {
  static const char* env = std::getenv("NUCSEG_FUZZ_KNOWN");
  if (!env || !*env) return false;
  if (std::strcmp(env, "all") == 0) return true;
  const size_t n = std::strlen(id);
  for (const char* p = env; (p = std::strstr(p, id)) != nullptr; p += n)
    if ((p == env || p[-1] == ',') && (p[n] == 0 || p[n] == ',')) return true;
  return false;
}

// Image size as JS may give it: checkImage (lib/kernels/check.ts) and image_arg
// (native/napi/convert.hpp) accept any integers w, h >= 0 with data.length == w*h, so
// besides ordinary sizes an empty image may have a huge other side (0 x 2^40).
// Layout: mode (u8: < 240 ordinary, 240..249 large, >= 250 degenerate), then w, h (u16
// each; sides are taken mod 4097 and h is lowered to fit the pixel cap) or, degenerate,
// the huge side (u64, low 53 bits; mode odd: 0 x big, even: big x 0).
struct Size {
  int64_t w = 0, h = 0;
  int64_t pixels() const { return w * h; }
};

inline Size read_size(Reader& r) {
  const uint8_t mode = r.u8();
  Size s;
  if (mode >= 250) {
    // degenerate: one side 0, the other anything a JS number holds exactly (< 2^53)
    int64_t big = static_cast<int64_t>(r.u64() & ((uint64_t(1) << 53) - 1));
    // empty-image-huge-side: kernels that loop over the rows of an empty image before
    // returning spin ~2^53 times (a hang); bounded here when that finding is known
    if (known("empty-image-huge-side")) big &= (int64_t(1) << 16) - 1;
    if (mode & 1) s = {0, big};
    else s = {big, 0};
    return s;
  }
  const int64_t cap = mode >= 240 ? kMaxLargePixels : kMaxPixels;
  s.w = r.u16() % (kMaxSide + 1);
  s.h = r.u16() % (kMaxSide + 1);
  if (s.w * s.h > cap) s.h = s.w ? cap / s.w : 0;
  return s;
}

// An owned buffer of `s.pixels()` elements filled from the input (the TypedArray's data).
template <typename T>
std::vector<T> read_pixels(Reader& r, Size s) {
  std::vector<T> v(static_cast<size_t>(s.pixels()));
  r.bytes(v.data(), v.size() * sizeof(T));
  return v;
}

// Label ids: raw bytes give huge sparse ids; `dense` folds them to a few small ids so that
// regions (and holes, merges, overlaps) actually form.
template <typename T>
void fold_labels(std::vector<T>& v, uint8_t mode) {
  if (mode % 3 == 0) return;  // raw
  const T k = static_cast<T>(mode % 3 == 1 ? 4 : 32);
  for (auto& x : v) x = static_cast<T>(x % k);
}

inline void fold_mask(std::vector<uint8_t>& v, uint8_t mode) {
  if (mode & 1) for (auto& x : v) x = x & 1;
}

// Thread counts the wrappers pass: 0 (all cores) .. 4 x cores (boundThreads). Kept small
// here; the chunking depends only on the image size and this number.
inline int read_threads(Reader& r) { return r.u8() % 5; }

// A finding that is not a memory error: report it like a crash so libFuzzer saves the input.
[[noreturn]] inline void finding(const char* what, const char* detail) {
  std::fprintf(stderr, "\n==nucseg-fuzz== FINDING: %s: %s\n", what, detail);
  std::abort();
}

// Runs one call the way the binding's guarded() does: ArgumentError -> RangeError and
// bad_alloc -> Error are expected; another exception type escaping a kernel is a finding
// (the binding would still turn it into a JS Error, but it means a kernel hit a state it
// does not handle: an .at() miss, a length_error from a negative size, ...).
template <typename F>
void guarded(const char* name, F&& f) {
  try {
    f();
  } catch (const nucseg::ArgumentError&) {
  } catch (const std::bad_alloc&) {
  } catch (const std::exception& e) {
    finding(name, e.what());
  }
}

}  // namespace nucseg::fuzz
