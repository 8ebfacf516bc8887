// Kernel tests run under ASan/UBSan in CI: reference comparisons on random and edge-case
// images of awkward sizes (1xN, Nx1, odd widths that straddle SIMD blocks).
#include <algorithm>
#include <cmath>
#include <deque>
#include <random>

#include "harness.hpp"
#include "nucseg/components.hpp"
#include "nucseg/distance.hpp"
#include "nucseg/filters.hpp"
#include "nucseg/morphology.hpp"
#include "nucseg/resize.hpp"
#include "nucseg/watershed.hpp"

using namespace nucseg;

namespace {

const std::vector<std::pair<int, int>> kSizes{{1, 1}, {1, 40}, {40, 1}, {33, 17}, {65, 64}, {130, 97}};

std::vector<uint8_t> random_mask(std::mt19937& rng, int w, int h, double p) {
  std::bernoulli_distribution b(p);
  std::vector<uint8_t> m(static_cast<size_t>(w) * h);
  for (auto& v : m) v = b(rng);
  return m;
}

std::vector<uint32_t> bfs(const std::vector<uint8_t>& m, int w, int h, int conn, uint32_t& n) {
  std::vector<uint32_t> out(m.size(), 0);
  n = 0;
  for (int s = 0; s < w * h; ++s) {
    if (!m[s] || out[s]) continue;
    out[s] = ++n;
    std::deque<int> q{s};
    while (!q.empty()) {
      int i = q.front();
      q.pop_front();
      int x = i % w, y = i / w;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          if (!dx && !dy) continue;
          if (conn == 4 && dx && dy) continue;
          int X = x + dx, Y = y + dy;
          if (X < 0 || Y < 0 || X >= w || Y >= h) continue;
          int j = Y * w + X;
          if (m[j] && !out[j]) {
            out[j] = n;
            q.push_back(j);
          }
        }
    }
  }
  return out;
}

}  // namespace

TEST(cc_matches_bfs) {
  std::mt19937 rng(7);
  for (auto [w, h] : kSizes)
    for (double p : {0.0, 0.3, 0.6, 1.0})
      for (int conn : {4, 8}) {
        auto m = random_mask(rng, w, h, p);
        uint32_t n_ref;
        auto ref = bfs(m, w, h, conn, n_ref);
        for (int threads : {1, 2, 4}) {
          std::vector<uint32_t> out(m.size(), 99);
          RegionStats st;
          uint32_t n = connected_components(ImageView<const uint8_t>(m.data(), w, h), ImageView<uint32_t>(out.data(), w, h), conn, threads, &st);
          CHECK_EQ(n, n_ref);
          CHECK(out == ref);
          CHECK_EQ(st.ids.size(), size_t(n));
        }
      }
}

TEST(edt_matches_bruteforce) {
  std::mt19937 rng(3);
  for (auto [w, h] : kSizes) {
    auto m = random_mask(rng, w, h, 0.8);
    std::vector<float> d(m.size());
    distance_transform(ImageView<const uint8_t>(m.data(), w, h), ImageView<float>(d.data(), w, h), 2);
    bool any_bg = false;
    for (auto v : m) any_bg |= !v;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        double best = INFINITY;
        if (m[y * w + x])
          for (int j = 0; j < w * h; ++j)
            if (!m[j]) best = std::min(best, std::hypot(double(j % w - x), double(j / w - y)));
        double ref = m[y * w + x] ? best : 0;
        if (!any_bg && m[y * w + x])
          CHECK(std::isinf(d[y * w + x]));
        else
          CHECK(std::fabs(d[y * w + x] - ref) < 1e-4);
      }
  }
}

TEST(label_ops_run_on_awkward_sizes) {
  std::mt19937 rng(11);
  for (auto [w, h] : kSizes) {
    auto m = random_mask(rng, w, h, 0.5);
    std::vector<uint32_t> lab(m.size());
    connected_components(ImageView<const uint8_t>(m.data(), w, h), ImageView<uint32_t>(lab.data(), w, h), 4, 2);
    std::vector<uint16_t> l16(lab.begin(), lab.end());
    ImageView<uint16_t> v(l16.data(), w, h);
    std::vector<float> nd(m.size()), bb(m.size());
    normalized_distance<uint16_t>(v, ImageView<float>(nd.data(), w, h), 2);
    for (float x : nd) CHECK(x >= 0 && x <= 1);
    blurred_border<uint16_t>(v, ImageView<float>(bb.data(), w, h), 1.0, 2);
    for (float x : bb) CHECK(x >= 0 && x <= 1.0001f);
    // normalized distance: 0 exactly on background, 1 at each nucleus' maximum
    for (size_t i = 0; i < m.size(); ++i)
      if (!l16[i]) CHECK_EQ(nd[i], 0.0f);
    const std::vector<uint16_t> before(l16);
    fill_holes(v, 2);
    for (size_t i = 0; i < m.size(); ++i)
      if (before[i]) CHECK_EQ(l16[i], before[i]);  // filling only adds pixels
    keep_largest_component(v, 2);
    remove_objects_by_area(v, 3, 0, 2);
    std::vector<uint32_t> old;
    relabel_sequential(v, &old, 2);
    RegionStats st = region_stats<uint16_t>(v, 2);
    // ids 1..n with nothing left under 3 px, and relabelled in order of their old ids
    CHECK_EQ(st.ids.size(), old.size());
    for (size_t k = 0; k < st.ids.size(); ++k) {
      CHECK_EQ(st.ids[k], static_cast<uint32_t>(k + 1));
      CHECK(st.area[k] >= 3);
      if (k) CHECK(old[k] > old[k - 1]);
    }
  }
}

