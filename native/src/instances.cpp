// Mask R-CNN post-processing (see nucseg/instances.hpp).
#include "nucseg/instances.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>
#include <vector>

namespace nucseg {

uint32_t paste_instances(const Detections& det, float score_threshold, float mask_threshold, ImageView<uint32_t> labels) {
  const int64_t M = det.mask_size;
  if (M < 1) throw ArgumentError("paste_instances: mask size must be >= 1");
  if (det.count < 0) throw ArgumentError("paste_instances: negative detection count");
  for (int64_t y = 0; y < labels.height; ++y) std::fill(labels.row(y), labels.row(y) + labels.width, 0u);
  for (int64_t i = 0; i < det.count; ++i) {
    if (!std::isfinite(det.scores[i])) throw ArgumentError("paste_instances: a score is NaN or infinite");
    for (int c = 0; c < 4; ++c)
      if (!std::isfinite(det.boxes[4 * i + c])) throw ArgumentError("paste_instances: a box coordinate is NaN or infinite");
  }
  std::vector<int64_t> order(static_cast<size_t>(det.count));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return det.scores[a] > det.scores[b]; });

  // the mask padded with a ring of zeros: (M + 2)^2
  std::vector<float> pad(static_cast<size_t>((M + 2) * (M + 2)));
  std::vector<float> wu, wv;
  std::vector<int64_t> iu, iv;
  uint32_t n = 0;
  for (int64_t i : order) {
    if (!(det.scores[i] >= score_threshold)) break;
    const float* b = det.boxes + 4 * i;
    const double bx0 = b[0], by0 = b[1], bx1 = b[2], by1 = b[3];
    if (!(bx1 > bx0 && by1 > by0)) continue;
    const uint32_t id = ++n;
    // clamped in double before the integer conversion (a wild box must not overflow it)
    const double W = static_cast<double>(labels.width), H = static_cast<double>(labels.height);
    const int64_t xa = static_cast<int64_t>(std::clamp(std::floor(bx0), 0.0, W));
    const int64_t xb = static_cast<int64_t>(std::clamp(std::ceil(bx1), 0.0, W));
    const int64_t ya = static_cast<int64_t>(std::clamp(std::floor(by0), 0.0, H));
    const int64_t yb = static_cast<int64_t>(std::clamp(std::ceil(by1), 0.0, H));
    if (xa >= xb || ya >= yb) continue;
    const float* m = det.masks + i * M * M;
    for (int64_t y = 0; y < M; ++y)
      for (int64_t x = 0; x < M; ++x) {
        const float v = m[y * M + x];
        if (std::isnan(v)) throw ArgumentError("paste_instances: a mask value is NaN");
        pad[static_cast<size_t>((y + 1) * (M + 2) + x + 1)] = v;
      }
    // sampling positions in the padded grid, per column and per row
    auto axis = [&](int64_t a, int64_t bnd, double lo, double hi, std::vector<int64_t>& idx, std::vector<float>& w) {
      idx.resize(static_cast<size_t>(bnd - a));
      w.resize(static_cast<size_t>(bnd - a));
      for (int64_t p = a; p < bnd; ++p) {
        double u = (p + 0.5 - lo) / (hi - lo) * static_cast<double>(M) - 0.5 + 1.0;
        u = std::clamp(u, 0.0, static_cast<double>(M + 1));
        int64_t u0 = std::min<int64_t>(static_cast<int64_t>(std::floor(u)), M);
        idx[static_cast<size_t>(p - a)] = u0;
        w[static_cast<size_t>(p - a)] = static_cast<float>(u - static_cast<double>(u0));
      }
    };
    axis(xa, xb, bx0, bx1, iu, wu);
    axis(ya, yb, by0, by1, iv, wv);
    for (int64_t y = ya; y < yb; ++y) {
      const int64_t v0 = iv[static_cast<size_t>(y - ya)];
      const float fv = wv[static_cast<size_t>(y - ya)];
      const float* r0 = pad.data() + v0 * (M + 2);
      const float* r1 = r0 + (M + 2);
      uint32_t* out = labels.row(y);
      for (int64_t x = xa; x < xb; ++x) {
        if (out[x]) continue;
        const int64_t u0 = iu[static_cast<size_t>(x - xa)];
        const float fu = wu[static_cast<size_t>(x - xa)];
        const float top = r0[u0] + fu * (r0[u0 + 1] - r0[u0]);
        const float bot = r1[u0] + fu * (r1[u0 + 1] - r1[u0]);
        if (top + fv * (bot - top) > mask_threshold) out[x] = id;
      }
    }
  }
  return n;
}

