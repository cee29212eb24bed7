// Children's sanitizer reports fail the test that started them (tests/support/process.cpp): in a CW_SANITIZE
// build the carewatch children are sanitized, and their reports go to their output, not to the test's.

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/process.hpp"

namespace cw::testing {
namespace {

// What AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer print first, as a child would print it.
const char* const kReports[] = {
    "==4242==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010",
    "==4242==ERROR: LeakSanitizer: detected memory leaks",
    "modules/core/src/time.cpp:42:17: runtime error: signed integer overflow",
};

// EXPECT_NONFATAL_FAILURE's statement cannot use local variables: the report under test is here.
const char* current = nullptr;

std::string logFile() {
  return (std::filesystem::temp_directory_path() / "cw-sanitizer-report-test.log").string();
}

TEST(SanitizerReports, InTheOutputOfACommandFailTheTest) {
  for (const char* report : kReports) {
    current = report;
    EXPECT_NONFATAL_FAILURE(runCommand({"/bin/sh", "-c", "echo \"$0\" >&2", current}), "sanitizer report");
  }
}

TEST(SanitizerReports, InTheLogOfAChildProcessFailTheTest) {
  for (const char* report : kReports) {
    current = report;
    EXPECT_NONFATAL_FAILURE(
        {
          ChildProcess child({"/bin/sh", "-c", "echo \"$0\" >&2", current}, {}, logFile());
          child.wait(10);
        },
        "sanitizer report");
  }
}

TEST(SanitizerReports, AnOrdinaryOutputIsNoReport) {
  auto result = runCommand({"/bin/sh", "-c", "echo 'error: the database is unavailable' >&2; exit 1"});
  EXPECT_EQ(result.exitCode, 1);
  ChildProcess child({"/bin/sh", "-c", "echo 'stopping'"}, {}, logFile());
  EXPECT_EQ(child.wait(10), 0);
}

}  // namespace
}  // namespace cw::testing