TEST(watershed_fills_reachable_pixels) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> u(0, 255);
  for (auto [w, h] : kSizes) {
    std::vector<uint8_t> e(static_cast<size_t>(w) * h);
    for (auto& v : e) v = static_cast<uint8_t>(u(rng));
    std::vector<float> ef(e.begin(), e.end());
    std::vector<uint32_t> mk(e.size(), 0), out(e.size()), outf(e.size());
    mk[0] = 1;
    mk[e.size() - 1] = 2;
    for (int conn : {4, 8}) {
      WatershedOptions o;
      o.connectivity = conn;
      watershed<uint8_t>(ImageView<const uint8_t>(e.data(), w, h), ImageView<const uint32_t>(mk.data(), w, h), ImageView<uint32_t>(out.data(), w, h), o);
      watershed<float>(ImageView<const float>(ef.data(), w, h), ImageView<const uint32_t>(mk.data(), w, h), ImageView<uint32_t>(outf.data(), w, h), o);
      for (auto v : out) CHECK(v == 1 || v == 2);
      CHECK(out == outf);  // same order for the same values in either type
      o.lines = true;
      watershed<uint8_t>(ImageView<const uint8_t>(e.data(), w, h), ImageView<const uint32_t>(mk.data(), w, h), ImageView<uint32_t>(out.data(), w, h), o);
      // with lines: every pixel is a basin or a line (0), and no two basins touch (per connectivity)
      for (auto v : out) CHECK(v <= 2);
      if (e.size() > 1) CHECK_EQ(out[0], 1u);  // (1 x 1: both markers on one pixel, the last wins)
      CHECK_EQ(out[e.size() - 1], 2u);
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          for (int dy = -1; dy <= 1; ++dy)
            for (int dx = -1; dx <= 1; ++dx) {
              if ((!dx && !dy) || (conn == 4 && dx && dy) || x + dx < 0 || y + dy < 0 || x + dx >= w || y + dy >= h) continue;
              const uint32_t a = out[y * w + x], b = out[(y + dy) * w + x + dx];
              CHECK(!(a && b && a != b));
            }
    }
  }
}

TEST(filters_and_resize_run_on_awkward_sizes) {
  std::mt19937 rng(9);
  std::uniform_int_distribution<int> u(0, 65535);
  for (auto [w, h] : kSizes) {
    std::vector<uint16_t> a(static_cast<size_t>(w) * h);
    for (auto& v : a) v = static_cast<uint16_t>(u(rng));
    ImageView<const uint16_t> in(a.data(), w, h);
    std::vector<float> g(a.size());
    const auto [lo, hi] = std::minmax_element(a.begin(), a.end());
    gaussian_blur(in, ImageView<float>(g.data(), w, h), 1.5, 4.0, 2);
    for (float v : g) CHECK(v >= *lo - 0.5f && v <= *hi + 0.5f);  // a weighted mean stays within the input's range
    std::vector<uint16_t> md(a.size());
    for (int k : {1, 3, 5, 7}) {
      median_blur(in, ImageView<uint16_t>(md.data(), w, h), k, 2);
      if (k == 1) CHECK(md == a);  // a 1 x 1 median is the identity
      for (auto v : md) CHECK(v >= *lo && v <= *hi);
    }
    const double t = otsu_threshold(in);
    CHECK(t >= *lo && t <= *hi);
    double mean = 0;
    for (auto v : a) mean += v;
    mean /= static_cast<double>(a.size());
    for (auto [ow, oh] : std::vector<std::pair<int, int>>{{1, 1}, {w * 2 + 1, h}, {std::max(1, w / 3), std::max(1, h / 2)}}) {
      std::vector<uint16_t> r(static_cast<size_t>(ow) * oh);
      for (auto mode : {Interpolation::Nearest, Interpolation::Bilinear, Interpolation::Area}) {
        resize(in, ImageView<uint16_t>(r.data(), ow, oh), mode, 2);
        for (auto v : r) CHECK(v >= *lo && v <= *hi);
        if (mode == Interpolation::Nearest)
          for (auto v : r) CHECK(std::find(a.begin(), a.end(), v) != a.end());  // nearest only copies input values
        if (mode == Interpolation::Area && ow == 1 && oh == 1) CHECK(std::fabs(r[0] - mean) <= 1.0);  // one pixel: the mean
      }
    }
    auto m = random_mask(rng, w, h, 0.5);
    std::vector<uint8_t> o(m.size());
    binary_close(ImageView<const uint8_t>(m.data(), w, h), ImageView<uint8_t>(o.data(), w, h), 2.5, 2);
    for (size_t i = 0; i < m.size(); ++i) CHECK(!m[i] || o[i]);  // closing is extensive
    binary_open(ImageView<const uint8_t>(m.data(), w, h), ImageView<uint8_t>(o.data(), w, h), 1, 2);
    for (size_t i = 0; i < m.size(); ++i) CHECK(m[i] || !o[i]);  // opening is anti-extensive
  }
}

