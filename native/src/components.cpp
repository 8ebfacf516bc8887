// Connected components by runs: each row is cut into runs of foreground (or of one label
// value), runs are united with the overlapping runs of the row above (union-find with the
// smallest run index as root), and each component takes the rank of its root run. Since
// runs are numbered in raster order, component ids come out in raster order of their first
// pixel without a relabelling pass, and the result is the same for any thread count
// (chunks of rows are united along their seams before ids are assigned).
#include "nucseg/components.hpp"

#include <algorithm>
#include <unordered_map>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "nucseg/thread_pool.hpp"

namespace nucseg {
namespace {

struct RunT {
  int32_t y, x0, x1;  // x1 exclusive
  uint32_t value;     // 1 for binary masks, the label otherwise
};

#if defined(__x86_64__)
// Skips 32 zero bytes at a time and finds run ends 32 bytes at a time.
__attribute__((target("avx2"))) void mask_row_runs_avx2(const uint8_t* row, int32_t w, int32_t y, std::vector<RunT>& out) {
  int32_t x = 0;
  const __m256i zero = _mm256_setzero_si256();
  while (x < w) {
    if (x + 32 <= w) {
      uint32_t nz = ~static_cast<uint32_t>(_mm256_movemask_epi8(
          _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + x)), zero)));
      if (!nz) {
        x += 32;
        continue;
      }
      x += __builtin_ctz(nz);
    } else {
      while (x < w && !row[x]) ++x;
      if (x >= w) break;
    }
    const int32_t s = x;
    for (;;) {
      if (x + 32 <= w) {
        uint32_t z = static_cast<uint32_t>(_mm256_movemask_epi8(
            _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + x)), zero)));
        if (!z) {
          x += 32;
          continue;
        }
        x += __builtin_ctz(z);
      } else {
        while (x < w && row[x]) ++x;
      }
      break;
    }
    out.push_back({y, s, x, 1});
  }
}
#endif

// Appends the runs of non-zero bytes of one mask row.
void mask_row_runs(const uint8_t* row, int32_t w, int32_t y, std::vector<RunT>& out) {
#if defined(__x86_64__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) return mask_row_runs_avx2(row, w, y, out);
#endif
  int32_t x = 0;
  while (x < w) {
    while (x < w && !row[x]) ++x;
    if (x >= w) break;
    int32_t s = x;
    while (x < w && row[x]) ++x;
    out.push_back({y, s, x, 1});
  }
}

template <typename T>
void label_row_runs(const T* row, int32_t w, int32_t y, std::vector<RunT>& out) {
  int32_t x = 0;
  while (x < w) {
    while (x < w && !row[x]) ++x;
    if (x >= w) break;
    int32_t s = x;
    const T v = row[x];
    while (x < w && row[x] == v) ++x;
    out.push_back({y, s, x, static_cast<uint32_t>(v)});
  }
}

inline uint32_t find(std::vector<uint32_t>& parent, uint32_t a) {
  while (parent[a] != a) {
    parent[a] = parent[parent[a]];
    a = parent[a];
  }
  return a;
}

inline void unite(std::vector<uint32_t>& parent, uint32_t a, uint32_t b) {
  a = find(parent, a);
  b = find(parent, b);
  if (a < b)
    parent[b] = a;
  else if (b < a)
    parent[a] = b;
}

// Unites runs of row `cur` with overlapping runs (same value) of row `prev`.
void unite_rows(const std::vector<RunT>& runs, size_t p0, size_t p1, size_t c0, size_t c1, int conn8,
                std::vector<uint32_t>& parent) {
  size_t p = p0;
  for (size_t c = c0; c < c1; ++c) {
    const RunT& r = runs[c];
    while (p < p1 && runs[p].x1 + conn8 <= r.x0) ++p;
    for (size_t q = p; q < p1 && runs[q].x0 < r.x1 + conn8; ++q)
      if (runs[q].value == r.value) unite(parent, static_cast<uint32_t>(q), static_cast<uint32_t>(c));
  }
}

