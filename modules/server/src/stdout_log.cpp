// The log goes to stdout through one writer thread. Request threads append their line to a buffer (the first line
// of a batch wakes the writer); the writer lets the batch gather for 10 ms (less when 256 KB have gathered) and
// writes it with one fwrite + fflush, so under load hundreds of lines share a write and no request waits for a
// write(2). A line reaches stdout at most 10 ms after it was logged.
//
// - When stdout stalls (a pipe whose reader stopped), at most 64 MB wait; further lines are dropped and counted,
//   and the count is logged once the output moves again.
// - The writer lives as long as the process (never destroyed: a request thread still finishing after shutdown may
//   log), and a static flusher writes what is pending when the process exits normally. A SIGKILL may lose the
//   last 10 ms of lines.
// - Its thread blocks every signal: SIGTERM and SIGINT are taken by App::serve()'s sigwait(), which relies on no
//   other thread accepting them.

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "cw/http/json.hpp"
#include "cw/server/app.hpp"

namespace cw::server {

namespace {

class StdoutWriter {
 public:
  StdoutWriter() {
    // Started with every signal blocked; a thread inherits its creator's mask.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &previous);
    thread_ = std::thread([this] { run(); });
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    thread_.detach();
  }
  StdoutWriter(const StdoutWriter&) = delete;
  StdoutWriter& operator=(const StdoutWriter&) = delete;

  void append(const std::string& line) {
    bool wake;
    {
      std::lock_guard lock(mutex_);
      if (pending_.size() + line.size() >= kMaxPending) {
        ++dropped_;
        return;
      }
      bool first = pending_.empty();
      pending_ += line;
      pending_ += '\n';
      wake = first || pending_.size() >= kFlushBytes;
    }
    if (wake) wake_.notify_one();
  }

  /// Returns once everything appended before the call has been written, or after 5 s (a stalled stdout must not
  /// hold the process at exit).
  void flush() {
    std::unique_lock lock(mutex_);
    std::uint64_t target = appendedBatches_ + (pending_.empty() ? 0 : 1);
    flushNow_ = true;
    wake_.notify_one();
    written_.wait_for(lock, std::chrono::seconds(5), [&] { return writtenBatches_ >= target; });
  }

 private:
  void run() {
    std::string batch;
    std::unique_lock lock(mutex_);
    for (;;) {
      // Idle until a first line arrives, then let the batch gather for up to kInterval.
      wake_.wait(lock, [this] { return !pending_.empty(); });
      wake_.wait_for(lock, kInterval, [this] { return flushNow_ || pending_.size() >= kFlushBytes; });
      flushNow_ = false;
      batch.swap(pending_);
      std::uint64_t dropped = dropped_;
      dropped_ = 0;
      ++appendedBatches_;
      lock.unlock();
      if (dropped > 0) {
        batch += http::logLine("warn", "log lines dropped: stdout did not keep up",
                               {{"dropped", std::to_string(dropped)}});
        batch += '\n';
      }
      std::fwrite(batch.data(), 1, batch.size(), stdout);
      std::fflush(stdout);
      // Keep a moderate buffer for the next batch; give back what a burst made it grow to.
      if (batch.capacity() > (1u << 20)) batch = std::string();
      batch.clear();
      lock.lock();
      ++writtenBatches_;
      written_.notify_all();
    }
  }

  static constexpr std::size_t kFlushBytes = 256 * 1024;
  static constexpr std::size_t kMaxPending = 64 * 1024 * 1024;
  static constexpr std::chrono::milliseconds kInterval{10};

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable written_;
  std::string pending_;
  std::uint64_t dropped_ = 0;
  std::uint64_t appendedBatches_ = 0;  // batches taken by the writer
  std::uint64_t writtenBatches_ = 0;   // batches it has finished writing
  bool flushNow_ = false;
  std::thread thread_;
};

StdoutWriter& writer() {
  static StdoutWriter* instance = new StdoutWriter;  // never destroyed: see the top of this file
  return *instance;
}

// Writes what is pending when the process exits normally (return from main, exit()).
struct FlushAtExit {
  ~FlushAtExit() { writer().flush(); }
};

}  // namespace

http::LogSink stdoutLog() {
  static FlushAtExit flushAtExit;
  StdoutWriter& out = writer();
  return [&out](const std::string& line) { out.append(line); };
}

}  // namespace cw::server
