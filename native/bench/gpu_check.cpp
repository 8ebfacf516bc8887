// GPU check for the device machine (no Node there): compares the CUDA kernels with the CPU
// reference on real label images and times both. Usage:
//   nucseg_gpu_check <dir with real2048_mask.npy, real2048_gt.npy, real2048_pred.npy> [runs]
// Builds 4096² inputs by tiling the 2048² mosaic 2x2 (labels offset per tile). Prints one
// line per kernel and input: match (yes/no), CPU ms (1 thread, all threads), CUDA ms
// (kernels only, end to end with copies), ratios. Exit code 1 if any result differs.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "nucseg/backends.hpp"
#include "nucseg/components.hpp"
#include "nucseg/distance.hpp"
#include "nucseg/gpu.hpp"
#include "nucseg/overlap.hpp"
#include "nucseg/thread_pool.hpp"

using namespace nucseg;

template <typename T>
static std::vector<T> load_npy(const std::string& path, int64_t& w, int64_t& h) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<char> b((std::istreambuf_iterator<char>(in)), {});
  uint16_t hl;
  std::memcpy(&hl, &b[8], 2);
  std::string header(&b[10], hl);
  auto sp = header.find("'shape': (");
  h = std::stoll(header.substr(sp + 10));
  w = std::stoll(header.substr(header.find(',', sp) + 1));
  std::vector<T> v(static_cast<size_t>(w * h));
  std::memcpy(v.data(), &b[10 + hl], v.size() * sizeof(T));
  return v;
}

template <typename T>
static std::vector<T> tile2x2(const std::vector<T>& a, int64_t w, int64_t h, T offset_step) {
  std::vector<T> out(static_cast<size_t>(4 * w * h));
  for (int ty = 0; ty < 2; ++ty)
    for (int tx = 0; tx < 2; ++tx) {
      const T off = static_cast<T>(offset_step * (ty * 2 + tx));
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) {
          const T v = a[y * w + x];
          out[(ty * h + y) * 2 * w + tx * w + x] = v ? static_cast<T>(v + off) : T(0);
        }
    }
  return out;
}

