#include "nucseg/thread_pool.hpp"

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

namespace nucseg {

int hardware_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

int resolve_threads(int threads) {
  if (threads <= 0) return hardware_threads();
  return std::min(threads, 256);
}

void parallel_chunks(int64_t n, int chunks, const std::function<void(int, int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  chunks = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(chunks, n)));
  auto bounds = [&](int c) { return n * c / chunks; };
  if (chunks == 1) {
    fn(0, 0, n);
    return;
  }
  std::vector<std::exception_ptr> errors(static_cast<size_t>(chunks));
  std::vector<std::thread> workers;
  workers.reserve(static_cast<size_t>(chunks - 1));
  for (int c = 1; c < chunks; ++c) {
    workers.emplace_back([&, c] {
      try {
        fn(c, bounds(c), bounds(c + 1));
      } catch (...) {
        errors[static_cast<size_t>(c)] = std::current_exception();
      }
    });
  }
  try {
    fn(0, bounds(0), bounds(1));
  } catch (...) {
    errors[0] = std::current_exception();
  }
  for (auto& w : workers) w.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace nucseg
