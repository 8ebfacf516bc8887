#pragma once
// Conversions of untrusted doubles (from JavaScript) to the integers the kernels take, defined
// for every input: a cast of NaN, Infinity or a value out of range is undefined behaviour in
// C++ (fuzz findings remove-area-cast, augment-int-range-cast). Used by the N-API bindings and
// by the fuzz targets, so the fuzzers exercise the bindings' own conversion.
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace nucseg {

/** An area in pixels: NaN and negatives -> 0, anything above 2^62 (Infinity too) -> 2^62. */
inline uint64_t area_from_double(double v) {
  return static_cast<uint64_t>(std::isnan(v) ? 0.0 : std::clamp(v, 0.0, 4611686018427387904.0));
}

/** An int: NaN -> 0, clamped to [INT32_MIN, INT32_MAX], truncated toward zero. */
inline int int_from_double(double v) {
  return static_cast<int>(std::isnan(v) ? 0.0 : std::clamp(v, -2147483648.0, 2147483647.0));
}

}  // namespace nucseg
