// OpenCV C++ side of test/bench/alternate/run.mjs: times one op with the shared peer's own
// code (../shared/bench/bench_opencv.cpp: same inputs, same timing rules, output Mats
// reused) and prints "<op> <median ms>". Ops: cc8 (cv::connectedComponents, 8-conn,
// spaghetti, on real2048_mask), ws (cvtColor + cv::watershed on
// real2048_gray8 + markers), targets (per-object precise EDT loop + border GaussianBlur on
// real2048_gt; prints their sum and each).
#define main bench_opencv_main
#include BENCH_OPENCV_CPP
#undef main

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const std::string dir = argv[1], what = argv[2];
  g_runs = argc > 3 ? std::max(7, std::atoi(argv[3])) : 7;
  cv::setNumThreads(1);
  if (what == "ws") {
    cv::Mat gray = load(dir, "real2048_gray8"), markers = load(dir, "real2048_markers"), mk, bgr;
    Stat st = bench([&] { cv::cvtColor(gray, bgr, cv::COLOR_GRAY2BGR); cv::watershed(bgr, mk); }, [&] { markers.copyTo(mk); });
    std::printf("ws %.3f\n", st.median_ms);
  } else if (what == "cc8") {
    cv::Mat mask = load(dir, "real2048_mask"), labels;
    Stat st = bench([&] { cv::connectedComponents(mask, labels, 8, CV_32S, cv::CCL_SPAGHETTI); });
    std::printf("cc8 %.3f\n", st.median_ms);
  } else {
    cv::Mat gt = load(dir, "real2048_gt"), dst, t1, t2;
    std::vector<int> bb;
    const bool u16 = gt.depth() == CV_16U;
    Stat a = u16 ? bench([&] { norm_edt<uint16_t>(gt, dst, bb, t1, t2); }) : bench([&] { norm_edt<int32_t>(gt, dst, bb, t1, t2); });
    Stat b = u16 ? bench([&] { border_blur<uint16_t>(gt, t1, dst); }) : bench([&] { border_blur<int32_t>(gt, t1, dst); });
    std::printf("targets %.3f %.3f %.3f\n", a.median_ms + b.median_ms, a.median_ms, b.median_ms);
  }
  return 0;
}
