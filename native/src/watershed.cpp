// Priority flooding with a hierarchical queue (Meyer's algorithm), in O(1) or O(log s) per
// pixel instead of a global binary heap:
// - Every pixel enters the queue at most once and its bucket is known up front, so each
//   bucket gets its own contiguous segment of one array, sized by a histogram.
// - 8/16-bit elevations: one bucket per value, first-in first-out; pops read the segment
//   in order (sequential memory, addresses known early, so misses overlap).
// - float32: the floodable pixels' order-preserving 32-bit keys are radix-sorted once
//   (packed with their position, so the passes stream) and each distinct value becomes
//   one FIFO bucket, so the order is exactly (value, age) as for integer images.
// The lowest non-empty bucket is tracked; a push below it moves it down, so a pixel lower
// than the flood front is taken next (scikit-image's heap flooding), and ties go in the
// order they entered (markers in raster order).
// The work happens on a copy padded by one pixel whose border is blocked, so neighbours
// need no bounds checks.
#include "nucseg/watershed.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <type_traits>
#include <vector>

namespace nucseg {
namespace {

inline uint32_t sort_key(float v) {
  uint32_t b;
  std::memcpy(&b, &v, 4);
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

constexpr uint32_t kBlocked = 0xFFFFFFFFu;  // padding, outside the mask, or a watershed line

// Sorts (key << 32 | position) values by key: LSD radix, two 16-bit passes over the key.
void radix_sort_by_key(std::vector<uint64_t>& v) {
  std::vector<uint64_t> tmp(v.size());
  for (int shift = 32; shift < 64; shift += 16) {
    std::vector<uint32_t> count(65537, 0);
    for (uint64_t x : v) ++count[((x >> shift) & 0xFFFF) + 1];
    for (size_t b = 1; b <= 65536; ++b) count[b] += count[b - 1];
    for (uint64_t x : v) tmp[count[(x >> shift) & 0xFFFF]++] = x;
    v.swap(tmp);
  }
}

}  // namespace

template <typename E>
void watershed(ImageView<const E> elevation, ImageView<const uint32_t> markers, ImageView<uint32_t> out,
               const WatershedOptions& opts) {
  require_same_size(elevation, markers, "watershed");
  require_same_size(elevation, out, "watershed");
  if (opts.mask) require_same_size(elevation, *opts.mask, "watershed: mask");
  if (opts.connectivity != 4 && opts.connectivity != 8) throw ArgumentError("watershed: connectivity must be 4 or 8");
  if (elevation.empty()) return;
  constexpr bool kFloat = std::is_same_v<E, float>;
  const int64_t w = elevation.width, h = elevation.height, pw = w + 2;
  const int64_t np = pw * (h + 2);
  if (np >= INT32_MAX) throw ArgumentError("watershed: image too large");

  // Padded labels: kBlocked where the flood may not go, else the marker (0 = unlabelled).
  // Buckets live in a separate, narrower array (read once per pixel, when it is pushed),
  // so the neighbour tests walk only the label array.
  using Bucket = std::conditional_t<std::is_same_v<E, uint8_t>, uint8_t, std::conditional_t<kFloat, uint32_t, uint16_t>>;
  std::vector<uint32_t> lab(static_cast<size_t>(np), kBlocked);
  // Read only at floodable pixels, which are all written below: no need to zero it.
  std::unique_ptr<Bucket[]> bucket(new Bucket[static_cast<size_t>(np)]);
  std::vector<uint64_t> sorted;  // float only: key << 32 | position
  std::vector<int32_t> seeds;    // marker pixels, in raster order
  if constexpr (kFloat) sorted.reserve(static_cast<size_t>(w * h / 4));
  for (int64_t y = 0; y < h; ++y) {
    const uint32_t* m = markers.row(y);
    const E* e = elevation.row(y);
    const uint8_t* mk = opts.mask ? opts.mask->row(y) : nullptr;
    const int64_t p0 = (y + 1) * pw + 1;
    for (int64_t x = 0; x < w; ++x) {
      if (m[x] == kBlocked) throw ArgumentError("watershed: marker id 4294967295 is reserved");
      if (mk && !mk[x]) continue;
      lab[p0 + x] = m[x];
      if (m[x]) seeds.push_back(static_cast<int32_t>(p0 + x));
      if constexpr (kFloat) {
        if (std::isnan(e[x])) throw ArgumentError("watershed: elevation contains NaN");
        sorted.push_back(static_cast<uint64_t>(sort_key(e[x])) << 32 | static_cast<uint64_t>(p0 + x));
      } else {
        bucket[p0 + x] = e[x];
      }
    }
  }
  size_t nb;
  std::vector<uint32_t> start;
  if constexpr (kFloat) {
    radix_sort_by_key(sorted);
    start.push_back(0);
    for (size_t i = 0; i < sorted.size(); ++i) {
      if (i > 0 && (sorted[i] >> 32) != (sorted[i - 1] >> 32)) start.push_back(static_cast<uint32_t>(i));
      bucket[static_cast<uint32_t>(sorted[i])] = static_cast<Bucket>(start.size() - 1);
    }
    start.push_back(static_cast<uint32_t>(sorted.size()));
    nb = start.size() - 1;
    std::vector<uint64_t>().swap(sorted);
  } else {
    nb = std::is_same_v<E, uint8_t> ? 256 : 65536;
    start.assign(nb + 1, 0);
    for (int64_t y = 0; y < h; ++y) {
      const int64_t p0 = (y + 1) * pw + 1;
      for (int64_t x = 0; x < w; ++x)
        if (lab[p0 + x] != kBlocked) ++start[bucket[p0 + x] + 1];
    }
    for (size_t b = 1; b <= nb; ++b) start[b] += start[b - 1];
  }
  // Bucket b's queue is fifo[rd[b], wr[b]).
  std::vector<uint32_t> rd(start.begin(), start.end()), wr(start.begin(), start.end());
  std::unique_ptr<int32_t[]> fifo(new int32_t[static_cast<size_t>(start[nb]) + 1]);
  uint32_t cur = UINT32_MAX;
  size_t queued = 0;
  auto push = [&](int32_t p) {
    const uint32_t b = bucket[p];
    fifo[wr[b]++] = p;
    if (b < cur) cur = b;
    ++queued;
  };
  for (int32_t p : seeds) push(p);

  const int32_t ipw = static_cast<int32_t>(pw);
  const int32_t offs[8] = {-1, 1, -ipw, ipw, -ipw - 1, -ipw + 1, ipw - 1, ipw + 1};
  const int nn = opts.connectivity == 8 ? 8 : 4;
  while (queued) {
    while (rd[cur] == wr[cur]) ++cur;
    // Prefetch the neighbourhood of a pixel a few pops ahead.
    if (rd[cur] + 16 < wr[cur]) {
      const int32_t a = fifo[rd[cur] + 16];
      __builtin_prefetch(&lab[a - ipw]);
      __builtin_prefetch(&lab[a]);
      __builtin_prefetch(&lab[a + ipw]);
      __builtin_prefetch(&bucket[a - ipw]);
      __builtin_prefetch(&bucket[a]);
      __builtin_prefetch(&bucket[a + ipw]);
    }
    const int32_t p = fifo[rd[cur]++];
    --queued;
    const uint32_t l = lab[p];
    for (int k = 0; k < nn; ++k) {
      const int32_t q = p + offs[k];
      if (lab[q] != 0) continue;  // labelled, blocked or a line
      if (opts.lines) {
        bool other = false;
        for (int j = 0; j < nn; ++j) {
          const uint32_t v = lab[q + offs[j]];
          if (v != 0 && v != kBlocked && v != l) {
            other = true;
            break;
          }
        }
        if (other) {
          lab[q] = kBlocked;  // a line: never flooded
          continue;
        }
      }
      lab[q] = l;
      push(q);
    }
  }
  for (int64_t y = 0; y < h; ++y) {
    const uint32_t* l = lab.data() + (y + 1) * pw + 1;
    uint32_t* o = out.row(y);
    for (int64_t x = 0; x < w; ++x) o[x] = l[x] == kBlocked ? 0u : l[x];
  }
}

template void watershed<uint8_t>(ImageView<const uint8_t>, ImageView<const uint32_t>, ImageView<uint32_t>, const WatershedOptions&);
template void watershed<uint16_t>(ImageView<const uint16_t>, ImageView<const uint32_t>, ImageView<uint32_t>, const WatershedOptions&);
template void watershed<float>(ImageView<const float>, ImageView<const uint32_t>, ImageView<uint32_t>, const WatershedOptions&);

}  // namespace nucseg
