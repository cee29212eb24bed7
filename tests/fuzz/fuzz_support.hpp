#pragma once
// Shared by the libFuzzer harnesses: a property that does not hold becomes a crash, which libFuzzer reports and
// saves as a reproducer like any sanitizer finding.

#include <cstdio>
#include <cstdlib>

namespace cw::fuzz {

[[noreturn]] inline void fail(const char* property) {
  std::fprintf(stderr, "fuzz property does not hold: %s\n", property);
  std::abort();
}

inline void check(bool holds, const char* property) {
  if (!holds) fail(property);
}

}  // namespace cw::fuzz
