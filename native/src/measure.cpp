#include "nucseg/measure.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "nucseg/components.hpp"
#include "nucseg/thread_pool.hpp"

namespace nucseg {
namespace {

struct Pt {
  double x, y;
};

double cross(const Pt& o, const Pt& a, const Pt& b) { return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x); }

// Area of the convex hull of points (Andrew's monotone chain).
double hull_area(std::vector<Pt>& p) {
  std::sort(p.begin(), p.end(), [](const Pt& a, const Pt& b) { return a.x < b.x || (a.x == b.x && a.y < b.y); });
  p.erase(std::unique(p.begin(), p.end(), [](const Pt& a, const Pt& b) { return a.x == b.x && a.y == b.y; }), p.end());
  if (p.size() < 3) return 0;
  std::vector<Pt> h(2 * p.size());
  size_t k = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    while (k >= 2 && cross(h[k - 2], h[k - 1], p[i]) <= 0) --k;
    h[k++] = p[i];
  }
  for (size_t i = p.size() - 1, t = k + 1; i > 0; --i) {
    while (k >= t && cross(h[k - 2], h[k - 1], p[i - 1]) <= 0) --k;
    h[k++] = p[i - 1];
  }
  h.resize(k - 1);
  double a = 0;
  for (size_t i = 0; i < h.size(); ++i) {
    const Pt& u = h[i];
    const Pt& v = h[(i + 1) % h.size()];
    a += u.x * v.y - v.x * u.y;
  }
  return std::fabs(a) * 0.5;
}

}  // namespace

template <typename L, typename I>
Measurements measure_regions(ImageView<const L> labels, std::optional<ImageView<const I>> intensity, int threads) {
  if (intensity) require_same_size(labels, *intensity, "measure_regions: labels and intensity");
  Measurements m;
  if (labels.empty()) return m;
  RegionStats st = region_stats(labels, threads);
  const size_t n = st.ids.size();
  m.ids = st.ids;
  m.area.resize(n);
  m.cx = st.cx;
  m.cy = st.cy;
  m.x0 = st.x0;
  m.y0 = st.y0;
  m.x1 = st.x1;
  m.y1 = st.y1;
  m.mu20.assign(n, 0);
  m.mu02.assign(n, 0);
  m.mu11.assign(n, 0);
  m.hull_area.assign(n, 0);
  m.intensity_sum.assign(n, 0);
  m.intensity_min.assign(n, std::numeric_limits<double>::infinity());
  m.intensity_max.assign(n, -std::numeric_limits<double>::infinity());
  m.touches_border.assign(n, 0);
  const int64_t w = labels.width, h = labels.height;
  for (size_t k = 0; k < n; ++k) {
    m.area[k] = static_cast<double>(st.area[k]);
    m.touches_border[k] = st.x0[k] == 0 || st.y0[k] == 0 || st.x1[k] == w - 1 || st.y1[k] == h - 1;
  }
  // Per label, within its bounding box: moments, intensities, row extremes for the hull.
  parallel_chunks(static_cast<int64_t>(n), resolve_threads(threads), [&](int, int64_t k0, int64_t k1) {
    std::vector<Pt> pts;
    for (int64_t k = k0; k < k1; ++k) {
      const L id = static_cast<L>(m.ids[k]);
      double s20 = 0, s02 = 0, s11 = 0, isum = 0, imin = std::numeric_limits<double>::infinity(), imax = -imin;
      pts.clear();
      for (int64_t y = m.y0[k]; y <= m.y1[k]; ++y) {
        const L* row = labels.row(y);
        int64_t first = -1, last = -1;
        for (int64_t x = m.x0[k]; x <= m.x1[k]; ++x) {
          if (row[x] != id) continue;
          if (first < 0) first = x;
          last = x;
          const double dx = x - m.cx[k], dy = y - m.cy[k];
          s20 += dx * dx;
          s02 += dy * dy;
          s11 += dx * dy;
          if (intensity) {
            const double v = static_cast<double>(intensity->row(y)[x]);
            isum += v;
            imin = std::min(imin, v);
            imax = std::max(imax, v);
          }
        }
        if (first >= 0) {
          // corners of the extreme pixels of this row (pixel squares span [x, x+1] x [y, y+1])
          pts.push_back({double(first), double(y)});
          pts.push_back({double(first), double(y + 1)});
          pts.push_back({double(last + 1), double(y)});
          pts.push_back({double(last + 1), double(y + 1)});
        }
      }
      const double a = m.area[k];
      m.mu20[k] = s20 / a;
      m.mu02[k] = s02 / a;
      m.mu11[k] = s11 / a;
      m.hull_area[k] = hull_area(pts);
      if (intensity) {
        m.intensity_sum[k] = isum;
        m.intensity_min[k] = imin;
        m.intensity_max[k] = imax;
      } else {
        m.intensity_min[k] = m.intensity_max[k] = 0;
      }
    }
  });
  return m;
}

#define NUCSEG_INSTANTIATE(L, I) template Measurements measure_regions<L, I>(ImageView<const L>, std::optional<ImageView<const I>>, int);
NUCSEG_INSTANTIATE(uint16_t, float)
NUCSEG_INSTANTIATE(uint32_t, float)
NUCSEG_INSTANTIATE(uint16_t, uint16_t)
NUCSEG_INSTANTIATE(uint32_t, uint16_t)
NUCSEG_INSTANTIATE(uint16_t, uint8_t)
NUCSEG_INSTANTIATE(uint32_t, uint8_t)
#undef NUCSEG_INSTANTIATE

}  // namespace nucseg
