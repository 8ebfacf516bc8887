// Priority flooding with a two-level bucket queue instead of a binary heap: the 32-bit
// order-preserving key of each elevation picks a bucket (its high bits); for 8/16-bit
// elevations a bucket is one level and a FIFO queue, for float32 a small heap ordered by
// (key, age). The lowest non-empty bucket is tracked, and pushes below it move it down
// (elevations need not rise monotonically, as in scikit-image's heap flooding).
#include "nucseg/watershed.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

namespace nucseg {
namespace {

inline uint32_t sort_key(uint8_t v) { return v; }
inline uint32_t sort_key(uint16_t v) { return v; }
inline uint32_t sort_key(float v) {
  uint32_t b;
  std::memcpy(&b, &v, 4);
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

struct HeapItem {
  uint32_t key;
  uint32_t age_hi;  // ages can exceed 2^32 for huge images: split in two
  uint32_t age_lo;
  uint32_t pad;
  int64_t index;
  bool operator>(const HeapItem& o) const {
    if (key != o.key) return key > o.key;
    if (age_hi != o.age_hi) return age_hi > o.age_hi;
    return age_lo > o.age_lo;
  }
};

// Exact-level buckets (8/16-bit elevations): FIFO per level.
class LevelQueue {
 public:
  explicit LevelQueue(size_t levels) : q_(levels), head_(levels, 0) {}
  void push(uint32_t key, int64_t index) {
    q_[key].push_back(index);
    if (key < cur_) cur_ = key;
    ++size_;
  }
  bool pop(int64_t& index) {
    if (!size_) return false;
    while (head_[cur_] == q_[cur_].size()) {
      q_[cur_].clear();
      head_[cur_] = 0;
      ++cur_;
    }
    index = q_[cur_][head_[cur_]++];
    --size_;
    return true;
  }

 private:
  std::vector<std::vector<int64_t>> q_;
  std::vector<size_t> head_;
  uint32_t cur_ = UINT32_MAX;
  size_t size_ = 0;
};

// Float elevations: 65536 buckets on the high 16 bits of the key, each a min-heap.
class FloatQueue {
 public:
  FloatQueue() : b_(65536) {}
  void push(uint32_t key, uint64_t age, int64_t index) {
    const uint32_t k = key >> 16;
    auto& h = b_[k];
    h.push_back({key, static_cast<uint32_t>(age >> 32), static_cast<uint32_t>(age), 0, index});
    std::push_heap(h.begin(), h.end(), std::greater<HeapItem>());
    if (k < cur_) cur_ = k;
    ++size_;
  }
  bool pop(int64_t& index) {
    if (!size_) return false;
    while (b_[cur_].empty()) ++cur_;
    auto& h = b_[cur_];
    std::pop_heap(h.begin(), h.end(), std::greater<HeapItem>());
    index = h.back().index;
    h.pop_back();
    --size_;
    return true;
  }

 private:
  std::vector<std::vector<HeapItem>> b_;
  uint32_t cur_ = UINT32_MAX;
  size_t size_ = 0;
};

template <typename E, typename Q>
void flood(ImageView<const E> elev, ImageView<const uint32_t> markers, ImageView<uint32_t> out,
           const WatershedOptions& o, Q& queue) {
  const int64_t w = elev.width, h = elev.height;
  const uint8_t* mask = o.mask;
  std::vector<uint8_t> line(o.lines ? static_cast<size_t>(w * h) : 0, 0);
  uint64_t age = 0;
  auto push = [&](int64_t i) {
    const E v = elev.data[(i / w) * elev.stride + i % w];
    if constexpr (std::is_same_v<E, float>)
      queue.push(sort_key(v), age++, i);
    else
      queue.push(sort_key(v), i);
  };
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      const int64_t i = y * w + x;
      uint32_t m = markers.row(y)[x];
      if (mask && !mask[i]) m = 0;
      out.row(y)[x] = m;
    }
  for (int64_t i = 0; i < w * h; ++i)
    if (out.data[(i / w) * out.stride + i % w]) push(i);

  static const int dx8[8] = {-1, 1, 0, 0, -1, 1, -1, 1}, dy8[8] = {0, 0, -1, 1, -1, -1, 1, 1};
  const int nn = o.connectivity == 8 ? 8 : 4;
  auto lab = [&](int64_t x, int64_t y) -> uint32_t& { return out.row(y)[x]; };
  int64_t i;
  while (queue.pop(i)) {
    const int64_t x = i % w, y = i / w;
    const uint32_t l = lab(x, y);
    for (int k = 0; k < nn; ++k) {
      const int64_t nx = x + dx8[k], ny = y + dy8[k];
      if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
      const int64_t j = ny * w + nx;
      if ((mask && !mask[j]) || lab(nx, ny) || (o.lines && line[j])) continue;
      if (o.lines) {
        bool other = false;
        for (int q = 0; q < nn && !other; ++q) {
          const int64_t mx = nx + dx8[q], my = ny + dy8[q];
          if (mx < 0 || my < 0 || mx >= w || my >= h) continue;
          const uint32_t v = lab(mx, my);
          other = v && v != l;
        }
        if (other) {
          line[j] = 1;
          continue;
        }
      }
      lab(nx, ny) = l;
      push(j);
    }
  }
}

}  // namespace

template <typename E>
void watershed(ImageView<const E> elevation, ImageView<const uint32_t> markers, ImageView<uint32_t> out,
               const WatershedOptions& opts) {
  require_same_size(elevation, markers, "watershed");
  require_same_size(elevation, out, "watershed");
  if (opts.connectivity != 4 && opts.connectivity != 8) throw ArgumentError("watershed: connectivity must be 4 or 8");
  if (elevation.empty()) return;
  if constexpr (std::is_same_v<E, float>) {
    for (int64_t y = 0; y < elevation.height; ++y)
      for (int64_t x = 0; x < elevation.width; ++x)
        if (std::isnan(elevation.row(y)[x])) throw ArgumentError("watershed: elevation contains NaN");
    FloatQueue q;
    flood(elevation, markers, out, opts, q);
  } else {
    LevelQueue q(std::is_same_v<E, uint8_t> ? 256 : 65536);
    flood(elevation, markers, out, opts, q);
  }
}

template void watershed<uint8_t>(ImageView<const uint8_t>, ImageView<const uint32_t>, ImageView<uint32_t>, const WatershedOptions&);
template void watershed<uint16_t>(ImageView<const uint16_t>, ImageView<const uint32_t>, ImageView<uint32_t>, const WatershedOptions&);
template void watershed<float>(ImageView<const float>, ImageView<const uint32_t>, ImageView<uint32_t>, const WatershedOptions&);

}  // namespace nucseg