// The run-based labelling shared by connected_components and keep_largest_component.
struct RunLabelling {
  std::vector<RunT> runs;
  std::vector<size_t> row_start;  // index of first run of each row, size h + 1
  std::vector<uint32_t> comp;     // component id (1-based, raster order) of each run
  uint32_t count = 0;
};

template <typename RowFn>
RunLabelling label_runs(int64_t w, int64_t h, int conn8, int threads, RowFn&& row_runs) {
  RunLabelling L;
  const int chunks = static_cast<int>(std::min<int64_t>(resolve_threads(threads), std::max<int64_t>(1, w * h / (1 << 18))));
  std::vector<std::vector<RunT>> part(static_cast<size_t>(chunks));
  std::vector<std::vector<size_t>> part_rows(static_cast<size_t>(chunks));
  std::vector<int64_t> chunk_y0(static_cast<size_t>(chunks) + 1);
  for (int c = 0; c <= chunks; ++c) chunk_y0[c] = h * c / chunks;
  parallel_chunks(h, chunks, [&](int c, int64_t y0, int64_t y1) {
    auto& v = part[c];
    auto& rs = part_rows[c];
    for (int64_t y = y0; y < y1; ++y) {
      rs.push_back(v.size());
      row_runs(y, v);
    }
  });
  // Concatenate (in chunk = row order) and index rows.
  std::vector<size_t> offset(static_cast<size_t>(chunks) + 1, 0);
  for (int c = 0; c < chunks; ++c) offset[c + 1] = offset[c] + part[c].size();
  L.runs.resize(offset[chunks]);
  L.row_start.resize(static_cast<size_t>(h) + 1);
  parallel_chunks(chunks, chunks, [&](int, int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      std::copy(part[c].begin(), part[c].end(), L.runs.begin() + static_cast<int64_t>(offset[c]));
      for (size_t i = 0; i < part_rows[c].size(); ++i) L.row_start[chunk_y0[c] + static_cast<int64_t>(i)] = offset[c] + part_rows[c][i];
    }
  });
  L.row_start[h] = L.runs.size();
  std::vector<uint32_t> parent(L.runs.size());
  for (size_t i = 0; i < parent.size(); ++i) parent[i] = static_cast<uint32_t>(i);
  // Unite within chunks in parallel (each chunk touches only its own runs), then the seams.
  parallel_chunks(h, chunks, [&](int, int64_t y0, int64_t y1) {
    for (int64_t y = y0 + 1; y < y1; ++y)
      unite_rows(L.runs, L.row_start[y - 1], L.row_start[y], L.row_start[y], L.row_start[y + 1], conn8, parent);
  });
  for (int c = 1; c < chunks; ++c) {
    int64_t y = chunk_y0[c];
    if (y > 0 && y < h) unite_rows(L.runs, L.row_start[y - 1], L.row_start[y], L.row_start[y], L.row_start[y + 1], conn8, parent);
  }
  L.comp.resize(L.runs.size());
  uint32_t next = 0;
  for (size_t i = 0; i < L.runs.size(); ++i) {
    uint32_t r = find(parent, static_cast<uint32_t>(i));
    L.comp[i] = (r == i) ? ++next : L.comp[r];
  }
  L.count = next;
  return L;
}

void stats_from_runs(const RunLabelling& L, RegionStats& s) {
  const size_t n = L.count;
  s.ids.resize(n);
  s.area.assign(n, 0);
  s.x0.assign(n, INT32_MAX);
  s.y0.assign(n, INT32_MAX);
  s.x1.assign(n, -1);
  s.y1.assign(n, -1);
  s.cx.assign(n, 0);
  s.cy.assign(n, 0);
  for (size_t i = 0; i < n; ++i) s.ids[i] = static_cast<uint32_t>(i + 1);
  for (size_t i = 0; i < L.runs.size(); ++i) {
    const RunT& r = L.runs[i];
    const size_t k = L.comp[i] - 1;
    const int64_t len = r.x1 - r.x0;
    s.area[k] += static_cast<uint64_t>(len);
    s.x0[k] = std::min(s.x0[k], r.x0);
    s.x1[k] = std::max(s.x1[k], r.x1 - 1);
    s.y0[k] = std::min(s.y0[k], r.y);
    s.y1[k] = std::max(s.y1[k], r.y);
    s.cx[k] += static_cast<double>(len) * (r.x0 + r.x1 - 1) * 0.5;
    s.cy[k] += static_cast<double>(len) * r.y;
  }
  for (size_t k = 0; k < n; ++k) {
    s.cx[k] /= static_cast<double>(s.area[k]);
    s.cy[k] /= static_cast<double>(s.area[k]);
  }
}

