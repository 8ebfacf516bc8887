// Shared by ab_watershed.cpp and ab_targets.cpp (test/bench/alternate/ab.sh): the shared
// bench's .npy loader (../shared/bench/bench_opencv.cpp, included without its main) and an
// alternating before/after timer.
#pragma once
#define main bench_opencv_main
#include BENCH_OPENCV_CPP
#undef main

// Calls fn(false) (before) and fn(true) (after) in alternation, runs times each after one
// warm-up call of each; prints both medians and before / after.
inline void ab(const char* name, int runs, const std::function<void(bool)>& fn, const std::string& note = "") {
  auto now = [] { return std::chrono::duration<double, std::milli>(Clock::now().time_since_epoch()).count(); };
  auto med = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  fn(false);
  fn(true);
  std::vector<double> a, b;
  for (int r = 0; r < runs; r++) {
    const double t0 = now();
    fn(false);
    const double t1 = now();
    fn(true);
    const double t2 = now();
    a.push_back(t1 - t0);
    b.push_back(t2 - t1);
  }
  std::printf("%-22s before %7.2f  after %7.2f  before/after %.2fx  %s\n", name, med(a), med(b), med(a) / med(b), note.c_str());
}
