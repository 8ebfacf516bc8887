// Seeded (marker-controlled) watershed by priority flooding.
#pragma once
#include <cstdint>
#include <optional>

#include "nucseg/image.hpp"

namespace nucseg {

struct WatershedOptions {
  // Flood only where non-zero. Same size as the markers, or an ArgumentError: the kernel
  // checks it (as a raw pointer its size was only checked by the binding).
  std::optional<ImageView<const uint8_t>> mask;
  int connectivity = 4;  // 4 or 8
  bool lines = false;    // leave 0-valued watershed lines between basins
};

// Floods `elevation` from the non-zero `markers` (uint32 labels < 2^32-1) into `out`. Pixels are
// taken lowest elevation first; ties are first-in first-out (markers enter in raster
// order), so the result is deterministic. Like scikit-image, a pixel enters the queue at
// its own elevation (not the level of the flood), so it is processed as soon as it is the
// lowest. Unreached pixels (outside the mask, or cut off) stay 0. With `lines`, a pixel
// that would join a basin while touching a pixel of another basin becomes a line (0).
// Scratch memory is kept per calling thread and reused by its next call (a few bytes per
// pixel of the largest image it flooded).
template <typename E>
void watershed(ImageView<const E> elevation, ImageView<const uint32_t> markers, ImageView<uint32_t> out,
               const WatershedOptions& opts);

}  // namespace nucseg
