// The credit grade feeds the draws: a blacklisted institution is in risk tier D, drawn at the D ratio; removed from
// the blacklist, its next draw puts it back in a lower tier. Also: restarting (a new App on the same database)
// rebuilds the same graph.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "cw/core/time.hpp"
#include "cw/db/outbox.hpp"
#include "cw/server/app.hpp"
#include "cw/server/seed_demo.hpp"
#include "integration/app_config.hpp"
#include "support/test_db.hpp"

namespace cw {
namespace {

class CreditDrawsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = std::filesystem::temp_directory_path() / ("cw-credit-" + database.name());
    config_ = testing::appConfig(database.config(), storage_.string());
    app_ = std::make_unique<server::App>(config_, [](const std::string&) {});
    ASSERT_TRUE(server::seedDemo(*app_));
    auto lease = app_->pool().acquire();
    officer_.userId = lease->query("SELECT id FROM users WHERE username = 'mz.wangli'")[0].i64("id");
    officer_.role = "officer";
    officer_.departmentCode = "MZ";
    code_ = lease->query("SELECT credit_code FROM institutions WHERE name = '瑞昌市湓城街道综合养老服务中心'")[0].str("credit_code");
  }
  void TearDown() override {
    app_.reset();
    std::filesystem::remove_all(storage_);
  }

  // Locks a task over the elderly-care institutions stratified by grade, D drawn in full, the others at 1 %,
  // and returns the pool line of 湓城 and whether it was drawn.
  std::pair<std::string, bool> drawOnce(const std::string& title) {
    draws::TaskInput t;
    t.planId = app_->draws().plans().front().id;
    t.title = title;
    t.regionCode = "360400";
    t.kinds = {"elderly_institution", "community_elderly_facility", "rural_elderly_home"};
    t.strataBy = {"grade"};
    t.gradeRatios = {{"A", 100}, {"B", 100}, {"C", 100}, {"D", 10000}};
    t.windowStart = "2026-11-01";
    t.windowEnd = "2026-12-31";
    t.itemCodes = {"MZ-YL-01"};
    t.departments = {{"MZ", 2, "open"}};
    auto task = app_->draws().createTask(actor_, officer_, t);
    EXPECT_TRUE(task) << task.error().message;
    EXPECT_TRUE(app_->draws().lock(actor_, officer_, task->id));
    auto files = app_->draws().frozenFiles(task->id);
    std::string line;
    std::istringstream pool(files->pool);
    for (std::string l; std::getline(pool, l);) {
      if (l.find(code_) != std::string::npos) line = l;
    }
    auto drawn = app_->draws().draw(actor_, officer_, task->id, "");
    EXPECT_TRUE(drawn) << drawn.error().message;
    bool picked = false;
    auto list = app_->draws().drawnList(task->id);
    EXPECT_TRUE(list.ok());
    if (list.ok()) {
      for (const auto& e : list.value()) picked |= e.creditCode == code_;
    }
    return {line, picked};
  }

  static bool hasField(const std::string& line, const std::string& field) {
    std::istringstream in(line);
    for (std::string f; std::getline(in, f, '\t');) {
      if (f == field || f.ends_with("|" + field)) return true;
    }
    return false;
  }

  testing::TestDatabase database;
  std::filesystem::path storage_;
  server::Config config_;
  std::unique_ptr<server::App> app_;
  http::Principal officer_;
  audit::Actor actor_ = audit::Actor::system("test", "");
  std::string code_;
};

TEST_F(CreditDrawsTest, ABlacklistedInstitutionIsDrawnAtTheDRatioAndLeavesTierDWhenRemoved) {
  auto [line, picked] = drawOnce("信用分级抽查（一）");
  ASSERT_FALSE(line.empty()) << "湓城 is not in the pool";
  EXPECT_TRUE(hasField(line, "D")) << line;
  EXPECT_TRUE(picked) << "tier D is drawn in full";

  // Removed from the blacklist (obligations met): the watch list still caps it at C, no longer D.
  auto lease = app_->pool().acquire();
  auto entry = lease->query("SELECT id FROM credit_list_entries WHERE entity_code = ? AND list_kind = 'blacklist'", code_);
  http::Principal second = officer_;
  second.userId = lease->query("SELECT id FROM users WHERE username = 'mz.zhaoli'")[0].i64("id");
  auto removed = app_->credit().remove(actor_, second, "blacklist", entry[0].i64("id"), "obligations_met", "已补报两年年度报告并公开。");
  ASSERT_TRUE(removed) << removed.error().message;
  auto [after, again] = drawOnce("信用分级抽查（二）");
  EXPECT_FALSE(hasField(after, "D")) << after;
  EXPECT_TRUE(hasField(after, "C")) << after;
  (void)again;
}

