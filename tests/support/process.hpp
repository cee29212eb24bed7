#pragma once
// Starting and stopping the real carewatch binary (and other commands) from API tests.

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace cw::testing {

struct CommandResult {
  int exitCode = -1;
  std::string output;  // stdout and stderr together
};

/// Runs a command to completion with extra environment variables; stdin gets `input`. A sanitizer report in its
/// output (a CW_SANITIZE build, scripts/sanitize) fails the current test.
CommandResult runCommand(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
                         const std::string& input = "");

class ChildProcess {
 public:
  /// Starts argv[0] with the extra environment; stdout and stderr go to logFile.
  ChildProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
               std::string logFile);
  /// Stops the process if it still runs; a sanitizer report in its log then fails the current test.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  /// SIGTERM, then waits up to `seconds`; SIGKILL after that. Returns the exit status (or -signal).
  int stop(int seconds = 20);
  /// Waits for the process to exit on its own; returns its exit code, or -1 on timeout.
  int wait(int seconds);
  std::string log() const;

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool exited_ = false;
  std::string logFile_;
};

/// A TCP port nobody listens on right now.
int freePort();

}  // namespace cw::testing
