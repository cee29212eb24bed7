#include "cw/server/jobs.hpp"

#include "cw/core/time.hpp"
#include "cw/http/json.hpp"

namespace cw::server {

std::string jobLockName(db::Connection& connection, const std::string& job) {
  return connection.query("SELECT CONCAT('cw.job.', LEFT(SHA2(CONCAT(DATABASE(), '/', ?), 256), 40)) AS n", job)[0]
      .str("n");
}

Scheduler::Scheduler(db::Pool& pool, const core::Clock& clock, std::string owner, http::LogSink log)
    : pool_(pool), clock_(clock), owner_(std::move(owner)), log_(std::move(log)) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::add(Job job) { jobs_.push_back(std::move(job)); }

void Scheduler::start(std::chrono::milliseconds tick) {
  thread_ = std::thread([this, tick] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      runDue();
      lock.lock();
      wake_.wait_for(lock, tick, [this] { return stopping_; });
    }
  });
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::vector<std::string> Scheduler::runDue() {
  std::vector<std::string> ran;
  for (const auto& job : jobs_) {
    try {
      if (runIfDue(job)) ran.push_back(job.name);
    } catch (const std::exception& e) {
      if (log_) {
        log_(http::logLine("warn", "job failed", {{"job", job.name}, {"error", e.what()}}));
      }
    }
  }
  return ran;
}

bool Scheduler::runIfDue(const Job& job) {
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  std::string lockName = jobLockName(c, job.name);
  auto got = c.query("SELECT GET_LOCK(?, 0) AS got", lockName);
  if (got.empty() || got[0].isNull("got") || got[0].i64("got") != 1) return false;
  struct Release {
    db::Connection& c;
    std::string name;
    ~Release() {
      try {
        c.query("SELECT RELEASE_LOCK(?) AS released", name);
      } catch (...) {
        // Released by the server when the session ends.
      }
    }
  } release{c, lockName};

  auto now = clock_.now();
  auto last = c.query("SELECT last_finished_at, last_owner FROM job_runs WHERE name = ?", job.name);
  if (!last.empty() && !last[0].isNull("last_finished_at")) {
    auto finished = core::parseSqlDateTime(last[0].str("last_finished_at"));
    // A finish later than this clock by more than the skew tolerated between processes was written by a clock that
    // ran ahead (or this one was set back): waiting for it could stop the job for as long as the error, so the
    // job runs now, and the warning names the process whose record it was.
    bool fromTheFuture = finished && *finished > now + kMaxClockSkew;
    if (finished && !fromTheFuture && now < *finished + job.interval) return false;
    if (fromTheFuture && log_) {
      log_(http::logLine("warn", "job last finished in the future: clock skew",
                         {{"job", job.name},
                          {"last_finished_at", core::formatIsoUtc(*finished)},
                          {"now", core::formatIsoUtc(now)},
                          {"last_owner", last[0].isNull("last_owner") ? std::string() : last[0].str("last_owner")}}));
    }
  }
  c.execute(
      "INSERT INTO job_runs (name, last_started_at, last_owner) VALUES (?, ?, ?)"
      " ON DUPLICATE KEY UPDATE last_started_at = ?, last_owner = ?",
      job.name, core::formatSqlDateTime(now), owner_, core::formatSqlDateTime(now), owner_);
  std::string status = "ok";
  std::string detail;
  try {
    detail = job.run();
  } catch (const std::exception& e) {
    status = "failed";
    detail = e.what();
  }
  c.execute("UPDATE job_runs SET last_finished_at = ?, last_status = ?, last_detail = ? WHERE name = ?",
            core::formatSqlDateTime(clock_.now()), status, detail.substr(0, 255), job.name);
  if (log_) {
    log_(http::logLine("info", "job ran", {{"job", job.name}, {"status", status}, {"detail", detail}}));
  }
  return true;
}

}  // namespace cw::server
