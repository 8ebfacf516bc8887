// Hash map from a uint64 key to a uint64 count, built for the overlap kernel (key =
// gt << 32 | pred). Two levels: a small direct-mapped front table that stays in L1 cache
// (the labels active in the current rows of an image are few) in front of an
// open-addressing table holding everything else. Keys are interleaved with their counts,
// so one add touches one cache line. All-ones marks an empty slot; that one key (label
// 2^32-1 in both images) is counted on the side, so every key is valid and callers need
// no branch before add().
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

namespace nucseg {

class HashCounter {
 public:
  static constexpr uint64_t kEmpty = ~0ull;

  explicit HashCounter(size_t initial_capacity = 4096) {
    reset(initial_capacity);
    for (auto& e : front_) e = {kEmpty, 0};
  }

  // Adds `n` to the count of `key`.
  inline void add(uint64_t key, uint64_t n) {
    if (__builtin_expect(key == kEmpty, 0)) {
      all_ones_ += n;
      return;
    }
    const uint64_t h = mix(key);
    Entry& f = front_[h & (kFront - 1)];
    if (f.key == key) {
      f.count += n;
      return;
    }
    if (f.key != kEmpty) insert(f.key, f.count, mix(f.key));
    f = {key, n};
  }

  // Calls f(key, count) for every key (the front table is flushed first; order unspecified).
  template <typename F>
  void for_each(F&& f) {
    flush_front();
    for (const Entry& e : table_)
      if (e.key != kEmpty) f(e.key, e.count);
    if (all_ones_) f(kEmpty, all_ones_);
  }

  size_t size() {
    flush_front();
    return size_ + (all_ones_ ? 1 : 0);
  }

 private:
  struct Entry {
    uint64_t key;
    uint64_t count;
  };
  static constexpr size_t kFront = 256;

  static inline uint64_t mix(uint64_t key) {
    key ^= key >> 31;
    key *= 0x9E3779B97F4A7C15ull;
    return key ^ (key >> 29);
  }

  void flush_front() {
    for (Entry& e : front_) {
      if (e.key != kEmpty) insert(e.key, e.count, mix(e.key));
      e = {kEmpty, 0};
    }
  }

  void insert(uint64_t key, uint64_t n, uint64_t h) {
    if (key == kEmpty) {
      all_ones_ += n;
      return;
    }
    size_t i = static_cast<size_t>(h >> 17) & mask_;
    while (true) {
      Entry& e = table_[i];
      if (e.key == key) {
        e.count += n;
        return;
      }
      if (e.key == kEmpty) {
        e = {key, n};
        if (++size_ * 2 > table_.size()) grow();
        return;
      }
      i = (i + 1) & mask_;
    }
  }

  void reset(size_t cap) {
    size_t c = 16;
    while (c < cap) c <<= 1;
    table_.assign(c, Entry{kEmpty, 0});
    mask_ = c - 1;
    size_ = 0;
  }

  void grow() {
    std::vector<Entry> old = std::move(table_);
    reset(old.size() * 2);
    for (const Entry& e : old)
      if (e.key != kEmpty) insert(e.key, e.count, mix(e.key));
  }

  Entry front_[kFront];
  std::vector<Entry> table_;
  size_t mask_ = 0;
  size_t size_ = 0;
  uint64_t all_ones_ = 0;
};

}  // namespace nucseg
