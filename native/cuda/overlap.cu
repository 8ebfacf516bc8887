// Overlap histogram on the GPU: each thread run-length encodes 32 consecutive pixels of
// (gt, pred) and adds every run to a global open-addressing hash table with atomics
// (splitting runs at thread boundaries does not change the sums). The table is then
// compacted and the host builds the same sorted table as the CPU path.
#include <chrono>

#include "common.cuh"
#include "nucseg/gpu.hpp"

namespace nucseg::gpu {
namespace {

using detail::check;
using detail::DeviceBuffer;

constexpr unsigned long long kEmpty = ~0ull;
constexpr int kPixelsPerThread = 32;

__device__ inline unsigned long long mix(unsigned long long k) {
  k ^= k >> 31;
  k *= 0x9E3779B97F4A7C15ull;
  return k ^ (k >> 29);
}

__device__ inline void add(unsigned long long* keys, unsigned long long* counts, unsigned long long mask,
                           unsigned long long key, unsigned long long n, unsigned long long* all_ones, int* overflow) {
  if (key == 0) return;  // background in both
  if (key == kEmpty) {
    atomicAdd(all_ones, n);
    return;
  }
  unsigned long long i = (mix(key) >> 17) & mask;
  for (unsigned long long probe = 0; probe <= mask; ++probe) {
    unsigned long long prev = atomicCAS(&keys[i], kEmpty, key);
    if (prev == kEmpty || prev == key) {
      atomicAdd(&counts[i], n);
      return;
    }
    i = (i + 1) & mask;
  }
  *overflow = 1;
}

template <typename G, typename P>
__global__ void count_runs(const G* gt, const P* pred, long long n, unsigned long long* keys, unsigned long long* counts,
                           unsigned long long mask, unsigned long long* all_ones, int* overflow) {
  const long long t = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  const long long a = t * kPixelsPerThread;
  if (a >= n) return;
  const long long b = min(a + kPixelsPerThread, n);
  unsigned long long cur = (static_cast<unsigned long long>(gt[a]) << 32) | pred[a];
  unsigned long long len = 1;
  for (long long i = a + 1; i < b; ++i) {
    const unsigned long long k = (static_cast<unsigned long long>(gt[i]) << 32) | pred[i];
    if (k == cur) {
      ++len;
    } else {
      add(keys, counts, mask, cur, len, all_ones, overflow);
      cur = k;
      len = 1;
    }
  }
  add(keys, counts, mask, cur, len, all_ones, overflow);
}

__global__ void compact(const unsigned long long* keys, const unsigned long long* counts, unsigned long long cap,
                        unsigned long long* out_keys, unsigned long long* out_counts, unsigned int* out_n) {
  const unsigned long long i = static_cast<unsigned long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= cap || keys[i] == kEmpty) return;
  const unsigned int j = atomicAdd(out_n, 1u);
  out_keys[j] = keys[i];
  out_counts[j] = counts[i];
}

}  // namespace

