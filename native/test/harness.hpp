// A tiny test harness: TEST(name) { CHECK(...); }. Prints "N passed, N failed".
#pragma once
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace nucseg::test {

struct Case {
  const char* name;
  std::function<void()> fn;
};
std::vector<Case>& registry();
extern int current_failures;

struct Register {
  Register(const char* n, std::function<void()> f) { registry().push_back({n, std::move(f)}); }
};

}  // namespace nucseg::test

#define TEST(name)                                                          \
  static void name();                                                       \
  static ::nucseg::test::Register reg_##name(#name, name);                  \
  static void name()

#define CHECK(cond)                                                                      \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
      ++::nucseg::test::current_failures;                                                \
    }                                                                                    \
  } while (0)

#define CHECK_EQ(a, b)                                                                        \
  do {                                                                                        \
    auto va_ = (a);                                                                           \
    auto vb_ = (b);                                                                           \
    if (!(va_ == vb_)) {                                                                      \
      std::fprintf(stderr, "  %s:%d: CHECK_EQ failed: %s (%s) vs %s (%s)\n", __FILE__, __LINE__, \
                   #a, std::to_string(va_).c_str(), #b, std::to_string(vb_).c_str());         \
      ++::nucseg::test::current_failures;                                                     \
    }                                                                                         \
  } while (0)

#define CHECK_THROWS(expr)                                                               \
  do {                                                                                   \
    bool threw_ = false;                                                                 \
    try {                                                                                \
      (void)(expr);                                                                      \
    } catch (...) {                                                                      \
      threw_ = true;                                                                     \
    }                                                                                    \
    if (!threw_) {                                                                       \
      std::fprintf(stderr, "  %s:%d: expected exception: %s\n", __FILE__, __LINE__, #expr); \
      ++::nucseg::test::current_failures;                                                \
    }                                                                                    \
  } while (0)
