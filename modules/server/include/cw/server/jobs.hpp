#pragma once
// Scheduled jobs inside the server. Several carewatch processes may run against one database, so a job runs
// only in the process holding the database lock named after it (GET_LOCK), and only when job_runs says its
// interval has passed since it last finished anywhere: each run happens once, whichever process does it.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cw/core/clock.hpp"
#include "cw/db/pool.hpp"
#include "cw/http/server.hpp"

namespace cw::server {

/// The clock difference between processes that is taken as ordinary: a job's last finish up to this far ahead of
/// a process's clock still defers the job; further ahead, the record is taken for a clock fault and the job runs.
inline constexpr std::chrono::minutes kMaxClockSkew{5};

struct Job {
  std::string name;
  std::chrono::seconds interval;
  std::function<std::string()> run;  // returns a short detail for job_runs; throws on failure
};

/// The database lock a job runs under. Lock names are global to the database server, so the name is qualified
/// with the schema (hashed, within the 64-character limit): two deployments on one server never block each other.
std::string jobLockName(db::Connection& connection, const std::string& job);

class Scheduler {
 public:
  Scheduler(db::Pool& pool, const core::Clock& clock, std::string owner, http::LogSink log);
  ~Scheduler();
  void add(Job job);
  /// Starts the background thread; checks due jobs every `tick`.
  void start(std::chrono::milliseconds tick = std::chrono::milliseconds(5000));
  void stop();
  /// Runs every due job once on the calling thread; returns the names that ran here.
  std::vector<std::string> runDue();

 private:
  bool runIfDue(const Job& job);
  db::Pool& pool_;
  const core::Clock& clock_;
  std::string owner_;
  http::LogSink log_;
  std::vector<Job> jobs_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace cw::server