uint32_t merge_tile_instances(ImageView<uint32_t> canvas, ImageView<const uint32_t> tile, int64_t x0, int64_t y0,
                              uint32_t next_id, double min_overlap) {
  // compared without adding (x0 + width overflowed for x0 near 2^63: fuzz finding merge-offset-overflow)
  if (x0 < 0 || y0 < 0 || tile.width > canvas.width || tile.height > canvas.height || x0 > canvas.width - tile.width ||
      y0 > canvas.height - tile.height)
    throw ArgumentError("merge_tile_instances: the tile does not fit in the canvas at (" + std::to_string(x0) + ", " +
                        std::to_string(y0) + ")");
  // areas inside the tile and pairwise intersections
  std::unordered_map<uint32_t, uint64_t> tile_area, canvas_area;
  std::unordered_map<uint64_t, uint64_t> inter;
  for (int64_t y = 0; y < tile.height; ++y) {
    const uint32_t* t = tile.row(y);
    const uint32_t* c = canvas.row(y0 + y) + x0;
    for (int64_t x = 0; x < tile.width; ++x) {
      if (c[x]) ++canvas_area[c[x]];
      if (!t[x]) continue;
      ++tile_area[t[x]];
      if (c[x]) ++inter[(static_cast<uint64_t>(t[x]) << 32) | c[x]];
    }
  }
  // best canvas partner of each tile instance (largest intersection; ties: smaller id)
  std::unordered_map<uint32_t, std::pair<uint32_t, uint64_t>> best;
  for (const auto& [key, n] : inter) {
    const uint32_t t = static_cast<uint32_t>(key >> 32), c = static_cast<uint32_t>(key & 0xffffffffu);
    auto it = best.find(t);
    if (it == best.end() || n > it->second.second || (n == it->second.second && c < it->second.first)) best[t] = {c, n};
  }
  // ids in ascending tile-label order so new ids follow the tile's (score) order
  std::vector<uint32_t> ids;
  ids.reserve(tile_area.size());
  for (const auto& kv : tile_area) ids.push_back(kv.first);
  std::sort(ids.begin(), ids.end());
  std::unordered_map<uint32_t, uint32_t> to;
  for (uint32_t t : ids) {
    auto it = best.find(t);
    if (it != best.end()) {
      const uint64_t smaller = std::min(tile_area[t], canvas_area[it->second.first]);
      if (static_cast<double>(it->second.second) >= min_overlap * static_cast<double>(smaller)) {
        to[t] = it->second.first;
        continue;
      }
    }
    if (next_id == 0xffffffffu) throw ArgumentError("merge_tile_instances: more than 2^32 - 2 instances");
    to[t] = next_id++;
  }
  uint32_t last = 0, last_to = 0;  // runs of one label: one lookup per run
  for (int64_t y = 0; y < tile.height; ++y) {
    const uint32_t* t = tile.row(y);
    uint32_t* c = canvas.row(y0 + y) + x0;
    for (int64_t x = 0; x < tile.width; ++x) {
      if (!t[x] || c[x]) continue;
      if (t[x] != last) {
        last = t[x];
        last_to = to.at(last);
      }
      c[x] = last_to;
    }
  }
  return next_id;
}

}  // namespace nucseg
