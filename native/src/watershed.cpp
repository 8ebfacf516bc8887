// Priority flooding with a hierarchical queue (Meyer's algorithm), in O(1) per pixel instead
// of a global binary heap:
// - Every pixel enters the queue at most once and its bucket is known up front, so each
//   bucket gets its own contiguous segment of one array, sized by a histogram.
// - 8/16-bit elevations: one bucket per value, first-in first-out; pops read the segment
//   in order (sequential memory, addresses known early, so misses overlap).
// - float32: each distinct value of the queued pixels becomes one FIFO bucket, so the order
//   is exactly (value, age) as for integer images. The distinct values are collected in a
//   small hash table and sorted (up to 16384 of them, so that a pixel keeps a 16-bit slot;
//   nucseg's -normEDT elevation has about a thousand); beyond that, the queued pixels'
//   (key, position) pairs are radix-sorted (11-bit digits, passes whose digit never
//   varies skipped) into a 32-bit bucket per pixel.
// The lowest non-empty bucket is tracked; a push below it moves it down, so a pixel lower
// than the flood front is taken next (scikit-image's heap flooding), and ties go in the
// order they entered (markers in raster order).
// Only pixels that can do something when popped enter the queue: the unlabelled floodable
// pixels and the markers with an unlabelled neighbour. A marker pixel whose neighbours are
// all labelled or blocked at the start would find nothing to flood (labels are never
// removed), so leaving it out changes neither the result nor the order of the others —
// on the bench mosaic, where the background marker covers most of the image, that is 3.0
// of 3.3 million marker pixels.
// The work happens on a copy padded by one pixel whose border is blocked, so neighbours
// need no bounds checks. The per-row set-up passes are branch-free so that they vectorize.
// The scratch buffers are kept per thread and reused by the next call (5-8 bytes per pixel
// of the largest image seen on that thread, plus 4 per queued pixel, 20 for floats with
// many distinct values), because fresh pages cost more than the flood itself on small VMs
// (a page fault per 4 KiB: 38 MB of fresh scratch per 2048² call before).
#include "nucseg/watershed.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "nucseg/scratch.hpp"

