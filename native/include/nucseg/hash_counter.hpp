// Open-addressing hash map from a non-zero uint64 key to a uint64 count. Used by the
// overlap kernel (key = gt << 32 | pred); small, cache-friendly and much faster than
// std::unordered_map for the few thousand keys a field of nuclei produces.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

namespace nucseg {

class HashCounter {
 public:
  explicit HashCounter(size_t initial_capacity = 1024) { reset(initial_capacity); }

  // Adds `n` to the count of `key` (key must not be 0: 0 marks an empty slot).
  void add(uint64_t key, uint64_t n) {
    size_t i = slot(key);
    while (true) {
      uint64_t k = keys_[i];
      if (k == key) {
        counts_[i] += n;
        return;
      }
      if (k == 0) {
        keys_[i] = key;
        counts_[i] = n;
        if (++size_ * 2 > keys_.size()) grow();
        return;
      }
      i = (i + 1) & mask_;
    }
  }

  size_t size() const { return size_; }

  template <typename F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < keys_.size(); ++i)
      if (keys_[i] != 0) f(keys_[i], counts_[i]);
  }

 private:
  void reset(size_t cap) {
    size_t c = 16;
    while (c < cap) c <<= 1;
    keys_.assign(c, 0);
    counts_.assign(c, 0);
    mask_ = c - 1;
    size_ = 0;
  }
  size_t slot(uint64_t key) const {
    // Fibonacci hashing of the key's high-mixed bits.
    uint64_t h = (key ^ (key >> 29)) * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h >> 20) & mask_;
  }
  void grow() {
    std::vector<uint64_t> k = std::move(keys_), c = std::move(counts_);
    reset(k.size() * 2);
    for (size_t i = 0; i < k.size(); ++i)
      if (k[i] != 0) add(k[i], c[i]);
  }

  std::vector<uint64_t> keys_, counts_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace nucseg
