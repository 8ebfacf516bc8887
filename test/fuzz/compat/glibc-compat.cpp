// Symbols the prebuilt Jazzer.js fuzzer addon (@jazzer.js/fuzzer 4.x, built against glibc
// 2.38 / GCC 13) needs and an older system (Debian 12: glibc 2.36, libstdc++ of GCC 12) lacks.
// scripts/fuzz.sh builds this into a small shared library preloaded (LD_PRELOAD) into the
// Jazzer.js process, next to a copy of the addon whose GLIBC_2.38 / GLIBCXX_3.4.32 version
// needs are marked weak (weak-glibc-version.py). Not part of nucseg itself.
#include <cstdlib>
#include <ios>

// C23 strtol/strtoul (they also accept a 0b prefix; the addon parses libFuzzer flags only).
extern "C" long __isoc23_strtol(const char* s, char** end, int base) { return std::strtol(s, end, base); }
extern "C" unsigned long __isoc23_strtoul(const char* s, char** end, int base) { return std::strtoul(s, end, base); }

// GCC 13 iostream initialization hook: make sure the standard streams are set up.
namespace std {
void ios_base_library_init() { static std::ios_base::Init init; }
}  // namespace std