namespace nucseg {
namespace {

inline uint32_t sort_key(float v) {
  uint32_t b;
  std::memcpy(&b, &v, 4);
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

constexpr uint32_t kBlocked = 0xFFFFFFFFu;  // padding, outside the mask, or a watershed line

struct Scratch {
  ScratchBuffer<uint32_t> lab, start, wr, count, table, bucket32;
  ScratchBuffer<uint8_t> bucket, flags;  // bucket: bytes of uint8, uint16 or uint32 per pixel
  ScratchBuffer<int32_t> fifo, seeds;
  ScratchBuffer<uint64_t> sorted, tmp;
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// queued[x] = 1 where pixel x of a padded label row l (rows up and dn around it) enters the
// queue: floodable and either unlabelled or with an unlabelled neighbour (4- or
// 8-connected). The loops here are branch-free and written so that GCC vectorizes them
// (unsigned min/max/or reductions, no bool reductions); compiled for AVX2 and a baseline.
__attribute__((target_clones("avx2", "default"))) void queued_flags(const uint32_t* __restrict up, const uint32_t* __restrict l,
                                                                    const uint32_t* __restrict dn, int64_t w, bool eight,
                                                                    uint8_t* __restrict queued) {
  if (eight) {
    for (int64_t x = 0; x < w; ++x) {
      const uint32_t lo = std::min({l[x], l[x - 1], l[x + 1], up[x], dn[x], up[x - 1], up[x + 1], dn[x - 1], dn[x + 1]});
      queued[x] = static_cast<uint8_t>((lo == 0) & (l[x] != kBlocked));
    }
  } else {
    for (int64_t x = 0; x < w; ++x) {
      const uint32_t lo = std::min({l[x], l[x - 1], l[x + 1], up[x], dn[x]});
      queued[x] = static_cast<uint8_t>((lo == 0) & (l[x] != kBlocked));
    }
  }
}

// Whether any floodable pixel of the row is NaN.
__attribute__((target_clones("avx2", "default"))) bool any_nan(const float* __restrict e, const uint32_t* __restrict l, int64_t w) {
  using Bits = uint32_t __attribute__((may_alias));
  const Bits* b = reinterpret_cast<const Bits*>(e);
  uint32_t mx = 0;  // the largest |bits| of a floodable pixel; NaN above +inf's
  for (int64_t x = 0; x < w; ++x) mx = std::max(mx, b[x] & 0x7FFFFFFFu & (0u - static_cast<uint32_t>(l[x] != kBlocked)));
  return mx > 0x7F800000u;
}

// Row y of the padded labels from the markers (and mask); whether a marker is the
// reserved id.
__attribute__((target_clones("avx2", "default"))) bool fill_labels(const uint32_t* __restrict m, const uint8_t* __restrict mk,
                                                                   int64_t w, uint32_t* __restrict l) {
  uint32_t lo = kBlocked;  // the smallest ~marker: 0 iff a marker is the reserved id
  if (mk) {
    for (int64_t x = 0; x < w; ++x) {
      lo = std::min(lo, ~m[x]);
      l[x] = m[x] | (0u - static_cast<uint32_t>(mk[x] == 0));
    }
  } else {
    for (int64_t x = 0; x < w; ++x) {
      lo = std::min(lo, ~m[x]);
      l[x] = m[x];
    }
  }
  return lo == 0;
}

// Sorts n (key << 32 | position) values by key: LSD radix, 11-bit digits; a pass whose
// digit is the same for every value is skipped. Returns the sorted array (a or tmp).
uint64_t* radix_sort_by_key(uint64_t* a, uint64_t* tmp, size_t n, uint32_t* count) {
  constexpr int kBits = 11;
  constexpr uint32_t kR = 1u << kBits;
  for (int shift = 32; shift < 64; shift += kBits) {
    std::fill(count, count + kR + 1, 0u);
    for (size_t i = 0; i < n; ++i) ++count[((a[i] >> shift) & (kR - 1)) + 1];
    bool trivial = false;
    for (uint32_t b = 1; b <= kR; ++b) {
      if (count[b] == n) trivial = true;
      count[b] += count[b - 1];
    }
    if (trivial) continue;
    for (size_t i = 0; i < n; ++i) tmp[count[(a[i] >> shift) & (kR - 1)]++] = a[i];
    std::swap(a, tmp);
  }
  return a;
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
  const int32_t ipw = static_cast<int32_t>(pw);
  const int32_t offs[8] = {-1, 1, -ipw, ipw, -ipw - 1, -ipw + 1, ipw - 1, ipw + 1};
  const int nn = opts.connectivity == 8 ? 8 : 4;

  Scratch& S = scratch();
  // Padded labels: kBlocked where the flood may not go, else the marker (0 = unlabelled).
  // Buckets live in a separate, narrower array (read once per pixel, when it is pushed),
  // so the neighbour tests walk only the label array. Both are written below (bucket: at
  // every pixel that can be queued), so neither is cleared.
  // (float: a 16-bit hash slot, or with many distinct values the 32-bit bucket in bucket32)
  using Bucket = std::conditional_t<std::is_same_v<E, uint8_t>, uint8_t, uint16_t>;
  uint32_t* const lab = S.lab.get(static_cast<size_t>(np));
  Bucket* const bucket = reinterpret_cast<Bucket*>(S.bucket.get(static_cast<size_t>(np) * sizeof(Bucket)));
  // The queued pixels: unlabelled floodable ones, and markers with an unlabelled neighbour
  // (those in raster order in `seeds`). Integer elevations: counted per value. Float: each
  // distinct key gets a slot of a small hash table (bucket[p] = slot, counted per slot) and
  // the slots are ranked by key afterwards; with more than kMaxDistinct distinct values the
  // (key, position) pairs are radix-sorted instead.
  int32_t* const seeds = S.seeds.get(static_cast<size_t>(w * h));
  size_t nseeds = 0, nq = 0;
  constexpr size_t kLevels = kFloat ? 0 : (std::is_same_v<E, uint8_t> ? 256 : 65536);
  constexpr uint32_t kMaxDistinct = 1u << 14, kTableBits = 16, kTable = 1u << kTableBits;  // load <= 1/4
  uint32_t* const count = S.count.get(kFloat ? kTable + 1 : kLevels + 1);
  uint32_t* const table = kFloat ? S.table.get(kTable) : nullptr;  // keys; 0 = empty (a NaN's key)
  std::fill(count, count + (kFloat ? kTable + 1 : kLevels + 1), 0u);
  if constexpr (kFloat) std::fill(table, table + kTable, 0u);
  size_t distinct = 0;
  bool hashed = kFloat, nan = false;

  uint8_t* const flags = S.flags.get(static_cast<size_t>(w));
  // Row y of the padded arrays from the inputs.
  auto build_row = [&](int64_t y) {
    uint32_t* l = lab + (y + 1) * pw + 1;
    l[-1] = l[w] = kBlocked;
    if (fill_labels(markers.row(y), opts.mask ? opts.mask->row(y) : nullptr, w, l)) throw ArgumentError("watershed: marker id 4294967295 is reserved");
    if constexpr (!kFloat) std::memcpy(bucket + (y + 1) * pw + 1, elevation.row(y), static_cast<size_t>(w) * sizeof(E));
  };
  // The queued pixels of row y (rows y - 1 .. y + 1 built).
  auto classify_row = [&](int64_t y) {
    const int32_t p0 = static_cast<int32_t>((y + 1) * pw + 1);
    const uint32_t* l = lab + p0;
    const E* e = elevation.row(y);
    if constexpr (kFloat) nan |= any_nan(e, l, w);
    queued_flags(l - pw, l, l + pw, w, nn == 8, flags);
    for (int64_t x0 = 0; x0 < w; x0 += 8) {
      // skip 8 pixels at a time where none is queued (most of a masked or seeded image)
      if (x0 + 8 <= w) {
        uint64_t word;
        std::memcpy(&word, flags + x0, 8);
        if (!word) continue;
      }
      for (int64_t x = x0; x < std::min<int64_t>(x0 + 8, w); ++x) {
        if (!flags[x]) continue;
        const int32_t p = p0 + static_cast<int32_t>(x);
        if (l[x] != 0) seeds[nseeds++] = p;
        ++nq;
        if constexpr (kFloat) {
          if (hashed) {
            const uint32_t key = sort_key(e[x]);
            uint32_t i = (key * 0x9E3779B1u) >> (32 - kTableBits);
            while (table[i] != key && table[i] != 0) i = (i + 1) & (kTable - 1);
            if (table[i] == 0) {
              table[i] = key;
              if (++distinct > kMaxDistinct) hashed = false;
            }
            bucket[p] = static_cast<Bucket>(i);
            ++count[i];
          }
        } else {
          ++count[e[x] + 1];
        }
      }
    }
  };
  std::fill(lab, lab + pw, kBlocked);
  std::fill(lab + (h + 1) * pw, lab + np, kBlocked);
  // one row behind, so that the rows being classified are still in cache
  for (int64_t y = 0; y <= h; ++y) {
    if (y < h) build_row(y);
    if (y > 0) classify_row(y - 1);
  }
  if (nan) throw ArgumentError("watershed: elevation contains NaN");

  size_t nb;
  uint32_t* start;
  uint32_t* bucket32 = nullptr;  // float, many distinct values: each queued pixel's bucket
  if constexpr (kFloat) {
    start = S.start.get(std::max<size_t>(nq, distinct) + 1);
    if (hashed) {
      // rank the distinct keys; bucket[p] (a slot) -> rank[slot] when pushed
      uint64_t* ks = S.sorted.get(distinct);
      nb = 0;
      for (uint32_t i = 0; i < kTable; ++i)
        if (table[i]) ks[nb++] = static_cast<uint64_t>(table[i]) << 32 | i;
      std::sort(ks, ks + nb);
      start[0] = 0;
      for (size_t r = 0; r < nb; ++r) {
        const uint32_t slot = static_cast<uint32_t>(ks[r]);
        start[r + 1] = start[r] + count[slot];
        table[slot] = static_cast<uint32_t>(r);  // the table now maps slot -> rank
      }
    } else {
      // too many distinct values: sort the (key, position) pairs of the queued pixels,
      // collected again by the same rule
      uint64_t* sorted = S.sorted.get(nq);
      bucket32 = S.bucket32.get(static_cast<size_t>(np));
      size_t n = 0;
      for (int64_t y = 0; y < h; ++y) {
        const int32_t p0 = static_cast<int32_t>((y + 1) * pw + 1);
        const E* e = elevation.row(y);
        queued_flags(lab + p0 - pw, lab + p0, lab + p0 + pw, w, nn == 8, flags);
        for (int64_t x = 0; x < w; ++x)
          if (flags[x]) sorted[n++] = static_cast<uint64_t>(sort_key(e[x])) << 32 | static_cast<uint32_t>(p0 + x);
      }
      const uint64_t* s = radix_sort_by_key(sorted, S.tmp.get(nq), nq, count);
      // one bucket per distinct key: start[b] = its first position in the sorted order
      nb = 0;
      uint64_t prev = ~uint64_t{0};
      for (size_t i = 0; i < nq; ++i) {
        const uint64_t key = s[i] >> 32;
        if (key != prev) {
          start[nb++] = static_cast<uint32_t>(i);
          prev = key;
        }
        bucket32[static_cast<uint32_t>(s[i])] = static_cast<uint32_t>(nb - 1);
      }
      start[nb] = static_cast<uint32_t>(nq);
    }
  } else {
    nb = kLevels;
    start = count;
    for (size_t b = 1; b <= nb; ++b) start[b] += start[b - 1];
  }
  // float, hashed: bucket[p] is a slot of `table`, which maps it to the bucket
  const uint32_t* const rank = kFloat && hashed ? table : nullptr;
  // Bucket b's queue is fifo[rd[b], wr[b]); rd starts as `start` (which it overwrites).
  uint32_t* const wr = S.wr.get(nb + 1);
  std::copy(start, start + nb + 1, wr);
  int32_t* const fifo = S.fifo.get(nq + 1);
  uint32_t cur = UINT32_MAX;
  size_t queued = 0;
  uint32_t* const rd = start;
  // The flood, compiled per connectivity, lines option and bucket mapping (hashed float):
  // the seeds enter first, in raster order, then each popped pixel pushes its neighbours.
  auto flood = [&](auto nn_c, auto lines_c, auto ranked_c) {
    constexpr int NN = decltype(nn_c)::value;
    constexpr bool kLines = decltype(lines_c)::value, kRanked = decltype(ranked_c)::value;
    auto push = [&](int32_t q) {
      uint32_t b;
      if constexpr (kRanked) b = rank[bucket[q]];
      else if constexpr (kFloat) b = bucket32[q];
      else b = bucket[q];
      fifo[wr[b]++] = q;
      cur = std::min(cur, b);
      ++queued;
    };
    for (size_t i = 0; i < nseeds; ++i) push(seeds[i]);
    while (queued) {
      while (rd[cur] == wr[cur]) ++cur;
      // Prefetch the neighbourhood of a pixel a few pops ahead.
      if (rd[cur] + 16 < wr[cur]) {
        const int32_t a = fifo[rd[cur] + 16];
        __builtin_prefetch(&lab[a - ipw]);
        __builtin_prefetch(&lab[a]);
        __builtin_prefetch(&lab[a + ipw]);
        if constexpr (kFloat && !kRanked) {
          __builtin_prefetch(&bucket32[a - ipw]);
          __builtin_prefetch(&bucket32[a]);
          __builtin_prefetch(&bucket32[a + ipw]);
        } else {
          __builtin_prefetch(&bucket[a - ipw]);
          __builtin_prefetch(&bucket[a]);
          __builtin_prefetch(&bucket[a + ipw]);
        }
      }
      const int32_t p = fifo[rd[cur]++];
      --queued;
      const uint32_t l = lab[p];
      for (int k = 0; k < NN; ++k) {
        const int32_t q = p + offs[k];
        if (lab[q] != 0) continue;  // labelled, blocked or a line
        if constexpr (kLines) {
          bool other = false;
          for (int j = 0; j < NN; ++j) {
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
  };
  using I4 = std::integral_constant<int, 4>;
  using I8 = std::integral_constant<int, 8>;
  auto run = [&](auto ranked) {
    if (nn == 8) {
      if (opts.lines) flood(I8{}, std::true_type{}, ranked);
      else flood(I8{}, std::false_type{}, ranked);
    } else {
      if (opts.lines) flood(I4{}, std::true_type{}, ranked);
      else flood(I4{}, std::false_type{}, ranked);
    }
  };
  if constexpr (kFloat) {
    if (rank) run(std::true_type{});
    else run(std::false_type{});
  } else {
    run(std::false_type{});
  }
  for (int64_t y = 0; y < h; ++y) {
    const uint32_t* l = lab + (y + 1) * pw + 1;
    uint32_t* o = out.row(y);
    for (int64_t x = 0; x < w; ++x) o[x] = l[x] == kBlocked ? 0u : l[x];
  }
}

template void watershed<uint8_t>(ImageView<const uint8_t>, ImageView<const uint32_t>, ImageView<uint32_t>, const WatershedOptions&);
template void watershed<uint16_t>(ImageView<const uint16_t>, ImageView<const uint32_t>, ImageView<uint32_t>, const WatershedOptions&);
template void watershed<float>(ImageView<const float>, ImageView<const uint32_t>, ImageView<uint32_t>, const WatershedOptions&);

}  // namespace nucseg