template <typename T>
void check_contiguous(const ImageView<T>& v, const char* what) {
  if (v.stride != v.width) throw ArgumentError(std::string(what) + ": image must be contiguous");
}

}  // namespace

uint32_t connected_components(ImageView<const uint8_t> mask, ImageView<uint32_t> labels, int connectivity, int threads,
                              RegionStats* stats) {
  require_same_size(mask, labels, "connectedComponents");
  if (connectivity != 4 && connectivity != 8) throw ArgumentError("connectedComponents: connectivity must be 4 or 8");
  if (mask.width > INT32_MAX || mask.height > INT32_MAX) throw ArgumentError("connectedComponents: image too large");
  const int64_t w = mask.width, h = mask.height;
  if (mask.empty()) {
    if (stats) *stats = RegionStats{};
    return 0;
  }
  RunLabelling L = label_runs(w, h, connectivity == 8 ? 1 : 0, threads, [&](int64_t y, std::vector<RunT>& out) {
    mask_row_runs(mask.row(y), static_cast<int32_t>(w), static_cast<int32_t>(y), out);
  });
  const int chunks = static_cast<int>(std::min<int64_t>(resolve_threads(threads), std::max<int64_t>(1, w * h / (1 << 18))));
  parallel_chunks(h, chunks, [&](int, int64_t y0, int64_t y1) {
    for (int64_t y = y0; y < y1; ++y) {
      uint32_t* out = labels.row(y);
      int32_t x = 0;
      for (size_t i = L.row_start[y]; i < L.row_start[y + 1]; ++i) {
        const RunT& r = L.runs[i];
        std::fill(out + x, out + r.x0, 0u);
        std::fill(out + r.x0, out + r.x1, L.comp[i]);
        x = r.x1;
      }
      std::fill(out + x, out + w, 0u);
    }
  });
  if (stats) stats_from_runs(L, *stats);
  return L.count;
}

// ---- label-image operations -------------------------------------------------------

namespace {

// Maps arbitrary label ids to dense indices 0..n-1 in ascending id order.
template <typename T>
struct IdIndex {
  std::vector<uint32_t> ids;
  std::vector<int32_t> lut;  // dense, when the largest id is small enough
  std::unordered_map<uint32_t, int32_t> map;
  bool dense = true;

  IdIndex(ImageView<const T> labels, int threads) {
    const int64_t n = labels.pixels();
    // row by row: a view's rows may be strided
    auto each = [&](auto&& f) {
      for (int64_t y = 0; y < labels.height; ++y) {
        const T* row = labels.row(y);
        for (int64_t x = 0; x < labels.width; ++x) f(row[x]);
      }
    };
    uint32_t mx = 0;
    each([&](T v) { mx = std::max<uint32_t>(mx, v); });
    dense = mx <= (1u << 24) || static_cast<int64_t>(mx) <= 4 * n;
    (void)threads;
    if (dense) {
      std::vector<uint8_t> seen(static_cast<size_t>(mx) + 1, 0);
      each([&](T v) { seen[v] = 1; });
      lut.assign(static_cast<size_t>(mx) + 1, -1);
      for (uint32_t v = 1; v <= mx; ++v)
        if (seen[v]) {
          lut[v] = static_cast<int32_t>(ids.size());
          ids.push_back(v);
        }
    } else {
      std::vector<uint32_t> all;
      T last = 0;
      each([&](T v) {
        if (v && v != last) {
          last = v;
          all.push_back(last);
        }
      });
      std::sort(all.begin(), all.end());
      all.erase(std::unique(all.begin(), all.end()), all.end());
      ids = all;
      for (size_t k = 0; k < ids.size(); ++k) map[ids[k]] = static_cast<int32_t>(k);
    }
  }
  int32_t operator()(uint32_t v) const { return dense ? lut[v] : map.at(v); }
};

}  // namespace

