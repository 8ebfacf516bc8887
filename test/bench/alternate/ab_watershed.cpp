// Before/after of the watershed in one process (test/bench/alternate/ab.sh): the kernel of
// an earlier commit (namespace nucseg_prev) and the working tree's (nucseg), called in
// alternation on the shared 2048² inputs, 1 thread; prints medians, their ratio and whether
// the labels are the same. Usage: ab_watershed [runs] [inputs dir]
#include "ab_common.hpp"
#include "nucseg/watershed.hpp"
namespace nucseg_prev { template <typename E> void watershed(nucseg::ImageView<const E>, nucseg::ImageView<const uint32_t>, nucseg::ImageView<uint32_t>, const nucseg::WatershedOptions&); }
using namespace nucseg;
int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 9;
  std::string dir = argc > 2 ? argv[2] : "bench-inputs";
  cv::Mat gray = load(dir, "real2048_gray8"), mk = load(dir, "real2048_markers"), gt = load(dir, "real2048_gt"), ne = load(dir, "ref/norm_edt_real2048");
  int W = gray.cols, H = gray.rows, N = W * H, ngt = 0;
  std::vector<uint8_t> e8(N), msk(N); std::vector<uint32_t> m(N), seeds(N), oa(N), ob(N); std::vector<float> ef(N), ef2(N);
  for (int i = 0; i < N; i++) { int g = gt.depth() == CV_16U ? gt.ptr<uint16_t>()[i] : gt.ptr<int32_t>()[i]; ngt = std::max(ngt, g); }
  for (int i = 0; i < N; i++) {
    e8[i] = 255 - gray.data[i]; m[i] = mk.ptr<int32_t>()[i];
    int g = gt.depth() == CV_16U ? gt.ptr<uint16_t>()[i] : gt.ptr<int32_t>()[i];
    msk[i] = g != 0; ef[i] = -ne.ptr<float>()[i]; seeds[i] = m[i] <= (uint32_t)ngt ? m[i] : 0; ef2[i] = e8[i] * 257 + (i % 7) + (i % 1009) * 1e-3f;
  }
  WatershedOptions o, om; om.mask = ImageView<const uint8_t>(msk.data(), W, H);
  auto cases = std::vector<std::pair<const char*, std::function<void(bool)>>>{
    {"u8", [&](bool nw) { auto f = nw ? nucseg::watershed<uint8_t> : nucseg_prev::watershed<uint8_t>; f(ImageView<const uint8_t>(e8.data(), W, H), ImageView<const uint32_t>(m.data(), W, H), ImageView<uint32_t>((nw ? ob : oa).data(), W, H), o); }},
    {"f32 -normEDT masked", [&](bool nw) { auto f = nw ? nucseg::watershed<float> : nucseg_prev::watershed<float>; f(ImageView<const float>(ef.data(), W, H), ImageView<const uint32_t>(seeds.data(), W, H), ImageView<uint32_t>((nw ? ob : oa).data(), W, H), om); }},
    {"f32 many distinct", [&](bool nw) { auto f = nw ? nucseg::watershed<float> : nucseg_prev::watershed<float>; f(ImageView<const float>(ef2.data(), W, H), ImageView<const uint32_t>(m.data(), W, H), ImageView<uint32_t>((nw ? ob : oa).data(), W, H), o); }},
  };
  for (auto& [name, fn] : cases) {
    ab(name, runs, fn);
    std::printf("%-22s labels %s\n", "", oa == ob ? "the same" : "DIFFERENT");
  }
}
