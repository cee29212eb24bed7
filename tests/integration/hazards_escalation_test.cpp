// Overdue escalation against the real database: a hazard open past its deadline is escalated once however often
// the job runs, its hazard.overdue event is written once (with the blacklist ground for a major fire hazard), a
// hazard whose evidence came in time is not escalated, and a granted extension makes a later lapse a new event.

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "cw/core/time.hpp"
#include "cw/core/workdays.hpp"
#include "cw/server/app.hpp"
#include "cw/server/seed_demo.hpp"
#include "integration/app_config.hpp"
#include "support/test_db.hpp"

namespace cw {
namespace {

class HazardEscalationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = std::filesystem::temp_directory_path() / ("cw-hazards-" + database.name());
    server::Config config = testing::appConfig(database.config(), storage_.string());
    app_ = std::make_unique<server::App>(config, [](const std::string&) {});
    ASSERT_TRUE(server::seedDemo(*app_));
    auto lease = app_->pool().acquire();
    auto user = [&](const char* name) {
      auto r = lease->query("SELECT id, role, department_code, institution_id FROM users WHERE username = ?", name);
      http::Principal p;
      p.userId = r[0].i64("id");
      p.role = r[0].str("role");
      p.departmentCode = r[0].optStr("department_code");
      p.institutionId = r[0].optI64("institution_id");
      return p;
    };
    inspector_ = user("mz.liuqiang");
    officer_ = user("mz.wangli");
    institution_ = user("inst.kangle");
  }
  void TearDown() override {
    app_.reset();
    std::filesystem::remove_all(storage_);
  }

  std::int64_t report(const std::string& code) {
    hazards::ReportInput in;
    in.institutionId = *institution_.institutionId;
    in.catalogueCode = code;
    in.title = "测试隐患 " + code;
    in.description = "逾期升级测试";
    auto h = app_->hazards().report(actor_, inspector_, in);
    EXPECT_TRUE(h) << h.error().message;
    return h ? h->id : 0;
  }
  // Moves a hazard's deadline to `days` from today (negative: in the past).
  void setDeadline(std::int64_t id, int days) {
    auto day = core::shanghaiDay(std::chrono::system_clock::now()) + std::chrono::days(days);
    app_->pool().acquire()->execute("UPDATE hazards SET deadline = ? WHERE id = ?", core::formatDay(day), id);
  }
  std::int64_t count(const std::string& sql, std::int64_t id) {
    return app_->pool().acquire()->query(sql, id)[0].i64("n");
  }

  testing::TestDatabase database;
  std::filesystem::path storage_;
  std::unique_ptr<server::App> app_;
  http::Principal inspector_, officer_, institution_;
  audit::Actor actor_ = audit::Actor::system("test", "test");
};

TEST_F(HazardEscalationTest, AnOverdueHazardIsEscalatedOnceWhateverTheJobRuns) {
  auto id = report("MA-02");  // a major fire-safety hazard
  ASSERT_GT(id, 0);
  EXPECT_EQ(app_->hazards().escalateOverdue().escalated, 0) << "not overdue yet";
  setDeadline(id, -1);
  auto first = app_->hazards().escalateOverdue();
  EXPECT_EQ(first.escalated, 1);
  EXPECT_EQ(first.majorEscalated, 1);
  EXPECT_EQ(app_->hazards().escalateOverdue().escalated, 0);
  EXPECT_EQ(app_->hazards().escalateOverdue().escalated, 0);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM domain_events WHERE topic = 'hazard.overdue' AND aggregate_id = ?", id), 1);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM hazard_events WHERE action = 'escalated' AND hazard_id = ?", id), 1);
  auto payload = app_->pool().acquire()->query(
      "SELECT payload FROM domain_events WHERE topic = 'hazard.overdue' AND aggregate_id = ?", id)[0].str("payload");
  EXPECT_NE(payload.find("\"blacklist_ground\":true"), std::string::npos) << payload;
  auto h = app_->hazards().get(officer_, id);
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->hazard.escalatedAt.has_value());
  EXPECT_TRUE(h->hazard.overdue);

  // A granted extension gives a new deadline; lapsing again is a new escalation and a new event.
  ASSERT_TRUE(app_->hazards().acknowledge(actor_, institution_, id));
  ASSERT_TRUE(app_->hazards().requestExtension(actor_, institution_, id, 5, "等待消防检测机构复检"));
  auto granted = app_->hazards().decideExtension(actor_, officer_, id, true, "");
  ASSERT_TRUE(granted) << granted.error().message;
  EXPECT_FALSE(granted->escalatedAt.has_value());
  EXPECT_EQ(app_->hazards().escalateOverdue().escalated, 0);
  setDeadline(id, -2);
  EXPECT_EQ(app_->hazards().escalateOverdue().escalated, 1);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM domain_events WHERE topic = 'hazard.overdue' AND aggregate_id = ?", id), 2);
}

