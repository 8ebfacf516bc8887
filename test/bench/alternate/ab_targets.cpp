// Before/after of the FPN2-WS targets in one process (test/bench/alternate/ab.sh): the
// kernels of an earlier commit (namespace nucseg_prev) and the working tree's, alternating,
// 1 thread, after checking the outputs are the same to the bit (sizes, sigmas, threads).
// Usage: ab_targets [runs] [inputs dir]; NOEX=1 skips the checks, NOBLUR=1 the blur timing.
#include "ab_common.hpp"
#include "nucseg/filters.hpp"
#include "nucseg/distance.hpp"
namespace nucseg_prev {
template <typename T> void blurred_border(nucseg::ImageView<const T>, nucseg::ImageView<float>, double, int);
template <typename T> void normalized_distance(nucseg::ImageView<const T>, nucseg::ImageView<float>, int);
}
using namespace nucseg;
int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 9;
  std::string dir = argc > 2 ? argv[2] : "bench-inputs";
  cv::Mat gt = load(dir, "real2048_gt");
  int W = gt.cols, H = gt.rows, N = W * H;
  std::vector<uint16_t> g16(N); std::vector<uint32_t> g32(N);
  for (int i = 0; i < N; i++) { g32[i] = gt.depth() == CV_16U ? gt.ptr<uint16_t>()[i] : gt.ptr<int32_t>()[i]; g16[i] = (uint16_t)g32[i]; }
  std::vector<float> a(N), b(N);
  ImageView<const uint16_t> L(g16.data(), W, H);
  // exactness: several sigmas, threads, a crop with odd size
  int bad = 0;
  if (!getenv("NOEX")) {
  for (double sg : {0.0, 1.0, 2.0, 0.5}) for (int th : {1, 2}) {
    nucseg_prev::blurred_border<uint16_t>(L, ImageView<float>(a.data(), W, H), sg, th);
    nucseg::blurred_border<uint16_t>(L, ImageView<float>(b.data(), W, H), sg, th);
    if (std::memcmp(a.data(), b.data(), N * 4)) { bad++; std::printf("blur DIFF sigma %g threads %d\n", sg, th); }
  }
  for (int cw : {1, 2, 3, 7, 100}) for (int chh : {1, 2, 5, 9, 33}) {
    std::vector<uint32_t> cc(cw * chh); for (int yy = 0; yy < chh; yy++) for (int xx = 0; xx < cw; xx++) cc[yy * cw + xx] = g32[(1000 + yy) * W + 500 + xx];
    ImageView<const uint32_t> C(cc.data(), cw, chh);
    std::vector<float> ca(cw * chh), cb(cw * chh);
    for (double sg : {1.0, 3.0}) {
      nucseg_prev::blurred_border<uint32_t>(C, ImageView<float>(ca.data(), cw, chh), sg, 1);
      nucseg::blurred_border<uint32_t>(C, ImageView<float>(cb.data(), cw, chh), sg, 1);
      if (ca != cb) { bad++; std::printf("blur crop DIFF %dx%d sigma %g\n", cw, chh, sg); }
    }
    nucseg_prev::normalized_distance<uint32_t>(C, ImageView<float>(ca.data(), cw, chh), 1);
    nucseg::normalized_distance<uint32_t>(C, ImageView<float>(cb.data(), cw, chh), 1);
    if (ca != cb) { bad++; std::printf("nd crop DIFF %dx%d\n", cw, chh); for (int i = 0; i < cw * chh; i++) if (ca[i] != cb[i]) { std::printf("  at %d,%d label %u prev %.9g new %.9g\n", i % cw, i / cw, cc[i], ca[i], cb[i]); break; } }
  }
  for (int th : {1, 2}) {
    nucseg_prev::normalized_distance<uint16_t>(L, ImageView<float>(a.data(), W, H), th);
    nucseg::normalized_distance<uint16_t>(L, ImageView<float>(b.data(), W, H), th);
    if (std::memcmp(a.data(), b.data(), N * 4)) { bad++; std::printf("nd DIFF threads %d\n", th); }
  }
  }
  std::printf("exactness: %s\n", bad ? "DIFFERENT" : "bit-identical");
    if (!getenv("NOBLUR")) ab("blurredBorder", runs, [&](bool nw) { (nw ? nucseg::blurred_border<uint16_t> : nucseg_prev::blurred_border<uint16_t>)(L, ImageView<float>(a.data(), W, H), 1.0, 1); });
  ab("normalizedDistance", runs, [&](bool nw) { (nw ? nucseg::normalized_distance<uint16_t> : nucseg_prev::normalized_distance<uint16_t>)(L, ImageView<float>(a.data(), W, H), 1); });
}
