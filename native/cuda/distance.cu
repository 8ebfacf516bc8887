// Exact EDT on the GPU, the same two separable passes as the CPU path: a column pass (one
// thread per column, coalesced across threads), a transpose, the lower envelope of
// parabolas per original row (one thread per row, reading the transposed columns, so
// again coalesced; integer arithmetic as on the CPU), then sqrt and a transpose back.
#include <chrono>
#include <cmath>

#include "common.cuh"
#include "nucseg/gpu.hpp"

namespace nucseg::gpu {
namespace {

using detail::check;
using detail::DeviceBuffer;

constexpr unsigned kColInf = 0xFFFFFFFFu;
constexpr long long kInf = 0x7FFFFFFFFFFFFFFFll;

__global__ void column_pass(const unsigned char* m, int w, int h, unsigned* g) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x;
  if (x >= w) return;
  unsigned prev = kColInf;
  for (int y = 0; y < h; ++y) {
    const long long i = static_cast<long long>(y) * w + x;
    prev = m[i] ? (prev == kColInf ? kColInf : prev + 1) : 0u;
    g[i] = prev;
  }
  unsigned next = kColInf;
  for (int y = h - 1; y >= 0; --y) {
    const long long i = static_cast<long long>(y) * w + x;
    const unsigned cand = next == kColInf ? kColInf : next + 1;
    unsigned v = g[i];
    if (cand < v) v = cand;
    g[i] = v;
    next = v;
  }
}

// out[x * h + y] = in[y * w + x]
template <typename T>
__global__ void transpose(const T* in, int w, int h, T* out) {
  __shared__ T tile[32][33];
  int x = blockIdx.x * 32 + threadIdx.x, y = blockIdx.y * 32 + threadIdx.y;
  for (int k = 0; k < 32; k += 8)
    if (x < w && y + k < h) tile[threadIdx.y + k][threadIdx.x] = in[static_cast<long long>(y + k) * w + x];
  __syncthreads();
  x = blockIdx.y * 32 + threadIdx.x;
  y = blockIdx.x * 32 + threadIdx.y;
  for (int k = 0; k < 32; k += 8)
    if (x < h && y + k < w) out[static_cast<long long>(y + k) * h + x] = tile[threadIdx.x][threadIdx.y + k];
}

// gt: transposed column distances, gt[q * rows + r] for original row r, column q (n = w
// samples per row). v, Fv: scratch laid out the same way (envelope sites and their
// F = f + p², cached so the inner tests need no reloads). Writes float distances to dt.
__global__ void envelope(const unsigned* gt, int rows, int n, int* v, long long* Fv, float* dt) {
  const int r = blockIdx.x * blockDim.x + threadIdx.x;
  if (r >= rows) return;
  auto f = [&](int p) -> long long {
    const unsigned gv = gt[static_cast<long long>(p) * rows + r];
    return gv == kColInf ? kInf : static_cast<long long>(gv) * gv;
  };
  auto V = [&](int k) -> int& { return v[static_cast<long long>(k) * rows + r]; };
  auto FV = [&](int k) -> long long& { return Fv[static_cast<long long>(k) * rows + r]; };
  int k = -1;
  for (int q = 0; q < n; ++q) {
    const long long fq = f(q);
    if (fq == kInf) continue;
    const long long Fq = fq + static_cast<long long>(q) * q;
    while (k >= 1) {
      const int p = V(k), s = V(k - 1);
      const long long Fp = FV(k), Fs = FV(k - 1);
      if ((Fq - Fp) * (p - s) <= (Fp - Fs) * (q - p))
        --k;
      else
        break;
    }
    ++k;
    V(k) = q;
    FV(k) = Fq;
  }
  if (k < 0) {
    for (int q = 0; q < n; ++q) dt[static_cast<long long>(q) * rows + r] = INFINITY;
    return;
  }
  int j = 0;
  for (int q = 0; q < n; ++q) {
    while (j < k && FV(j + 1) - FV(j) < 2ll * q * (V(j + 1) - V(j))) ++j;
    const int p = V(j);
    const long long d2 = static_cast<long long>(q - p) * (q - p) + (FV(j) - static_cast<long long>(p) * p);
    dt[static_cast<long long>(q) * rows + r] = static_cast<float>(sqrt(static_cast<double>(d2)));
  }
}

}  // namespace

void distance_transform(ImageView<const uint8_t> mask, ImageView<float> out, Timing* timing) {
  require_same_size(mask, out, "distanceTransform");
  if (mask.stride != mask.width || out.stride != out.width) throw ArgumentError("distanceTransform (CUDA): images must be contiguous");
  const long long n = mask.pixels();
  if (n == 0) return;
  const int w = static_cast<int>(mask.width), h = static_cast<int>(mask.height);
  const auto t0 = std::chrono::steady_clock::now();
  DeviceBuffer<unsigned char> dm(static_cast<size_t>(n));
  DeviceBuffer<unsigned> g(static_cast<size_t>(n)), gt(static_cast<size_t>(n));
  DeviceBuffer<int> v(static_cast<size_t>(n));
  DeviceBuffer<long long> Fv(static_cast<size_t>(n));
  DeviceBuffer<float> dt(static_cast<size_t>(n)), d(static_cast<size_t>(n));
  check(cudaMemcpy(dm.ptr, mask.data, static_cast<size_t>(n), cudaMemcpyHostToDevice), "copy mask");
  detail::EventTimer timer;
  timer.start();
  // One thread per column / row: small blocks spread the few thousand threads over all SMs.
  column_pass<<<detail::blocks_for(w, 32), 32>>>(dm.ptr, w, h, g.ptr);
  transpose<unsigned><<<dim3((w + 31) / 32, (h + 31) / 32), dim3(32, 8)>>>(g.ptr, w, h, gt.ptr);
  envelope<<<detail::blocks_for(h, 32), 32>>>(gt.ptr, h, w, v.ptr, Fv.ptr, dt.ptr);
  transpose<float><<<dim3((h + 31) / 32, (w + 31) / 32), dim3(32, 8)>>>(dt.ptr, h, w, d.ptr);
  const double kernel_ms = timer.stop();
  check(cudaGetLastError(), "distance kernels");
  check(cudaMemcpy(out.data, d.ptr, static_cast<size_t>(n) * sizeof(float), cudaMemcpyDeviceToHost), "copy distances");
  if (timing) {
    timing->kernel_ms = kernel_ms;
    timing->total_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
}

}  // namespace nucseg::gpu
