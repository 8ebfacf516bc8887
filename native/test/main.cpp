#include <cstring>

#include "harness.hpp"

namespace nucseg::test {
std::vector<Case>& registry() {
  static std::vector<Case> r;
  return r;
}
int current_failures = 0;
}  // namespace nucseg::test

int main(int argc, char** argv) {
  using namespace nucseg::test;
  int passed = 0, failed = 0;
  for (auto& c : registry()) {
    if (argc > 1 && !std::strstr(c.name, argv[1])) continue;
    current_failures = 0;
    try {
      c.fn();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "  %s: unexpected exception: %s\n", c.name, e.what());
      ++current_failures;
    }
    if (current_failures) {
      std::printf("FAIL %s\n", c.name);
      ++failed;
    } else {
      std::printf("ok   %s\n", c.name);
      ++passed;
    }
  }
  std::printf("native: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
