// Augmented training ROIs: geometric sampling, intensity augmentation and the FPN2-WS
// targets, many ROIs per call, in parallel, reproducibly (every random choice of ROI i comes
// from a counter-based generator keyed by (seed, i), so any thread count gives the same ROIs).
#pragma once
#include <cstdint>
#include <vector>

#include "nucseg/image.hpp"

namespace nucseg {

// Counter-based random numbers: splitmix64 of (seed, stream, counter).
struct Rng {
  uint64_t state;
  Rng(uint64_t seed, uint64_t stream) : state(mix(seed ^ mix(stream + 0x9E3779B97F4A7C15ull))) {}
  static uint64_t mix(uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t next() { return mix(state += 0x9E3779B97F4A7C15ull); }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  int integer(int a, int b) { return a + static_cast<int>(uniform() * (b - a + 1)); }  // [a, b]
  double normal();
};

struct AugmentSource {
  const float* image;      // normalized 0..1
  const uint32_t* labels;  // instance labels
  int64_t width, height;
  int split;          // 0 = train, 1 = validation
  double zoom = 1.0;  // ROI pixels per source pixel (>1 enlarges; sampling folds the scale in)
};

// Ranges are [min, max]; a class is applied with its probability, then one of its ops.
// The settings are listed once, in AUGMENT_SETTINGS (lib/augment/config.ts), which also
// bounds them: test/augment/config-schema.test.ts fails when a field here (name, type or
// default) differs from it, so every field needs a default written here.
struct AugmentConfig {
  int roi = 256;
  int shoulder = 8;
  bool rotate45 = true;    // rotations by multiples of 45° (else 90°)
  bool flips = true;
  double p_contrast = 0.5, p_blur = 0.3, p_noise = 0.3;
  // contrast ops (each enabled when its weight > 0)
  double w_clahe = 1, w_gamma = 1, w_saturation = 1, w_multiply = 1;
  double clahe_clip[2] = {1.0, 4.0};
  int clahe_tiles[2] = {4, 12};
  double gamma[2] = {0.6, 1.6};
  double saturation[2] = {95.0, 99.9};  // upper percentile clipped to 1
  double multiply[2] = {0.6, 1.4};
  // blur ops
  double w_gaussian = 1, w_median = 1;
  double gaussian_sigma[2] = {0.5, 2.0};
  int median_k[2] = {3, 5};
  // noise ops
  double w_gauss_noise = 1, w_poisson = 1, w_impulse = 1, w_dropout = 1;
  double gauss_noise_sigma[2] = {0.01, 0.08};
  double poisson_peak[2] = {20, 200};   // photons at intensity 1
  double impulse_fraction[2] = {0.001, 0.02};
  double dropout_fraction[2] = {0.01, 0.1};
};

// One ROI's output slots, each roi*roi elements.
struct RoiOut {
  float* image;
  uint16_t* labels;
  float* distance;
  float* border;
  // optional: the final image also as round(value x image_levels) in uint16 (storage)
  uint16_t* image_u16 = nullptr;
  float image_levels = 4095.0f;
};

// Makes ROIs first_index .. first_index+count-1. roi_split[i] chooses the split whose
// sources ROI i samples from; sources are picked with probability proportional to area.
// Returns the number of labels that did not fit uint16 (always 0 for realistic ROIs).
void augment_rois(const std::vector<AugmentSource>& sources, const std::vector<int>& source_set,
                  const std::vector<uint8_t>& roi_set, const std::vector<uint8_t>& roi_split, const AugmentConfig& cfg,
                  uint64_t seed, int64_t first_index, int64_t count, const std::vector<RoiOut>& out, int threads);

// CLAHE on a float 0..1 image (256 bins): contrast-limited histogram equalization per tile,
// bilinear blending between tile mappings. clip is relative to the mean bin count.
void clahe(float* img, int64_t w, int64_t h, int tiles_x, int tiles_y, double clip);

}  // namespace nucseg
