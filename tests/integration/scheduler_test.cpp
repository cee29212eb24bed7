#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cw/core/clock.hpp"
#include "cw/core/time.hpp"
#include "cw/db/pool.hpp"
#include "cw/server/jobs.hpp"
#include "support/test_db.hpp"

namespace cw {
namespace {

using namespace std::chrono_literals;

class SchedulerTest : public ::testing::Test {
 protected:
  std::string jobName() const { return "cleanup"; }

  server::Job countingJob(std::chrono::milliseconds work = 0ms) {
    return server::Job{jobName(), 1h, [this, work] {
                         if (work > 0ms) std::this_thread::sleep_for(work);
                         return "run " + std::to_string(++runs);
                       }};
  }

  http::LogSink sink() {
    return [this](const std::string& line) {
      std::lock_guard lock(logMutex);
      logLines.push_back(line);
    };
  }

  struct JobRun {
    std::string status;
    std::string detail;
    std::string owner;
    std::string startedAt;
    std::string finishedAt;
  };
  std::optional<JobRun> jobRun() {
    auto lease = database.pool().acquire();
    auto rows = lease->query(
        "SELECT last_status, last_detail, last_owner, last_started_at, last_finished_at FROM job_runs WHERE name = ?",
        jobName());
    if (rows.empty()) return std::nullopt;
    return JobRun{rows[0].str("last_status"), rows[0].str("last_detail"), rows[0].str("last_owner"),
                  rows[0].str("last_started_at"), rows[0].str("last_finished_at")};
  }

  testing::TestDatabase database;
  // Two processes: each has its own pool on the same database.
  db::Pool poolA{database.config()};
  db::Pool poolB{database.config()};
  core::ManualClock clock{*core::parseIsoUtc("2026-03-02T02:00:00Z")};
  std::atomic<int> runs{0};
  std::mutex logMutex;
  std::vector<std::string> logLines;
};

TEST_F(SchedulerTest, DueJobRunsOnceAcrossTwoSchedulers) {
  server::Scheduler a(poolA, clock, "host-a:1001", sink());
  server::Scheduler b(poolB, clock, "host-b:2002", sink());
  a.add(countingJob());
  b.add(countingJob());

  auto ranA = a.runDue();
  auto ranB = b.runDue();
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(ranA, std::vector<std::string>{jobName()});
  EXPECT_TRUE(ranB.empty());

  auto row = jobRun();
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->status, "ok");
  EXPECT_EQ(row->detail, "run 1");
  EXPECT_EQ(row->owner, "host-a:1001");
  EXPECT_EQ(core::parseSqlDateTime(row->finishedAt), std::optional<core::TimePoint>(clock.now()));

  // Not due again until the interval has passed since it finished, whichever process asks.
  clock.advance(59min);
  EXPECT_TRUE(a.runDue().empty());
  EXPECT_TRUE(b.runDue().empty());
  EXPECT_EQ(runs.load(), 1);

  clock.advance(1min);
  EXPECT_EQ(b.runDue(), std::vector<std::string>{jobName()});
  EXPECT_TRUE(a.runDue().empty());
  EXPECT_EQ(runs.load(), 2);
  EXPECT_EQ(jobRun()->owner, "host-b:2002");
}

TEST_F(SchedulerTest, JobDoesNotRunWhileAnotherConnectionHoldsItsLock) {
  server::Scheduler b(poolB, clock, "host-b", sink());
  b.add(countingJob());
  auto holder = database.pool().acquire();  // stands for process A in the middle of a run
  const std::string lockName = server::jobLockName(*holder, jobName());
  ASSERT_EQ(holder->query("SELECT GET_LOCK(?, 0) AS got", lockName)[0].i64("got"), 1);

  EXPECT_TRUE(b.runDue().empty());
  EXPECT_EQ(runs.load(), 0);
  EXPECT_FALSE(jobRun().has_value());

  ASSERT_EQ(holder->query("SELECT RELEASE_LOCK(?) AS released", lockName)[0].i64("released"), 1);
  EXPECT_EQ(b.runDue(), std::vector<std::string>{jobName()});
  EXPECT_EQ(runs.load(), 1);
  // The scheduler gives its lock back after the run.
  EXPECT_EQ(holder->query("SELECT IS_FREE_LOCK(?) AS free", lockName)[0].i64("free"), 1);
}

TEST_F(SchedulerTest, SimultaneousRunDueInTwoProcessesRunsTheJobOnce) {
  server::Scheduler a(poolA, clock, "host-a", sink());
  server::Scheduler b(poolB, clock, "host-b", sink());
  a.add(countingJob(300ms));
  b.add(countingJob(300ms));
  std::vector<std::string> ranA, ranB;
  std::thread ta([&] { ranA = a.runDue(); });
  std::thread tb([&] { ranB = b.runDue(); });
  ta.join();
  tb.join();
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(ranA.size() + ranB.size(), 1u);
  ASSERT_TRUE(jobRun().has_value());
  EXPECT_EQ(jobRun()->status, "ok");
}

TEST_F(SchedulerTest, FailingJobIsRecordedAsFailedWithItsMessage) {
  server::Scheduler a(poolA, clock, "host-a", sink());
  a.add(server::Job{jobName(), 1h, []() -> std::string { throw std::runtime_error("disk full"); }});
  std::vector<std::string> ran;
  ASSERT_NO_THROW(ran = a.runDue());
  EXPECT_EQ(ran, std::vector<std::string>{jobName()});
  auto row = jobRun();
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->status, "failed");
  EXPECT_EQ(row->detail, "disk full");
  std::lock_guard lock(logMutex);
  ASSERT_FALSE(logLines.empty());
  EXPECT_NE(logLines.back().find("\"status\":\"failed\""), std::string::npos) << logLines.back();
}

TEST_F(SchedulerTest, JobsWithDifferentNamesHaveIndependentSchedules) {
  std::atomic<int> other{0};
  server::Scheduler a(poolA, clock, "host-a", sink());
  a.add(countingJob());
  a.add(server::Job{jobName() + "-quick", 10min, [&] { return "other " + std::to_string(++other); }});
  auto first = a.runDue();
  EXPECT_EQ(first.size(), 2u);
  clock.advance(10min);
  EXPECT_EQ(a.runDue(), std::vector<std::string>{jobName() + "-quick"});
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(other.load(), 2);
}

TEST_F(SchedulerTest, SameJobInAnotherSchemaIsNotBlockedByThisSchemasLock) {
  // GET_LOCK names are global to the database server; two deployments on one server must not block each other.
  testing::TestDatabase other;
  db::Pool otherPool(other.config());
  server::Scheduler elsewhere(otherPool, clock, "host-other", sink());
  elsewhere.add(countingJob());
  auto holder = database.pool().acquire();
  ASSERT_EQ(holder->query("SELECT GET_LOCK(?, 0) AS got", server::jobLockName(*holder, jobName()))[0].i64("got"), 1);
  EXPECT_EQ(elsewhere.runDue(), std::vector<std::string>{jobName()});
  EXPECT_EQ(runs.load(), 1);
}

}  // namespace
}  // namespace cw
