// A persistent pool of worker threads (created on first use, reused by every kernel call)
// so that a kernel on a 2048² image does not pay thread start-up on each call.
#include "nucseg/thread_pool.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
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

namespace {

thread_local bool in_parallel_region = false;

class Pool {
 public:
  static Pool& instance() {
    // Leaked on purpose: workers stay parked until the process exits.
    static Pool* pool = new Pool();
    return *pool;
  }

  // Runs task(i) for every i in [0, n): i = 0 on the caller, the rest on workers.
  void run(int n, const std::function<void(int)>& task) {
    std::lock_guard<std::mutex> region(call_mutex_);  // one parallel region at a time
    while (static_cast<int>(workers_.size()) < n - 1) workers_.emplace_back([this] { loop(); });
    {
      std::lock_guard<std::mutex> lk(m_);
      task_ = &task;
      next_ = 1;
      end_ = n;
      pending_ = n - 1;
      ++generation_;
    }
    cv_.notify_all();
    in_parallel_region = true;
    task(0);
    in_parallel_region = false;
    std::unique_lock<std::mutex> lk(m_);
    done_cv_.wait(lk, [&] { return pending_ == 0; });
    task_ = nullptr;
  }

 private:
  void loop() {
    in_parallel_region = true;
    std::unique_lock<std::mutex> lk(m_);
    for (;;) {
      cv_.wait(lk, [&] { return next_ < end_; });
      int i = next_++;
      const std::function<void(int)>* task = task_;
      lk.unlock();
      (*task)(i);
      lk.lock();
      if (--pending_ == 0) done_cv_.notify_one();
    }
  }

  std::mutex call_mutex_;
  std::mutex m_;
  std::condition_variable cv_, done_cv_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* task_ = nullptr;
  int next_ = 0, end_ = 0, pending_ = 0;
  uint64_t generation_ = 0;
};

}  // namespace

void parallel_chunks(int64_t n, int chunks, const std::function<void(int, int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  chunks = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(chunks, n)));
  auto bounds = [&](int c) { return n * c / chunks; };
  // Serial when one chunk, or when already inside a parallel region (nested call).
  if (chunks == 1 || in_parallel_region) {
    for (int c = 0; c < chunks; ++c) fn(c, bounds(c), bounds(c + 1));
    return;
  }
  std::vector<std::exception_ptr> errors(static_cast<size_t>(chunks));
  Pool::instance().run(chunks, [&](int c) {
    try {
      fn(c, bounds(c), bounds(c + 1));
    } catch (...) {
      errors[static_cast<size_t>(c)] = std::current_exception();
    }
  });
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace nucseg