TEST(median_matches_sorting) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (auto [w, h] : kSizes)
    for (int k : {1, 3, 5, 7}) {
      std::vector<float> in(static_cast<size_t>(w) * h), out(in.size());
      for (auto& v : in) v = std::floor(u(rng) * 8.0f) / 8.0f;  // many ties
      median_blur<float>(ImageView<const float>(in.data(), w, h), ImageView<float>(out.data(), w, h), k, 2);
      bool ok = true;
      const int r = k / 2;
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
          std::vector<float> win;
          for (int dy = -r; dy <= r; ++dy)
            for (int dx = -r; dx <= r; ++dx) win.push_back(in[std::clamp(y + dy, 0, h - 1) * w + std::clamp(x + dx, 0, w - 1)]);
          std::sort(win.begin(), win.end());
          if (win[win.size() / 2] != out[y * w + x]) ok = false;
        }
      CHECK(ok);
      std::vector<uint16_t> i16(in.size()), o16(in.size());
      for (size_t i = 0; i < in.size(); ++i) i16[i] = static_cast<uint16_t>(in[i] * 60000);
      median_blur<uint16_t>(ImageView<const uint16_t>(i16.data(), w, h), ImageView<uint16_t>(o16.data(), w, h), k, 1);
      for (size_t i = 0; i < in.size(); ++i) ok = ok && o16[i] == static_cast<uint16_t>(out[i] * 60000);
      CHECK(ok);
    }
}

// A zeroed 6x5 view into a 10x8 buffer of 60000s (the label kernels must stay inside it).
static ImageView<uint16_t> strided_view(std::vector<uint16_t>& buf) {
  buf.assign(10 * 8, 60000);
  ImageView<uint16_t> v(buf.data(), 6, 5, 10);
  for (int64_t y = 0; y < 5; ++y)
    for (int64_t x = 0; x < 6; ++x) v.row(y)[x] = 0;
  return v;
}

TEST(region_stats_reads_a_strided_view_only) {
  // ids outside the view must not be seen, rows past the first pixels() elements must be (the
  // id index once read data[0 .. w*h) as if contiguous)
  std::vector<uint16_t> buf;
  ImageView<uint16_t> v = strided_view(buf);
  v.row(1)[1] = 3;
  v.row(4)[5] = 7;  // in the last row of the view: beyond buf[0 .. 30)
  RegionStats st = region_stats<uint16_t>(ImageView<const uint16_t>(buf.data(), 6, 5, 10), 1);
  CHECK_EQ(st.ids.size(), static_cast<size_t>(2));
  CHECK_EQ(st.ids[0], 3u);
  CHECK_EQ(st.ids[1], 7u);
  CHECK_EQ(st.area[1], static_cast<uint64_t>(1));
}

TEST(relabel_and_area_filter_keep_to_a_strided_view) {
  std::vector<uint16_t> buf;
  ImageView<uint16_t> v = strided_view(buf);
  v.row(0)[0] = 9;
  v.row(4)[4] = v.row(4)[5] = 40;
  CHECK_EQ(remove_objects_by_area(v, 2, 0, 2), 1u);  // the 1-pixel object 9 goes
  CHECK_EQ(v.row(0)[0], 0);
  std::vector<uint32_t> old;
  CHECK_EQ(relabel_sequential(v, &old, 2), 1u);
  CHECK_EQ(v.row(4)[4], 1);
  CHECK_EQ(v.row(4)[5], 1);
  // outside the view nothing changed
  for (int64_t y = 0; y < 8; ++y)
    for (int64_t x = 0; x < 10; ++x)
      if (y >= 5 || x >= 6) CHECK_EQ(buf[static_cast<size_t>(y * 10 + x)], 60000);
}
