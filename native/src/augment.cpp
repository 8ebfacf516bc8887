#include "nucseg/augment.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "nucseg/distance.hpp"
#include "nucseg/filters.hpp"
#include "nucseg/thread_pool.hpp"

namespace nucseg {

double Rng::normal() {
  // Box–Muller (one value per call keeps the stream simple to reason about)
  const double u = std::max(uniform(), 1e-300), v = uniform();
  return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
}

namespace {

// Picks one index by weights (all weights >= 0, not all zero).
int pick(Rng& rng, std::initializer_list<double> weights) {
  double total = 0;
  for (double w : weights) total += w;
  double r = rng.uniform() * total;
  int i = 0;
  for (double w : weights) {
    if (r < w) return i;
    r -= w;
    ++i;
  }
  return i - 1;
}

int poisson(Rng& rng, double lam) {
  if (lam <= 0) return 0;
  if (lam > 30) return std::max(0, static_cast<int>(std::lround(lam + std::sqrt(lam) * rng.normal())));
  const double l = std::exp(-lam);
  int k = 0;
  double p = 1;
  do {
    ++k;
    p *= rng.uniform();
  } while (p > l);
  return k - 1;
}

// Per (set, split): sources and cumulative areas for area-weighted choice.
struct Pool {
  std::vector<int> idx;
  std::vector<double> cum;
};

}  // namespace

void clahe(float* img, int64_t w, int64_t h, int tx, int ty, double clip) {
  tx = std::max(1, std::min<int>(tx, static_cast<int>(w)));
  ty = std::max(1, std::min<int>(ty, static_cast<int>(h)));
  const int bins = 256;
  std::vector<float> maps(static_cast<size_t>(tx * ty * bins));
  for (int j = 0; j < ty; ++j)
    for (int i = 0; i < tx; ++i) {
      const int64_t x0 = w * i / tx, x1 = w * (i + 1) / tx, y0 = h * j / ty, y1 = h * (j + 1) / ty;
      std::vector<double> hist(bins, 0);
      for (int64_t y = y0; y < y1; ++y)
        for (int64_t x = x0; x < x1; ++x) hist[std::min(bins - 1, static_cast<int>(img[y * w + x] * bins))] += 1;
      const double n = static_cast<double>((x1 - x0) * (y1 - y0));
      const double limit = std::max(1.0, clip * n / bins);
      double excess = 0;
      for (double& c : hist)
        if (c > limit) {
          excess += c - limit;
          c = limit;
        }
      const double add = excess / bins;
      double cum = 0;
      float* m = maps.data() + (j * tx + i) * bins;
      for (int b = 0; b < bins; ++b) {
        cum += hist[b] + add;
        m[b] = static_cast<float>(cum / n);
      }
    }
  // bilinear blend of the four nearest tile mappings
  for (int64_t y = 0; y < h; ++y) {
    const double fy = (y + 0.5) * ty / static_cast<double>(h) - 0.5;
    const int j0 = std::clamp(static_cast<int>(std::floor(fy)), 0, ty - 1), j1 = std::min(j0 + 1, ty - 1);
    const double wy = std::clamp(fy - j0, 0.0, 1.0);
    for (int64_t x = 0; x < w; ++x) {
      const double fx = (x + 0.5) * tx / static_cast<double>(w) - 0.5;
      const int i0 = std::clamp(static_cast<int>(std::floor(fx)), 0, tx - 1), i1 = std::min(i0 + 1, tx - 1);
      const double wx = std::clamp(fx - i0, 0.0, 1.0);
      const int b = std::min(bins - 1, static_cast<int>(img[y * w + x] * bins));
      const double a = maps[(j0 * tx + i0) * bins + b] * (1 - wx) + maps[(j0 * tx + i1) * bins + b] * wx;
      const double c = maps[(j1 * tx + i0) * bins + b] * (1 - wx) + maps[(j1 * tx + i1) * bins + b] * wx;
      img[y * w + x] = static_cast<float>(a * (1 - wy) + c * wy);
    }
  }
}

void augment_rois(const std::vector<AugmentSource>& sources, const std::vector<int>& source_set,
                  const std::vector<uint8_t>& roi_set, const std::vector<uint8_t>& roi_split, const AugmentConfig& cfg,
                  uint64_t seed, int64_t first_index, int64_t count, const std::vector<RoiOut>& out, int threads) {
  if (static_cast<int64_t>(out.size()) != count || static_cast<int64_t>(roi_set.size()) != count ||
      static_cast<int64_t>(roi_split.size()) != count)
    throw ArgumentError("augmentRois: output/plan sizes differ from count");
  if (cfg.roi < 8 || cfg.roi > 4096 || cfg.shoulder < 0 || cfg.shoulder > 256) throw ArgumentError("augmentRois: bad ROI size or shoulder");
  // pools per (set, split), with a per-set fallback when a split has no sources
  std::unordered_map<int, Pool> pools;
  for (size_t s = 0; s < sources.size(); ++s)
    for (int key : {source_set[s] * 4 + sources[s].split, source_set[s] * 4 + 3}) {
      Pool& p = pools[key];
      p.idx.push_back(static_cast<int>(s));
      // weight = area after scaling, as if the field had been resized by its zoom
      p.cum.push_back((p.cum.empty() ? 0 : p.cum.back()) + static_cast<double>(sources[s].width * sources[s].height) * sources[s].zoom * sources[s].zoom);
    }
  const int R = cfg.roi + 2 * cfg.shoulder, roi = cfg.roi;
  parallel_chunks(count, resolve_threads(threads), [&](int, int64_t a, int64_t b) {
    std::vector<float> big(static_cast<size_t>(R) * R), dist(big.size()), bord(big.size()), tmp(static_cast<size_t>(roi) * roi);
    std::vector<uint32_t> lab(big.size());
    std::unordered_map<uint32_t, uint16_t> relabel;
    for (int64_t k = a; k < b; ++k) {
      Rng rng(seed, static_cast<uint64_t>(first_index + k));
      auto it = pools.find(roi_set[k] * 4 + roi_split[k]);
      if (it == pools.end()) it = pools.find(roi_set[k] * 4 + 3);
      if (it == pools.end()) throw ArgumentError("augmentRois: a set has no sources");
      const Pool& pool = it->second;
      const double r = rng.uniform() * pool.cum.back();
      const size_t pi = static_cast<size_t>(std::upper_bound(pool.cum.begin(), pool.cum.end(), r) - pool.cum.begin());
      const AugmentSource& src = sources[pool.idx[std::min(pi, pool.idx.size() - 1)]];
      // geometry: rotation by k·45° (or k·90°), optional flip, centre inside the source when it fits
      const int steps = cfg.rotate45 ? rng.integer(0, 7) : 2 * rng.integer(0, 3);
      const bool flip = cfg.flips && rng.uniform() < 0.5;
      static const double C[8] = {1, 0.7071067811865476, 0, -0.7071067811865476, -1, -0.7071067811865476, 0, 0.7071067811865476};
      static const double S[8] = {0, 0.7071067811865476, 1, 0.7071067811865476, 0, -0.7071067811865476, -1, -0.7071067811865476};
      const double inv = 1.0 / src.zoom;
      const double c = C[steps] * inv, s = S[steps] * inv;
      const double half = (steps % 2 ? R * 0.7071067811865476 * 2 : R) / 2.0 * inv;
      // integer centres keep 90° rotations at zoom 1 exact copies of source pixels
      auto centre = [&](int64_t n) -> double {
        if (n > 2 * half) return std::floor(rng.uniform(half, n - half));
        return std::floor(n / 2.0);
      };
      const double cx = centre(src.width), cy = centre(src.height);
      for (int v = 0; v < R; ++v)
        for (int u = 0; u < R; ++u) {
          double du = u + 0.5 - R / 2.0, dv = v + 0.5 - R / 2.0;
          if (flip) du = -du;
          const double sx = cx + c * du - s * dv, sy = cy + s * du + c * dv;
          const int64_t i = static_cast<int64_t>(v) * R + u;
          const int64_t nx = static_cast<int64_t>(std::floor(sx)), ny = static_cast<int64_t>(std::floor(sy));
          lab[i] = (nx >= 0 && ny >= 0 && nx < src.width && ny < src.height) ? src.labels[ny * src.width + nx] : 0u;
          // bilinear at pixel-centre coordinates; outside the source is 0
          const double fx = sx - 0.5, fy = sy - 0.5;
          const int64_t x0 = static_cast<int64_t>(std::floor(fx)), y0 = static_cast<int64_t>(std::floor(fy));
          const double wx = fx - x0, wy = fy - y0;
          auto at = [&](int64_t x, int64_t y) -> double {
            return (x >= 0 && y >= 0 && x < src.width && y < src.height) ? src.image[y * src.width + x] : 0.0;
          };
          big[i] = static_cast<float>((at(x0, y0) * (1 - wx) + at(x0 + 1, y0) * wx) * (1 - wy) +
                                      (at(x0, y0 + 1) * (1 - wx) + at(x0 + 1, y0 + 1) * wx) * wy);
        }
      // targets on the ROI with its shoulder, so nuclei cut by the ROI edge keep their shape
      normalized_distance<uint32_t>(ImageView<const uint32_t>(lab.data(), R, R), ImageView<float>(dist.data(), R, R), 1);
      blurred_border<uint32_t>(ImageView<const uint32_t>(lab.data(), R, R), ImageView<float>(bord.data(), R, R), 1.0, 1);
      const RoiOut& o = out[k];
      relabel.clear();
      uint16_t next = 0, last_new = 0;
      uint32_t last_old = 0;
      for (int y = 0; y < roi; ++y)
        for (int x = 0; x < roi; ++x) {
          const int64_t si = static_cast<int64_t>(y + cfg.shoulder) * R + x + cfg.shoulder, di = static_cast<int64_t>(y) * roi + x;
          o.image[di] = big[si];
          o.distance[di] = dist[si];
          o.border[di] = bord[si];
          const uint32_t l = lab[si];
          if (!l) {
            o.labels[di] = 0;
            continue;
          }
          if (l != last_old) {  // runs of one label are the rule: one hash lookup per run
            auto f = relabel.find(l);
            if (f == relabel.end()) f = relabel.emplace(l, next < 65535 ? ++next : 65535).first;
            last_old = l;
            last_new = f->second;
          }
          o.labels[di] = last_new;
        }
      // intensity augmentation, each class with its own probability
      float* im = o.image;
      const int64_t n = static_cast<int64_t>(roi) * roi;
      if (rng.uniform() < cfg.p_contrast) {
        switch (pick(rng, {cfg.w_clahe, cfg.w_gamma, cfg.w_saturation, cfg.w_multiply})) {
          case 0:
            // NaN (which std::clamp keeps) would index the histogram out of bounds: 0 instead
            for (int64_t i = 0; i < n; ++i) im[i] = std::isnan(im[i]) ? 0.0f : std::clamp(im[i], 0.0f, 1.0f);
            {
              const int t = rng.integer(cfg.clahe_tiles[0], cfg.clahe_tiles[1]);
              clahe(im, roi, roi, t, t, rng.uniform(cfg.clahe_clip[0], cfg.clahe_clip[1]));
            }
            break;
          case 1: {
            const double g = rng.uniform(cfg.gamma[0], cfg.gamma[1]);
            for (int64_t i = 0; i < n; ++i) im[i] = static_cast<float>(std::pow(std::max(0.0f, im[i]), g));
            break;
          }
          case 2: {
            // a percentile outside [0, 100] made the int64 cast below undefined (fuzz finding augment-saturation-cast)
            const double p = std::isnan(cfg.saturation[0]) ? 100.0 : std::clamp(rng.uniform(cfg.saturation[0], cfg.saturation[1]), 0.0, 100.0);
            std::copy(im, im + n, tmp.begin());
            const int64_t kth = std::clamp<int64_t>(static_cast<int64_t>(p / 100.0 * (n - 1)), 0, n - 1);
            std::nth_element(tmp.begin(), tmp.begin() + kth, tmp.end());
            const float hi = std::max(tmp[kth], 1e-6f);
            for (int64_t i = 0; i < n; ++i) im[i] = std::min(1.0f, im[i] / hi);
            break;
          }
          default: {
            const float m = static_cast<float>(rng.uniform(cfg.multiply[0], cfg.multiply[1]));
            for (int64_t i = 0; i < n; ++i) im[i] *= m;
          }
        }
      }
      if (rng.uniform() < cfg.p_blur) {
        if (pick(rng, {cfg.w_gaussian, cfg.w_median}) == 0) {
          gaussian_blur<float>(ImageView<const float>(im, roi, roi), ImageView<float>(tmp.data(), roi, roi), rng.uniform(cfg.gaussian_sigma[0], cfg.gaussian_sigma[1]), 4.0, 1);
        } else {
          int kk = rng.integer(cfg.median_k[0], cfg.median_k[1]);
          kk = std::clamp(kk | 1, 1, 7);
          median_blur<float>(ImageView<const float>(im, roi, roi), ImageView<float>(tmp.data(), roi, roi), kk, 1);
        }
        std::copy(tmp.begin(), tmp.end(), im);
      }
      if (rng.uniform() < cfg.p_noise) {
        switch (pick(rng, {cfg.w_gauss_noise, cfg.w_poisson, cfg.w_impulse, cfg.w_dropout})) {
          case 0: {
            const double sd = rng.uniform(cfg.gauss_noise_sigma[0], cfg.gauss_noise_sigma[1]);
            for (int64_t i = 0; i < n; ++i) im[i] += static_cast<float>(sd * rng.normal());
            break;
          }
          case 1: {
            const double peak = rng.uniform(cfg.poisson_peak[0], cfg.poisson_peak[1]);
            for (int64_t i = 0; i < n; ++i) im[i] = static_cast<float>(poisson(rng, std::max(0.0f, im[i]) * peak) / peak);
            break;
          }
          case 2: {
            const double f = rng.uniform(cfg.impulse_fraction[0], cfg.impulse_fraction[1]);
            for (int64_t i = 0; i < n; ++i) {
              const double u = rng.uniform();
              if (u < f) im[i] = u < f / 2 ? 0.0f : 1.0f;
            }
            break;
          }
          default: {
            const double f = rng.uniform(cfg.dropout_fraction[0], cfg.dropout_fraction[1]);
            for (int64_t i = 0; i < n; ++i)
              if (rng.uniform() < f) im[i] = 0.0f;
          }
        }
      }
      for (int64_t i = 0; i < n; ++i) im[i] = std::clamp(im[i], 0.0f, 1.0f);
      if (o.image_u16)
        for (int64_t i = 0; i < n; ++i) o.image_u16[i] = static_cast<uint16_t>(std::lround(static_cast<double>(im[i]) * o.image_levels));
    }
  });
}

}  // namespace nucseg