template <typename T>
RegionStats region_stats(ImageView<const T> labels, int threads) {
  RegionStats s;
  if (labels.empty()) return s;
  IdIndex<T> index(labels, threads);
  const size_t n = index.ids.size();
  s.ids = index.ids;
  s.area.assign(n, 0);
  s.x0.assign(n, INT32_MAX);
  s.y0.assign(n, INT32_MAX);
  s.x1.assign(n, -1);
  s.y1.assign(n, -1);
  s.cx.assign(n, 0);
  s.cy.assign(n, 0);
  for (int64_t y = 0; y < labels.height; ++y) {
    const T* row = labels.row(y);
    int64_t x = 0;
    while (x < labels.width) {
      const T v = row[x];
      int64_t s0 = x;
      while (x < labels.width && row[x] == v) ++x;
      if (!v) continue;
      const size_t k = static_cast<size_t>(index(v));
      const int64_t len = x - s0;
      s.area[k] += static_cast<uint64_t>(len);
      s.x0[k] = std::min<int32_t>(s.x0[k], static_cast<int32_t>(s0));
      s.x1[k] = std::max<int32_t>(s.x1[k], static_cast<int32_t>(x - 1));
      s.y0[k] = std::min<int32_t>(s.y0[k], static_cast<int32_t>(y));
      s.y1[k] = std::max<int32_t>(s.y1[k], static_cast<int32_t>(y));
      s.cx[k] += static_cast<double>(len) * static_cast<double>(s0 + x - 1) * 0.5;
      s.cy[k] += static_cast<double>(len) * static_cast<double>(y);
    }
  }
  for (size_t k = 0; k < n; ++k) {
    s.cx[k] /= static_cast<double>(s.area[k]);
    s.cy[k] /= static_cast<double>(s.area[k]);
  }
  return s;
}

template <typename T>
uint32_t relabel_sequential(ImageView<T> labels, std::vector<uint32_t>* old_ids, int threads) {
  if (labels.empty()) return 0;
  IdIndex<T> index(ImageView<const T>(labels.data, labels.width, labels.height, labels.stride), threads);
  // by rows: a view's rows may be strided
  parallel_chunks(labels.height, resolve_threads(threads), [&](int, int64_t a, int64_t b) {
    for (int64_t y = a; y < b; ++y) {
      T* row = labels.row(y);
      for (int64_t x = 0; x < labels.width; ++x)
        if (row[x]) row[x] = static_cast<T>(index(row[x]) + 1);
    }
  });
  if (old_ids) *old_ids = index.ids;
  return static_cast<uint32_t>(index.ids.size());
}

template <typename T>
uint32_t remove_objects_by_area(ImageView<T> labels, uint64_t min_area, uint64_t max_area, int threads) {
  ImageView<const T> c(labels.data, labels.width, labels.height, labels.stride);
  RegionStats s = region_stats(c, threads);
  std::vector<uint32_t> drop;
  for (size_t k = 0; k < s.ids.size(); ++k)
    if ((min_area && s.area[k] < min_area) || (max_area && s.area[k] > max_area)) drop.push_back(s.ids[k]);
  if (drop.empty()) return 0;
  // drop is sorted (ids ascend)
  parallel_chunks(labels.height, resolve_threads(threads), [&](int, int64_t a, int64_t b) {
    T last = 0;
    bool last_drop = false;
    for (int64_t y = a; y < b; ++y) {
      T* row = labels.row(y);
      for (int64_t x = 0; x < labels.width; ++x) {
        const T v = row[x];
        if (!v) continue;
        if (v != last) {
          last = v;
          last_drop = std::binary_search(drop.begin(), drop.end(), static_cast<uint32_t>(v));
        }
        if (last_drop) row[x] = 0;
      }
    }
  });
  return static_cast<uint32_t>(drop.size());
}