TEST_F(HazardEscalationTest, AGeneralHazardIsNotABlacklistGroundAndEvidenceInTimeIsNotOverdue) {
  auto general = report("FO-01");
  auto submitted = report("FO-02");
  ASSERT_TRUE(general && submitted);
  ASSERT_TRUE(app_->hazards().acknowledge(actor_, institution_, submitted));
  std::string body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4 x\r\n--b--";
  std::istringstream stream(body);
  auto up = app_->hazards().uploadEvidence(actor_, institution_, submitted, "multipart/form-data; boundary=b",
                                           body.size(), stream);
  ASSERT_TRUE(up) << up.error().message;
  ASSERT_TRUE(app_->hazards().submit(actor_, institution_, submitted, "已整改"));
  setDeadline(general, -3);
  // The evidence came before the deadline (four days ago); the verifier is late, not the institution.
  setDeadline(submitted, -3);
  app_->pool().acquire()->execute("UPDATE hazards SET submitted_at = ? WHERE id = ?",
                                  core::formatSqlDateTime(std::chrono::system_clock::now() - std::chrono::hours(96)),
                                  submitted);
  auto report = app_->hazards().escalateOverdue();
  EXPECT_EQ(report.escalated, 1);
  EXPECT_EQ(report.majorEscalated, 0);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM domain_events WHERE topic = 'hazard.overdue' AND aggregate_id = ?",
                  submitted),
            0);
  auto payload = app_->pool().acquire()->query(
      "SELECT payload FROM domain_events WHERE topic = 'hazard.overdue' AND aggregate_id = ?", general)[0].str("payload");
  EXPECT_NE(payload.find("\"blacklist_ground\":false"), std::string::npos) << payload;
  // Verified late (after the deadline) still closes it; on time because the evidence came in time.
  auto verified = app_->hazards().verify(actor_, officer_, submitted, "");
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->closedOnTime, std::optional<bool>(true));
}

TEST_F(HazardEscalationTest, TheScheduledSweepTakesOverAFollowUpOnce) {
  // A published result with an order to correct whose hand-over was missed (the server died in between).
  auto lease = app_->pool().acquire();
  db::Connection& c = *lease;
  auto result = c.query("SELECT r.id, r.institution_id FROM inspection_results r ORDER BY r.id LIMIT 1");
  ASSERT_FALSE(result.empty());
  std::int64_t resultId = result[0].i64("id");
  c.execute("UPDATE inspection_results SET state = 'published', result_code = 'A', recorded_by = ?, published_at = ?"
            " WHERE id = ?",
            inspector_.userId, core::formatSqlDateTime(std::chrono::system_clock::now()), resultId);
  c.execute("INSERT INTO inspection_followups (result_id, institution_id, followup_kind, description, state, created_at,"
            " hazard_code) VALUES (?, ?, 'order_correction', '限期清理疏散通道', 'open', ?, 'MA-15')",
            resultId, result[0].i64("institution_id"), core::formatSqlDateTime(std::chrono::system_clock::now()));
  EXPECT_EQ(app_->hazards().takeOverFollowups(), 1);
  EXPECT_EQ(app_->hazards().takeOverFollowups(), 0);
  auto made = c.query("SELECT catalogue_code, severity, state, reported_by FROM hazards WHERE followup_id ="
                      " (SELECT id FROM inspection_followups WHERE result_id = ?)",
                      resultId);
  ASSERT_EQ(made.size(), 1u);
  EXPECT_EQ(made[0].str("catalogue_code"), "MA-15");
  EXPECT_EQ(made[0].str("severity"), "major");
  EXPECT_EQ(made[0].str("state"), "notified");
  EXPECT_EQ(made[0].i64("reported_by"), inspector_.userId);
}

}  // namespace
}  // namespace cw
