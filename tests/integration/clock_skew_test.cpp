// Time zones and clock skew around the scheduler. Deadlines are China calendar days (Asia/Shanghai, UTC+8 with no
// daylight saving), times are stored in UTC, and neither depends on the time zone of the process: the tests run with
// TZ set to UTC-10, where every instant below is still on the 20th. A job whose last run was recorded by a process
// with a clock far ahead still runs on a correct clock, instead of waiting until that future time.

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "cw/core/time.hpp"
#include "cw/core/workdays.hpp"
#include "cw/server/app.hpp"
#include "cw/server/jobs.hpp"
#include "cw/server/seed_demo.hpp"
#include "integration/app_config.hpp"
#include "support/test_db.hpp"

namespace cw {
namespace {

using namespace std::chrono_literals;

core::TimePoint at(const char* iso) { return *core::parseIsoUtc(iso); }

// One schema, seeded once, for the suite: each test works on rows and job names of its own.
class ClockSkewTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (const char* tz = std::getenv("TZ")) savedTz_ = tz;
    ::setenv("TZ", "HST10", 1);  // POSIX form, no tzdata needed: UTC-10 all year
    ::tzset();
    database_ = new testing::TestDatabase();
    clock_ = new core::ManualClock(at("2026-11-20T08:00:00Z"));
    storage_ = std::filesystem::temp_directory_path() / ("cw-clock-" + database_->name());
    server::Config config = testing::appConfig(database_->config(), storage_.string());
    app_ = new server::App(config, [](const std::string&) {}, clock_);
    ASSERT_TRUE(server::seedDemo(*app_));
  }
  static void TearDownTestSuite() {
    delete app_;
    delete clock_;
    delete database_;
    std::filesystem::remove_all(storage_);
    if (savedTz_) {
      ::setenv("TZ", savedTz_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }
  void SetUp() override {
    clock_->set(at("2026-11-20T08:00:00Z"));
    auto lease = app_->pool().acquire();
    auto r = lease->query("SELECT id, role, department_code FROM users WHERE username = 'mz.liuqiang'");
    inspector_.userId = r[0].i64("id");
    inspector_.role = r[0].str("role");
    inspector_.departmentCode = r[0].optStr("department_code");
    institutionId_ = lease->query("SELECT institution_id FROM users WHERE username = 'inst.kangle'")[0].i64("institution_id");
  }

  std::int64_t reportAt(const char* iso) {
    clock_->set(at(iso));
    hazards::ReportInput in;
    in.institutionId = institutionId_;
    in.catalogueCode = "MA-02";
    in.title = std::string("时区测试 ") + iso;
    in.description = "期限按北京时间的日历日计算";
    auto h = app_->hazards().report(actor_, inspector_, in);
    EXPECT_TRUE(h) << h.error().message;
    return h ? h->id : 0;
  }
  struct Stored {
    std::string reportedAt;
    std::string deadline;
    std::optional<std::string> escalatedAt;
  };
  Stored row(std::int64_t id) {
    auto rows = app_->pool().acquire()->query("SELECT reported_at, deadline, escalated_at FROM hazards WHERE id = ?", id);
    return {rows[0].str("reported_at"), rows[0].str("deadline"), rows[0].optStr("escalated_at")};
  }

  static inline testing::TestDatabase* database_ = nullptr;
  static inline core::ManualClock* clock_ = nullptr;
  static inline server::App* app_ = nullptr;
  static inline std::filesystem::path storage_;
  static inline std::optional<std::string> savedTz_;
  http::Principal inspector_;
  std::int64_t institutionId_ = 0;
  audit::Actor actor_ = audit::Actor::system("test", "test");
};

TEST_F(ClockSkewTest, ADeadlineCountsFromTheShanghaiDayAndLapsesAtShanghaiMidnight) {
  // 23:30 and 00:30 in Shanghai: the same UTC day (and the same day at UTC-10), two China days.
  auto friday = reportAt("2026-11-20T15:30:00Z");
  auto saturday = reportAt("2026-11-20T16:30:00Z");
  ASSERT_TRUE(friday && saturday);
  EXPECT_EQ(row(friday).reportedAt.substr(0, 19), "2026-11-20 15:30:00") << "stored in UTC";
  EXPECT_EQ(row(saturday).reportedAt.substr(0, 19), "2026-11-20 16:30:00");
  auto fridayDeadline = *core::parseDay(row(friday).deadline);
  auto saturdayDeadline = *core::parseDay(row(saturday).deadline);
  EXPECT_EQ(saturdayDeadline - fridayDeadline, std::chrono::days(1));
  EXPECT_EQ(fridayDeadline - *core::parseDay("2026-11-20"), saturdayDeadline - *core::parseDay("2026-11-21"));

  // The Saturday report's deadline day D ends at 24:00 in Shanghai, which is 16:00 UTC on D.
  std::string d = core::formatDay(saturdayDeadline);
  clock_->set(at((d + "T15:59:59Z").c_str()));
  app_->hazards().escalateOverdue();
  EXPECT_TRUE(row(friday).escalatedAt.has_value()) << "the Friday report's deadline, D - 1, has passed";
  EXPECT_FALSE(row(saturday).escalatedAt.has_value()) << "still day D in Shanghai";
  clock_->set(at((d + "T16:00:00Z").c_str()));
  app_->hazards().escalateOverdue();
  ASSERT_TRUE(row(saturday).escalatedAt.has_value());
  EXPECT_EQ(row(saturday).escalatedAt->substr(0, 19), d + " 16:00:00") << "stored in UTC";
}

TEST_F(ClockSkewTest, AJobLastFinishedByAClockFarAheadStillRunsOnACorrectClock) {
  std::vector<std::string> logs;
  core::ManualClock ahead{at("2027-11-20T08:00:00Z")};  // a year ahead
  server::Scheduler fast(app_->pool(), ahead, "host-fast:1", [](const std::string&) {});
  server::Scheduler right(app_->pool(), *clock_, "host-right:2", [&](const std::string& line) { logs.push_back(line); });
  int runs = 0;
  auto job = [&] { return server::Job{"skew_far_ahead", 1h, [&] { return "run " + std::to_string(++runs); }}; };
  fast.add(job());
  right.add(job());

  EXPECT_EQ(fast.runDue().size(), 1u);
  EXPECT_EQ(right.runDue().size(), 1u) << "a finish a year ahead must not stop the job for a year";
  EXPECT_EQ(runs, 2);
  bool warned = false;
  for (const auto& line : logs) warned = warned || line.find("clock skew") != std::string::npos;
  EXPECT_TRUE(warned) << "the skew is reported";
  // Its own finish, on the correct clock, is what counts from now on.
  clock_->advance(59min);
  EXPECT_TRUE(right.runDue().empty());
  clock_->advance(1min);
  EXPECT_EQ(right.runDue().size(), 1u);
  EXPECT_EQ(runs, 3);
}

TEST_F(ClockSkewTest, AnOrdinarySkewBetweenProcessesDoesNotRunAJobTwice) {
  core::ManualClock ahead{clock_->now() + 2min};  // within the tolerated skew
  server::Scheduler fast(app_->pool(), ahead, "host-fast:1", [](const std::string&) {});
  server::Scheduler right(app_->pool(), *clock_, "host-right:2", [](const std::string&) {});
  int runs = 0;
  auto job = [&] { return server::Job{"skew_within_tolerance", 1h, [&] { return "run " + std::to_string(++runs); }}; };
  fast.add(job());
  right.add(job());
  EXPECT_EQ(fast.runDue().size(), 1u);
  EXPECT_TRUE(right.runDue().empty());
  clock_->advance(61min);  // the fast clock's finish plus the interval, on the slower clock
  EXPECT_TRUE(right.runDue().empty());
  clock_->advance(1min);
  EXPECT_EQ(right.runDue().size(), 1u);
  EXPECT_EQ(runs, 2);
}

}  // namespace
}  // namespace cw
