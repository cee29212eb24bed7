// The log goes to stdout through one writer thread. Request threads append their line to a buffer (the first line
// of a batch wakes the writer); the writer lets the batch gather for 10 ms (less when 256 KB have gathered) and
// writes it with one fwrite + fflush, so under load hundreds of lines share a write and no request waits for a
// write(2). A line reaches
// stdout at most 10 ms after it was logged. The writer drains the buffer before the process exits (the static's
// destructor runs on return from main and on exit()); a SIGKILL may lose the last 10 ms of lines.

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "cw/server/app.hpp"

namespace cw::server {

namespace {

class StdoutWriter {
 public:
  StdoutWriter() : thread_([this] { run(); }) {}
  ~StdoutWriter() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  StdoutWriter(const StdoutWriter&) = delete;
  StdoutWriter& operator=(const StdoutWriter&) = delete;

  void append(const std::string& line) {
    bool wake;
    {
      std::lock_guard lock(mutex_);
      bool first = pending_.empty();
      pending_ += line;
      pending_ += '\n';
      wake = first || pending_.size() >= kFlushBytes;
    }
    if (wake) wake_.notify_one();
  }

 private:
  void run() {
    std::string batch;
    std::unique_lock lock(mutex_);
    for (;;) {
      // Idle until a first line arrives, then let the batch gather for up to kInterval.
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      wake_.wait_for(lock, kInterval, [this] { return stopping_ || pending_.size() >= kFlushBytes; });
      if (pending_.empty() && stopping_) return;
      batch.swap(pending_);
      lock.unlock();
      std::fwrite(batch.data(), 1, batch.size(), stdout);
      std::fflush(stdout);
      // Keep a moderate buffer for the next batch; give back what a burst made it grow to.
      if (batch.capacity() > (1u << 20)) batch = std::string();
      batch.clear();
      lock.lock();
    }
  }

  static constexpr std::size_t kFlushBytes = 256 * 1024;
  static constexpr std::chrono::milliseconds kInterval{10};

  std::mutex mutex_;
  std::condition_variable wake_;
  std::string pending_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace

http::LogSink stdoutLog() {
  static StdoutWriter writer;
  return [](const std::string& line) { writer.append(line); };
}

}  // namespace cw::server
