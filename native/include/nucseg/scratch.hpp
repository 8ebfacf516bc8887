// Scratch memory a kernel keeps between calls: fresh pages cost a fault and a zeroing each
// (on small VMs more than a fast kernel's own work), so a kernel that runs field after field
// holds its buffers in thread_local ScratchBuffers and only grows them.
#pragma once
#include <cstddef>
#include <memory>

namespace nucseg {

// An uninitialized array of T that only grows: get(n) returns room for at least n elements,
// keeping the old buffer (not its contents) when it is large enough.
template <typename T>
struct ScratchBuffer {
  std::unique_ptr<T[]> p;
  size_t cap = 0;
  T* get(size_t n) {
    if (n > cap) {
      p.reset();
      cap = 0;  // until the new buffer exists: `new` may throw (out of memory), and the next call must not use none
      p.reset(new T[n]);
      cap = n;
    }
    return p.get();
  }
};

}  // namespace nucseg
