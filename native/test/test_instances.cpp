// Mask R-CNN post-processing kernels under ASan/UBSan: exact pastes of simple masks, score
// order, boxes off the image, non-finite input, and tile merging that rebuilds a label image.
#include <cmath>
#include <limits>
#include <random>

#include "harness.hpp"
#include "nucseg/instances.hpp"

using namespace nucseg;

TEST(paste_fills_boxes_in_score_order) {
  const int M = 28, W = 40, H = 30;
  std::vector<float> boxes{10, 10, 20, 20, 15, 12, 30, 22, -5, -5, 3, 4, 35, 25, 60, 70};
  std::vector<float> scores{0.6f, 0.9f, 0.7f, 0.8f};
  std::vector<float> masks(4 * M * M, 1.0f);
  Image<uint32_t> lab(W, H);
  Detections d{boxes.data(), scores.data(), masks.data(), 4, M};
  CHECK_EQ(paste_instances(d, 0.5f, 0.5f, lab.view()), 4u);
  // best score (box 1) is label 1 and wins the overlap; box 0 keeps the rest of its box
  CHECK_EQ(lab.view().at(16, 15), 1u);
  CHECK_EQ(lab.view().at(10, 10), 4u);
  CHECK_EQ(lab.view().at(19, 19), 1u);
  CHECK_EQ(lab.view().at(14, 19), 4u);
  CHECK_EQ(lab.view().at(9, 10), 0u);
  CHECK_EQ(lab.view().at(0, 0), 3u);   // box partly off the image, clipped
  CHECK_EQ(lab.view().at(2, 3), 3u);
  CHECK_EQ(lab.view().at(3, 3), 0u);
  CHECK_EQ(lab.view().at(39, 29), 2u);  // clipped at the far corner
  // area of box 0's label: its 100 pixels minus those taken by box 1 (x 15..19, y 12..19)
  uint64_t a = 0;
  for (int64_t i = 0; i < W * H; ++i) a += lab.storage[i] == 4u;
  CHECK_EQ(a, uint64_t(100 - 5 * 8));
  // a score threshold above all but one
  CHECK_EQ(paste_instances(d, 0.85f, 0.5f, lab.view()), 1u);
}

TEST(paste_samples_the_mask_grid) {
  // left half of the grid on: the left half of the box is pasted
  const int M = 4;
  std::vector<float> boxes{0, 0, 8, 8}, scores{1.0f}, masks(M * M, 0.0f);
  for (int y = 0; y < M; ++y)
    for (int x = 0; x < M / 2; ++x) masks[y * M + x] = 1.0f;
  Image<uint32_t> lab(8, 8);
  Detections d{boxes.data(), scores.data(), masks.data(), 1, M};
  paste_instances(d, 0.5f, 0.5f, lab.view());
  for (int y = 1; y < 7; ++y)
    for (int x = 0; x < 8; ++x) CHECK_EQ(lab.view().at(x, y), x < 4 ? 1u : 0u);
}

TEST(paste_survives_wild_boxes) {
  const int M = 2;
  std::vector<float> boxes{-1e30f, -1e30f, 1e30f, 1e30f, 5, 5, 1e38f, 6, 3, 3, 3, 9}, scores{0.9f, 0.8f, 0.7f}, masks(3 * M * M, 1.0f);
  Image<uint32_t> lab(6, 7);
  Detections d{boxes.data(), scores.data(), masks.data(), 3, M};
  CHECK_EQ(paste_instances(d, 0.5f, 0.5f, lab.view()), 2u);  // the zero-width box gets no label
  CHECK_EQ(lab.view().at(0, 0), 1u);
}

TEST(paste_rejects_non_finite_values) {
  const int M = 2;
  std::vector<float> boxes{0, 0, 4, 4}, scores{std::numeric_limits<float>::quiet_NaN()}, masks(M * M, 1.0f);
  Image<uint32_t> lab(4, 4);
  Detections d{boxes.data(), scores.data(), masks.data(), 1, M};
  bool threw = false;
  try {
    paste_instances(d, 0.5f, 0.5f, lab.view());
  } catch (const ArgumentError&) {
    threw = true;
  }
  CHECK(threw);
  scores[0] = 1.0f;
  masks[3] = std::numeric_limits<float>::quiet_NaN();
  threw = false;
  try {
    paste_instances(d, 0.5f, 0.5f, lab.view());
  } catch (const ArgumentError&) {
    threw = true;
  }
  CHECK(threw);
}

TEST(merge_rebuilds_a_label_image_from_overlapping_tiles) {
  // random non-touching squares; tiles of 24 overlapping by 10 rebuild the same partition
  std::mt19937 rng(3);
  const int W = 67, H = 53;
  Image<uint32_t> truth(W, H);
  uint32_t n = 0;
  for (int y = 1; y + 6 < H; y += 8)
    for (int x = 1; x + 6 < W; x += 8)
      if (rng() % 3) {
        ++n;
        for (int yy = y; yy < y + 6; ++yy)
          for (int xx = x; xx < x + 6; ++xx) truth.view().at(xx, yy) = n;
      }
  Image<uint32_t> canvas(W, H);
  uint32_t next = 1;
  for (int ty = 0; ty < H; ty += 14)
    for (int tx = 0; tx < W; tx += 14) {
      const int tw = std::min(24, W - tx), th = std::min(24, H - ty);
      // the tile's own labels, renumbered 1..k in raster order
      Image<uint32_t> tile(tw, th);
      std::vector<uint32_t> map(n + 1, 0);
      uint32_t k = 0;
      for (int y = 0; y < th; ++y)
        for (int x = 0; x < tw; ++x) {
          uint32_t v = truth.view().at(tx + x, ty + y);
          if (v && !map[v]) map[v] = ++k;
          tile.view().at(x, y) = v ? map[v] : 0;
        }
      next = merge_tile_instances(canvas.view(), tile.view(), tx, ty, next, 0.5);
    }
  CHECK_EQ(next - 1, n);
  // same partition: a one-to-one map between ids
  std::vector<uint32_t> fwd(n + 1, 0), back(n + 1, 0);
  bool same = true;
  for (int64_t i = 0; i < W * H; ++i) {
    uint32_t a = truth.storage[i], b = canvas.storage[i];
    if ((a == 0) != (b == 0)) same = false;
    if (!a || !b) continue;
    if (!fwd[a]) fwd[a] = b;
    if (!back[b]) back[b] = a;
    if (fwd[a] != b || back[b] != a) same = false;
  }
  CHECK(same);
  bool threw = false;
  try {
    Image<uint32_t> t(30, 30);
    merge_tile_instances(canvas.view(), t.view(), 50, 40, 1, 0.5);
  } catch (const ArgumentError&) {
    threw = true;
  }
  CHECK(threw);
}