template <typename G, typename P>
std::vector<std::pair<uint64_t, uint64_t>> label_overlap_counts(ImageView<const G> gt, ImageView<const P> pred, Timing* timing) {
  require_same_size(gt, pred, "labelOverlap");
  if (gt.stride != gt.width || pred.stride != pred.width) throw ArgumentError("labelOverlap (CUDA): images must be contiguous");
  const auto t0 = std::chrono::steady_clock::now();
  const long long n = gt.pixels();
  std::vector<std::pair<uint64_t, uint64_t>> result;
  if (n == 0) return result;
  // Table: a few pairs per thousand pixels is typical; start generous, grow on overflow.
  unsigned long long cap = 1ull << 16;
  while (cap < static_cast<unsigned long long>(n) / 64 && cap < (1ull << 26)) cap <<= 1;
  DeviceBuffer<G> dg(static_cast<size_t>(n));
  DeviceBuffer<P> dp(static_cast<size_t>(n));
  check(cudaMemcpy(dg.ptr, gt.data, n * sizeof(G), cudaMemcpyHostToDevice), "copy gt");
  check(cudaMemcpy(dp.ptr, pred.data, n * sizeof(P), cudaMemcpyHostToDevice), "copy pred");
  double kernel_ms = 0;
  for (;;) {
    DeviceBuffer<unsigned long long> keys(cap), counts(cap), out_keys(cap), out_counts(cap), ones(1);
    DeviceBuffer<int> overflow(1);
    DeviceBuffer<unsigned int> out_n(1);
    check(cudaMemset(keys.ptr, 0xFF, cap * sizeof(unsigned long long)), "memset");
    check(cudaMemset(counts.ptr, 0, cap * sizeof(unsigned long long)), "memset");
    check(cudaMemset(ones.ptr, 0, sizeof(unsigned long long)), "memset");
    check(cudaMemset(overflow.ptr, 0, sizeof(int)), "memset");
    check(cudaMemset(out_n.ptr, 0, sizeof(unsigned int)), "memset");
    detail::EventTimer timer;
    timer.start();
    const long long nthreads = (n + kPixelsPerThread - 1) / kPixelsPerThread;
    count_runs<G, P><<<detail::blocks_for(nthreads, 256), 256>>>(dg.ptr, dp.ptr, n, keys.ptr, counts.ptr, cap - 1, ones.ptr, overflow.ptr);
    compact<<<detail::blocks_for(cap, 256), 256>>>(keys.ptr, counts.ptr, cap, out_keys.ptr, out_counts.ptr, out_n.ptr);
    kernel_ms += timer.stop();
    check(cudaGetLastError(), "overlap kernels");
    int of = 0;
    check(cudaMemcpy(&of, overflow.ptr, sizeof(int), cudaMemcpyDeviceToHost), "copy overflow");
    if (of) {
      if (cap >= (1ull << 28)) throw std::runtime_error("labelOverlap (CUDA): too many label pairs");
      cap <<= 2;
      continue;
    }
    unsigned int m = 0;
    unsigned long long all_ones = 0;
    check(cudaMemcpy(&m, out_n.ptr, sizeof(unsigned int), cudaMemcpyDeviceToHost), "copy count");
    check(cudaMemcpy(&all_ones, ones.ptr, sizeof(unsigned long long), cudaMemcpyDeviceToHost), "copy count");
    std::vector<unsigned long long> k(m), c(m);
    if (m) {
      check(cudaMemcpy(k.data(), out_keys.ptr, m * sizeof(unsigned long long), cudaMemcpyDeviceToHost), "copy keys");
      check(cudaMemcpy(c.data(), out_counts.ptr, m * sizeof(unsigned long long), cudaMemcpyDeviceToHost), "copy counts");
    }
    result.reserve(m + 1);
    for (unsigned int i = 0; i < m; ++i) result.emplace_back(k[i], c[i]);
    if (all_ones) result.emplace_back(kEmpty, all_ones);
    break;
  }
  if (timing) {
    timing->kernel_ms = kernel_ms;
    timing->total_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  return result;
}

template std::vector<std::pair<uint64_t, uint64_t>> label_overlap_counts<uint16_t, uint16_t>(ImageView<const uint16_t>, ImageView<const uint16_t>, Timing*);
template std::vector<std::pair<uint64_t, uint64_t>> label_overlap_counts<uint16_t, uint32_t>(ImageView<const uint16_t>, ImageView<const uint32_t>, Timing*);
template std::vector<std::pair<uint64_t, uint64_t>> label_overlap_counts<uint32_t, uint16_t>(ImageView<const uint32_t>, ImageView<const uint16_t>, Timing*);
template std::vector<std::pair<uint64_t, uint64_t>> label_overlap_counts<uint32_t, uint32_t>(ImageView<const uint32_t>, ImageView<const uint32_t>, Timing*);

}  // namespace nucseg::gpu