template <typename T>
uint64_t fill_holes(ImageView<T> labels, int threads) {
  check_contiguous(labels, "fillHoles");
  const int64_t w = labels.width, h = labels.height, n = labels.pixels();
  if (n == 0) return 0;
  Image<uint8_t> bg(w, h);
  for (int64_t i = 0; i < n; ++i) bg.storage[i] = labels.data[i] == 0;
  Image<uint32_t> comp(w, h);
  RegionStats st;
  const uint32_t nc = connected_components(bg.view(), comp.view(), 4, threads, &st);
  if (!nc) return 0;
  // For each enclosed background component: the single label around it (0 = none yet,
  // UINT32_MAX = several labels or touches the edge).
  std::vector<uint32_t> owner(nc + 1, 0);
  for (uint32_t c = 1; c <= nc; ++c)
    if (st.x0[c - 1] == 0 || st.y0[c - 1] == 0 || st.x1[c - 1] == w - 1 || st.y1[c - 1] == h - 1) owner[c] = UINT32_MAX;
  const uint32_t* cp = comp.storage.data();
  auto see = [&](uint32_t c, uint32_t lab) {
    uint32_t& o = owner[c];
    if (o == UINT32_MAX) return;
    if (o == 0)
      o = lab;
    else if (o != lab)
      o = UINT32_MAX;
  };
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      const int64_t i = y * w + x;
      const uint32_t c = cp[i];
      if (!c || owner[c] == UINT32_MAX) continue;
      if (x > 0 && labels.data[i - 1]) see(c, labels.data[i - 1]);
      if (x + 1 < w && labels.data[i + 1]) see(c, labels.data[i + 1]);
      if (y > 0 && labels.data[i - w]) see(c, labels.data[i - w]);
      if (y + 1 < h && labels.data[i + w]) see(c, labels.data[i + w]);
    }
  uint64_t filled = 0;
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t c = cp[i];
    if (c && owner[c] != 0 && owner[c] != UINT32_MAX) {
      labels.data[i] = static_cast<T>(owner[c]);
      ++filled;
    }
  }
  return filled;
}

template <typename T>
uint64_t keep_largest_component(ImageView<T> labels, int threads) {
  const int64_t w = labels.width, h = labels.height;
  if (labels.empty()) return 0;
  RunLabelling L = label_runs(w, h, 1, threads, [&](int64_t y, std::vector<RunT>& out) {
    label_row_runs(labels.row(y), static_cast<int32_t>(w), static_cast<int32_t>(y), out);
  });
  std::vector<uint64_t> area(L.count + 1, 0);
  std::vector<uint32_t> value(L.count + 1, 0);
  for (size_t i = 0; i < L.runs.size(); ++i) {
    area[L.comp[i]] += static_cast<uint64_t>(L.runs[i].x1 - L.runs[i].x0);
    value[L.comp[i]] = L.runs[i].value;
  }
  // Best piece per label value: largest area, first in raster order on ties.
  std::unordered_map<uint32_t, uint32_t> best;
  for (uint32_t c = 1; c <= L.count; ++c) {
    auto it = best.find(value[c]);
    if (it == best.end())
      best.emplace(value[c], c);
    else if (area[c] > area[it->second])
      it->second = c;
  }
  uint64_t cleared = 0;
  for (size_t i = 0; i < L.runs.size(); ++i) {
    const uint32_t c = L.comp[i];
    if (best[value[c]] != c) {
      const RunT& r = L.runs[i];
      std::fill(labels.row(r.y) + r.x0, labels.row(r.y) + r.x1, T{0});
      cleared += static_cast<uint64_t>(r.x1 - r.x0);
    }
  }
  return cleared;
}

#define NUCSEG_INSTANTIATE(T)                                                            \
  template RegionStats region_stats<T>(ImageView<const T>, int);                         \
  template uint32_t relabel_sequential<T>(ImageView<T>, std::vector<uint32_t>*, int);    \
  template uint32_t remove_objects_by_area<T>(ImageView<T>, uint64_t, uint64_t, int);    \
  template uint64_t fill_holes<T>(ImageView<T>, int);                                    \
  template uint64_t keep_largest_component<T>(ImageView<T>, int);
NUCSEG_INSTANTIATE(uint16_t)
NUCSEG_INSTANTIATE(uint32_t)
#undef NUCSEG_INSTANTIATE

}  // namespace nucseg
