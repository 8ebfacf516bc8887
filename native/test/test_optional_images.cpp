// Optional images of the C++ API (the watershed mask, the measure_regions intensity) are
// views whose size the kernel itself checks, and whose stride it honours: a caller other
// than the N-API binding (a C++ user, the fuzz harness) gets an ArgumentError, not a read
// past the end of a smaller buffer.
#include <cstring>
#include <random>

#include "harness.hpp"
#include "nucseg/measure.hpp"
#include "nucseg/watershed.hpp"

using namespace nucseg;

namespace {

// True when f throws an ArgumentError whose message contains `what`.
template <typename F>
bool argument_error(F&& f, const char* what) {
  try {
    f();
  } catch (const ArgumentError& e) {
    return std::strstr(e.what(), what) != nullptr;
  } catch (...) {
    return false;
  }
  return false;
}

}  // namespace

TEST(watershed_mask_of_another_size_is_an_argument_error) {
  const int w = 9, h = 7;
  std::vector<uint8_t> e(w * h, 1), m(w * (h - 1), 1);
  std::vector<uint32_t> mk(w * h, 0), out(w * h);
  mk[0] = 1;
  for (auto [mw, mh] : {std::pair{w, h - 1}, std::pair{w - 1, h}, std::pair{1, w * (h - 1)}}) {
    WatershedOptions o;
    o.mask = ImageView<const uint8_t>(m.data(), mw, mh);
    CHECK(argument_error([&] { watershed<uint8_t>(ImageView<const uint8_t>(e.data(), w, h), ImageView<const uint32_t>(mk.data(), w, h), ImageView<uint32_t>(out.data(), w, h), o); },
                         "watershed: mask: image sizes differ"));
  }
  // an empty image with a non-empty mask is refused too (the size check comes first)
  WatershedOptions o;
  o.mask = ImageView<const uint8_t>(m.data(), 2, 2);
  CHECK(argument_error([&] { watershed<uint8_t>(ImageView<const uint8_t>(), ImageView<const uint32_t>(), ImageView<uint32_t>(), o); }, "mask"));
}

TEST(watershed_mask_view_with_a_stride_equals_the_contiguous_mask) {
  std::mt19937 rng(3);
  const int w = 33, h = 17, stride = 40;
  std::vector<uint8_t> e(w * h), m(w * h), padded(stride * h, 0xCD);
  std::vector<uint32_t> mk(w * h, 0), a(w * h), b(w * h);
  for (auto& v : e) v = static_cast<uint8_t>(rng() & 255);
  for (int i = 0; i < w * h; ++i) m[i] = (i * 7 % 5) != 0;
  for (int y = 0; y < h; ++y) std::memcpy(&padded[y * stride], &m[y * w], w);
  mk[w + 1] = 1;
  mk[w * h - w - 2] = 2;
  WatershedOptions o;
  o.mask = ImageView<const uint8_t>(m.data(), w, h);
  watershed<uint8_t>(ImageView<const uint8_t>(e.data(), w, h), ImageView<const uint32_t>(mk.data(), w, h), ImageView<uint32_t>(a.data(), w, h), o);
  o.mask = ImageView<const uint8_t>(padded.data(), w, h, stride);
  watershed<uint8_t>(ImageView<const uint8_t>(e.data(), w, h), ImageView<const uint32_t>(mk.data(), w, h), ImageView<uint32_t>(b.data(), w, h), o);
  CHECK(a == b);
  for (int i = 0; i < w * h; ++i)
    if (!m[i]) CHECK_EQ(a[i], 0u);  // outside the mask: never flooded
}

TEST(measure_regions_intensity_of_another_size_is_an_argument_error) {
  const int w = 8, h = 5;
  std::vector<uint16_t> labels(w * h, 1);
  std::vector<float> intensity(w * h, 2.0f);
  CHECK(argument_error([&] { measure_regions<uint16_t, float>(ImageView<const uint16_t>(labels.data(), w, h), ImageView<const float>(intensity.data(), w - 1, h), 1); },
                       "measure_regions: labels and intensity: image sizes differ"));
  CHECK(argument_error([&] { measure_regions<uint16_t, float>(ImageView<const uint16_t>(labels.data(), w, h), ImageView<const float>(intensity.data(), h, w), 1); },
                       "image sizes differ"));
  // empty labels return no regions, but a mismatched intensity is still refused
  CHECK(argument_error([&] { measure_regions<uint16_t, float>(ImageView<const uint16_t>(), ImageView<const float>(intensity.data(), w, h), 1); }, "image sizes differ"));
}

TEST(measure_regions_intensity_is_optional_and_read_through_its_stride) {
  const int w = 6, h = 4, stride = 10;
  std::vector<uint32_t> labels(w * h, 0);
  for (int y = 1; y < 3; ++y)
    for (int x = 1; x < 4; ++x) labels[y * w + x] = 7;  // one 3x2 region
  std::vector<uint16_t> padded(stride * h, 60000);      // padding would blow up the max and the sum
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) padded[y * stride + x] = static_cast<uint16_t>(10 * y + x);
  Measurements m = measure_regions<uint32_t, uint16_t>(ImageView<const uint32_t>(labels.data(), w, h), ImageView<const uint16_t>(padded.data(), w, h, stride), 1);
  CHECK_EQ(m.ids.size(), size_t(1));
  CHECK_EQ(m.intensity_sum[0], 11.0 + 12 + 13 + 21 + 22 + 23);
  CHECK_EQ(m.intensity_min[0], 11.0);
  CHECK_EQ(m.intensity_max[0], 23.0);
  Measurements none = measure_regions<uint32_t, uint16_t>(ImageView<const uint32_t>(labels.data(), w, h), std::nullopt, 1);
  CHECK_EQ(none.area[0], 6.0);
  CHECK_EQ(none.intensity_sum[0], 0.0);
  CHECK_EQ(none.intensity_max[0], 0.0);
}