static double time_ms(const std::function<void()>& f, int runs) {
  f();
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    auto a = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: nucseg_gpu_check <inputs dir> [runs]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const int runs = argc > 2 ? std::atoi(argv[2]) : 7;
  CudaInfo ci = cuda_info();
  std::printf("cuda compiled=%d devices=%d device='%s' %s; cpu threads=%d\n", ci.compiled, ci.device_count, ci.device_name.c_str(),
              ci.error.c_str(), hardware_threads());
  if (ci.device_count == 0) return 3;
  int64_t w, h;
  auto mask = load_npy<uint8_t>(dir + "/real2048_mask.npy", w, h);
  auto gt = load_npy<uint16_t>(dir + "/real2048_gt.npy", w, h);
  auto pred = load_npy<uint16_t>(dir + "/real2048_pred.npy", w, h);
  struct Input {
    std::string name;
    int64_t w, h;
    std::vector<uint8_t> mask;
    std::vector<uint32_t> gt, pred;
  };
  std::vector<Input> inputs;
  inputs.push_back({"real2048", w, h, mask, std::vector<uint32_t>(gt.begin(), gt.end()), std::vector<uint32_t>(pred.begin(), pred.end())});
  {
    std::vector<uint32_t> g32(gt.begin(), gt.end()), p32(pred.begin(), pred.end());
    inputs.push_back({"real2048x4=4096", 2 * w, 2 * h, tile2x2<uint8_t>(mask, w, h, 0), tile2x2<uint32_t>(g32, w, h, 100000u),
                      tile2x2<uint32_t>(p32, w, h, 100000u)});
  }
  bool all_ok = true;
  std::printf("%-22s %-16s %-6s %10s %10s %12s %12s %10s %10s\n", "kernel", "input", "match", "cpu1 ms", "cpuN ms", "cuda kern ms",
              "cuda e2e ms", "cpuN/kern", "cpuN/e2e");
  auto report = [&](const char* k, const Input& in, bool ok, double c1, double cn, const gpu::Timing& t) {
    all_ok &= ok;
    std::printf("%-22s %-16s %-6s %10.3f %10.3f %12.3f %12.3f %10.1f %10.1f\n", k, in.name.c_str(), ok ? "yes" : "NO", c1, cn,
                t.kernel_ms, t.total_ms, cn / t.kernel_ms, cn / t.total_ms);
  };
  for (auto& in : inputs) {
    ImageView<const uint8_t> m(in.mask.data(), in.w, in.h);
    for (int conn : {8, 4}) {
      std::vector<uint32_t> a(in.mask.size()), b(in.mask.size());
      uint32_t na = connected_components(m, ImageView<uint32_t>(a.data(), in.w, in.h), conn, 0);
      gpu::Timing t;
      uint32_t nb = 0;
      std::vector<gpu::Timing> ts;
      for (int r = 0; r < runs + 1; ++r) {
        nb = gpu::connected_components(m, ImageView<uint32_t>(b.data(), in.w, in.h), conn, &t);
        if (r) ts.push_back(t);
      }
      std::sort(ts.begin(), ts.end(), [](auto& x, auto& y) { return x.total_ms < y.total_ms; });
      t = ts[ts.size() / 2];
      double c1 = time_ms([&] { connected_components(m, ImageView<uint32_t>(a.data(), in.w, in.h), conn, 1); }, runs);
      double cn = time_ms([&] { connected_components(m, ImageView<uint32_t>(a.data(), in.w, in.h), conn, 0); }, runs);
      report(conn == 8 ? "connectedComponents8" : "connectedComponents4", in, na == nb && a == b, c1, cn, t);
    }
    {
      std::vector<float> a(in.mask.size()), b(in.mask.size());
      distance_transform(m, ImageView<float>(a.data(), in.w, in.h), 0);
      gpu::Timing t;
      std::vector<gpu::Timing> ts;
      for (int r = 0; r < runs + 1; ++r) {
        gpu::distance_transform(m, ImageView<float>(b.data(), in.w, in.h), &t);
        if (r) ts.push_back(t);
      }
      std::sort(ts.begin(), ts.end(), [](auto& x, auto& y) { return x.total_ms < y.total_ms; });
      t = ts[ts.size() / 2];
      bool same = std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
      double c1 = time_ms([&] { distance_transform(m, ImageView<float>(a.data(), in.w, in.h), 1); }, runs);
      double cn = time_ms([&] { distance_transform(m, ImageView<float>(a.data(), in.w, in.h), 0); }, runs);
      report("distanceTransform", in, same, c1, cn, t);
    }
    {
      ImageView<const uint32_t> g(in.gt.data(), in.w, in.h), p(in.pred.data(), in.w, in.h);
      OverlapTable a = label_overlap(g, p, 0);
      gpu::Timing t;
      OverlapTable b;
      std::vector<gpu::Timing> ts;
      for (int r = 0; r < runs + 1; ++r) {
        b = overlap_from_counts(gpu::label_overlap_counts(g, p, &t));
        if (r) ts.push_back(t);
      }
      std::sort(ts.begin(), ts.end(), [](auto& x, auto& y) { return x.total_ms < y.total_ms; });
      t = ts[ts.size() / 2];
      bool same = a.pair_gt == b.pair_gt && a.pair_pred == b.pair_pred && a.pair_count == b.pair_count && a.gt_ids == b.gt_ids &&
                  a.gt_area == b.gt_area && a.pred_ids == b.pred_ids && a.pred_area == b.pred_area && a.pair_iou == b.pair_iou;
      double c1 = time_ms([&] { label_overlap(g, p, 1); }, runs);
      double cn = time_ms([&] { label_overlap(g, p, 0); }, runs);
      report("labelOverlap", in, same, c1, cn, t);
    }
  }
  std::printf("%s\n", all_ok ? "ALL MATCH" : "MISMATCH");
  return all_ok ? 0 : 1;
}
