#include "support/process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace cw::testing {

namespace {

pid_t spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env, int stdinFd,
            int outFd) {
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (stdinFd >= 0) dup2(stdinFd, 0);
    dup2(outFd, 1);
    dup2(outFd, 2);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

// In a CW_SANITIZE build (scripts/sanitize) the children are sanitized too, and a report of theirs must fail the
// test that started them: many tests never look at a server's exit status, and a leak is only reported at exit.
void expectNoSanitizerReport(const std::string& output, const std::string& what) {
  for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", ": runtime error: "}) {
    auto at = output.find(marker);
    if (at == std::string::npos) continue;
    auto from = output.rfind('\n', at);
    ADD_FAILURE() << "sanitizer report from " << what << ":\n"
                  << output.substr(from == std::string::npos ? 0 : from + 1);
    return;
  }
}

int decode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

}  // namespace

CommandResult runCommand(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                         const std::string& input) {
  char outName[] = "/tmp/cw-cmd-out-XXXXXX";
  int outFd = mkstemp(outName);
  char inName[] = "/tmp/cw-cmd-in-XXXXXX";
  int inFd = mkstemp(inName);
  if (outFd < 0 || inFd < 0) throw std::runtime_error("mkstemp failed");
  if (!input.empty() && write(inFd, input.data(), input.size()) != static_cast<ssize_t>(input.size())) {
    throw std::runtime_error("cannot write command input");
  }
  lseek(inFd, 0, SEEK_SET);
  pid_t pid = spawn(argv, env, inFd, outFd);
  int status = 0;
  waitpid(pid, &status, 0);
  close(outFd);
  close(inFd);
  std::ifstream in(outName);
  std::stringstream text;
  text << in.rdbuf();
  unlink(outName);
  unlink(inName);
  expectNoSanitizerReport(text.str(), argv.empty() ? "a command" : argv[0]);
  return {decode(status), text.str()};
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                           std::string logFile)
    : logFile_(std::move(logFile)) {
  int fd = open(logFile_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + logFile_);
  int devNull = open("/dev/null", O_RDONLY);
  pid_ = spawn(argv, env, devNull, fd);
  close(fd);
  close(devNull);
}

ChildProcess::~ChildProcess() {
  if (!exited_) stop(5);
  expectNoSanitizerReport(log(), logFile_);
}

bool ChildProcess::running() {
  if (exited_) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    exited_ = true;
    status_ = status;
    return false;
  }
  return true;
}

int ChildProcess::wait(int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (running()) {
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return decode(status_);
}

int ChildProcess::stop(int seconds) {
  if (!running()) return decode(status_);
  kill(pid_, SIGTERM);
  int rc = wait(seconds);
  if (rc == -1 && running()) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
    exited_ = true;
    return decode(status_);
  }
  return rc;
}

std::string ChildProcess::log() const {
  std::ifstream in(logFile_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int freePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("bind failed");
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

}  // namespace cw::testing
