// Connected components on the GPU with exactly the CPU's numbering: union-find over pixel
// indices where a union always keeps the smaller index as root (atomicMin), so each
// component's root is its first pixel in raster order; roots are then numbered by an
// exclusive scan over "is root" flags, which gives raster order of first pixels — the
// same ids as the CPU path (and scipy.ndimage.label).
#include <cub/device/device_scan.cuh>

#include <chrono>

#include "common.cuh"
#include "nucseg/gpu.hpp"

namespace nucseg::gpu {
namespace {

using detail::check;
using detail::DeviceBuffer;

constexpr unsigned kNone = 0xFFFFFFFFu;

__device__ inline unsigned find_root(const unsigned* L, unsigned x) {
  unsigned p = L[x];
  while (p != x) {
    x = p;
    p = L[x];
  }
  return x;
}

__device__ inline void unite(unsigned* L, unsigned a, unsigned b) {
  for (;;) {
    a = find_root(L, a);
    b = find_root(L, b);
    if (a == b) return;
    if (a < b) {
      const unsigned old = atomicMin(&L[b], a);
      if (old == b) return;
      b = old;
    } else {
      const unsigned old = atomicMin(&L[a], b);
      if (old == a) return;
      a = old;
    }
  }
}

__global__ void init_labels(const unsigned char* m, long long n, unsigned* L) {
  const long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) L[i] = m[i] ? static_cast<unsigned>(i) : kNone;
}

__global__ void merge(const unsigned char* m, int w, int h, int conn8, unsigned* L) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= w || y >= h) return;
  const long long i = static_cast<long long>(y) * w + x;
  if (!m[i]) return;
  if (x > 0 && m[i - 1]) unite(L, static_cast<unsigned>(i), static_cast<unsigned>(i - 1));
  if (y > 0) {
    if (m[i - w]) unite(L, static_cast<unsigned>(i), static_cast<unsigned>(i - w));
    if (conn8) {
      if (x > 0 && m[i - w - 1]) unite(L, static_cast<unsigned>(i), static_cast<unsigned>(i - w - 1));
      if (x + 1 < w && m[i - w + 1]) unite(L, static_cast<unsigned>(i), static_cast<unsigned>(i - w + 1));
    }
  }
}

__global__ void compress_and_flag(long long n, unsigned* L, unsigned* is_root) {
  const long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n) return;
  if (L[i] == kNone) {
    is_root[i] = 0;
    return;
  }
  const unsigned r = find_root(L, static_cast<unsigned>(i));
  L[i] = r;
  is_root[i] = (r == static_cast<unsigned>(i)) ? 1u : 0u;
}

__global__ void finalize(long long n, const unsigned* L, const unsigned* rank, unsigned* out) {
  const long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const unsigned r = L[i];
  out[i] = r == kNone ? 0u : rank[r] + 1u;
}

}  // namespace

uint32_t connected_components(ImageView<const uint8_t> mask, ImageView<uint32_t> labels, int connectivity, Timing* timing) {
  require_same_size(mask, labels, "connectedComponents");
  if (connectivity != 4 && connectivity != 8) throw ArgumentError("connectedComponents: connectivity must be 4 or 8");
  if (mask.stride != mask.width || labels.stride != labels.width) throw ArgumentError("connectedComponents (CUDA): images must be contiguous");
  const long long n = mask.pixels();
  if (n == 0) return 0;
  if (n >= static_cast<long long>(kNone)) throw ArgumentError("connectedComponents (CUDA): image too large");
  const auto t0 = std::chrono::steady_clock::now();
  DeviceBuffer<unsigned char> dm(static_cast<size_t>(n));
  DeviceBuffer<unsigned> L(static_cast<size_t>(n)), flag(static_cast<size_t>(n)), rank(static_cast<size_t>(n)), out(static_cast<size_t>(n));
  check(cudaMemcpy(dm.ptr, mask.data, static_cast<size_t>(n), cudaMemcpyHostToDevice), "copy mask");
  size_t scratch_bytes = 0;
  check(cub::DeviceScan::ExclusiveSum(nullptr, scratch_bytes, flag.ptr, rank.ptr, static_cast<int>(n)), "scan size");
  DeviceBuffer<unsigned char> scratch(scratch_bytes);
  detail::EventTimer timer;
  timer.start();
  init_labels<<<detail::blocks_for(n, 256), 256>>>(dm.ptr, n, L.ptr);
  const dim3 block(32, 8), grid(static_cast<unsigned>((mask.width + 31) / 32), static_cast<unsigned>((mask.height + 7) / 8));
  merge<<<grid, block>>>(dm.ptr, static_cast<int>(mask.width), static_cast<int>(mask.height), connectivity == 8, L.ptr);
  compress_and_flag<<<detail::blocks_for(n, 256), 256>>>(n, L.ptr, flag.ptr);
  check(cub::DeviceScan::ExclusiveSum(scratch.ptr, scratch_bytes, flag.ptr, rank.ptr, static_cast<int>(n)), "scan");
  finalize<<<detail::blocks_for(n, 256), 256>>>(n, L.ptr, rank.ptr, out.ptr);
  const double kernel_ms = timer.stop();
  check(cudaGetLastError(), "components kernels");
  unsigned last_rank = 0, last_flag = 0;
  check(cudaMemcpy(&last_rank, rank.ptr + n - 1, sizeof(unsigned), cudaMemcpyDeviceToHost), "copy rank");
  check(cudaMemcpy(&last_flag, flag.ptr + n - 1, sizeof(unsigned), cudaMemcpyDeviceToHost), "copy flag");
  check(cudaMemcpy(labels.data, out.ptr, static_cast<size_t>(n) * sizeof(unsigned), cudaMemcpyDeviceToHost), "copy labels");
  if (timing) {
    timing->kernel_ms = kernel_ms;
    timing->total_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  return last_rank + last_flag;
}

}  // namespace nucseg::gpu
