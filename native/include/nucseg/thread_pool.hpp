// A minimal fork-join helper. Kernels split work into a fixed number of contiguous
// chunks that depends only on the input size and `threads`, then merge the chunk
// results in chunk order, so the output never depends on scheduling.
#pragma once
#include <cstdint>
#include <functional>

namespace nucseg {

// Number of hardware threads (at least 1).
int hardware_threads();

// Clamp a user's thread request: <= 0 means "all cores".
int resolve_threads(int threads);

// Runs fn(chunk, begin, end) for `chunks` contiguous slices of [0, n). Chunk 0 runs on
// the calling thread. Exceptions from any chunk are rethrown (the first, in chunk order).
void parallel_chunks(int64_t n, int chunks, const std::function<void(int, int64_t, int64_t)>& fn);

}  // namespace nucseg