// A burst of events (the soak wrote fifty hazards a second) is read to the end in one run of the job, batch after
// batch, instead of one batch of 200 per run.
TEST_F(CreditDrawsTest, TheEventJobReadsABurstToTheEndInBatches) {
  {
    auto lease = app_->pool().acquire();
    auto institution = lease->query("SELECT id FROM institutions WHERE credit_code = ?", code_)[0].i64("id");
    std::string at = core::formatSqlDateTime(std::chrono::system_clock::now() - std::chrono::hours(1));
    for (int i = 0; i < 450; ++i) {
      // Minor hazards: read and passed over (they make no record), so that only the reading is measured.
      db::emitEvent(*lease,
                    {0, "hazard.reported", "hazard", 900000 + i, institution, "burst-" + std::to_string(i),
                     R"({"severity":"general","source":"inspection"})", ""},
                    at);
    }
  }
  auto report = app_->credit().drainEvents(std::chrono::seconds(60));
  EXPECT_EQ(report.events, 450);
  EXPECT_EQ(report.records, 0);
  EXPECT_EQ(app_->credit().followEvents().events, 0) << "read to the end";
  // With no time left, one batch only.
  {
    auto lease = app_->pool().acquire();
    std::string at = core::formatSqlDateTime(std::chrono::system_clock::now() - std::chrono::hours(1));
    for (int i = 0; i < 250; ++i) {
      db::emitEvent(*lease,
                    {0, "hazard.reported", "hazard", 910000 + i, std::nullopt, "burst-b-" + std::to_string(i), "{}", ""},
                    at);
    }
  }
  EXPECT_EQ(app_->credit().drainEvents(std::chrono::milliseconds(0)).events, credit::CreditService::kEventBatch);
}

TEST_F(CreditDrawsTest, ARestartRebuildsTheSameGraph) {
  app_->credit().rebuildGraph();
  auto before = app_->credit().graphCache().derive(code_);
  auto stats = app_->credit().graphCache().stats();
  ASSERT_FALSE(before.empty());
  server::App restarted(config_, [](const std::string&) {});
  ASSERT_TRUE(restarted.loadCreditScorecard());
  restarted.credit().rebuildGraph();
  auto after = restarted.credit().graphCache().derive(code_);
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(after[i].measure.code, before[i].measure.code);
    EXPECT_EQ(after[i].memorandumId, before[i].memorandumId);
    EXPECT_EQ(after[i].path.size(), before[i].path.size());
  }
  EXPECT_EQ(restarted.credit().graphCache().stats().edges, stats.edges);
  EXPECT_EQ(restarted.credit().graphCache().stats().vertices, stats.vertices);
}

TEST_F(CreditDrawsTest, TheDailyJobRescoresEveryEntityForANewScorecardVersionAndReloadsRelationsThatEnded) {
  auto lease = app_->pool().acquire();
  // A new scorecard version with a base 100 lower: every score moves down by 100 (none is near the bounds).
  std::ifstream file(config_.credit.scorecardFile);
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  auto replace = [&](const std::string& from, const std::string& to) {
    auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  };
  replace("\"version\": \"2026.1\"", "\"version\": \"2026.2-test\"");
  replace("\"base\": 1000", "\"base\": 900");
  ASSERT_TRUE(app_->credit().installScorecard(text));
  std::map<std::string, std::int64_t> before;
  for (const auto& r : lease->query("SELECT entity_code, score FROM credit_scores")) before[r.str("entity_code")] = r.i64("score");
  ASSERT_GT(before.size(), 3u);
  auto report = app_->credit().daily();
  EXPECT_GE(report.rescored, static_cast<int>(before.size()));
  EXPECT_EQ(lease->query("SELECT COUNT(*) AS n FROM credit_scores WHERE scorecard_version <> '2026.2-test'")[0].i64("n"), 0);
  for (const auto& r : lease->query("SELECT entity_code, score FROM credit_scores")) {
    EXPECT_EQ(r.i64("score"), before[r.str("entity_code")] - 100) << r.str("entity_code");
  }

  // 湓城's legal representative stops being one yesterday: the graph no longer links them after the daily job.
  auto hasLegalRepresentative = [&] {
    for (const auto& r : app_->credit().graphCache().related(code_)) {
      if (r.relation == "legal_representative" && r.direction == "party") return true;
    }
    return false;
  };
  app_->credit().rebuildGraph();
  ASSERT_TRUE(hasLegalRepresentative());
  auto yesterday = core::formatDay(core::shanghaiDay(app_->clock().now()) - std::chrono::days(1));
  lease->execute("UPDATE institution_relations x JOIN institutions i ON i.id = x.institution_id SET x.valid_to = ?"
                 " WHERE i.credit_code = ? AND x.relation = 'legal_representative'",
                 yesterday, code_);
  EXPECT_GE(app_->credit().daily().relationsChanged, 1);
  app_->credit().followChanges();
  EXPECT_FALSE(hasLegalRepresentative());
}

}  // namespace
}  // namespace cw
