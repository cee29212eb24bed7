// Recusal (回避) computed from the real database and frozen with the draw: declared conflicts, the same conflicts
// carried along the registry's relation links, rotation from the previous task, and cross-jurisdiction; then no
// assignment of the draw breaks any of them, and the stored draw verifies.

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "cw/core/time.hpp"
#include "cw/server/app.hpp"
#include "cw/server/seed_demo.hpp"
#include "integration/app_config.hpp"
#include "support/test_db.hpp"

namespace cw {
namespace {

class DrawRecusalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = std::filesystem::temp_directory_path() / ("cw-draws-" + database.name());
    server::Config config = testing::appConfig(database.config(), storage_.string());
    app_ = std::make_unique<server::App>(config, [](const std::string&) {});
    ASSERT_TRUE(server::seedDemo(*app_));
    auto lease = app_->pool().acquire();
    officer_.userId = lease->query("SELECT id FROM users WHERE username = 'mz.wangli'")[0].i64("id");
    officer_.role = "officer";
    officer_.departmentCode = "MZ";
  }
  void TearDown() override {
    app_.reset();
    std::filesystem::remove_all(storage_);
  }

  std::int64_t newTask(bool cross) {
    draws::TaskInput t;
    t.planId = app_->draws().plans().front().id;
    t.title = cross ? "交叉检查任务" : "普通检查任务";
    t.regionCode = "360400";
    t.kinds = {"elderly_institution", "community_elderly_facility", "rural_elderly_home"};
    t.strataBy = {"region"};
    t.gradeRatios = {{"A", 10000}, {"B", 10000}, {"C", 10000}, {"D", 10000}};
    t.windowStart = "2026-11-01";
    t.windowEnd = "2026-12-31";
    t.crossJurisdiction = cross;
    t.itemCodes = {"MZ-YL-01"};
    t.departments = {{"MZ", 2, "open"}};
    auto task = app_->draws().createTask(actor_, officer_, t);
    EXPECT_TRUE(task) << task.error().message;
    return task ? task->id : 0;
  }

  std::set<std::string> lines(const std::string& text) {
    std::set<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) out.insert(line);
    return out;
  }

  testing::TestDatabase database;
  std::filesystem::path storage_;
  std::unique_ptr<server::App> app_;
  http::Principal officer_;
  audit::Actor actor_ = audit::Actor::system("test", "test");
};

TEST_F(DrawRecusalTest, EveryKindOfRecusalIsFrozenAndNoAssignmentBreaksOne) {
  auto lease = app_->pool().acquire();
  db::Connection& c = *lease;
  // The demo's drawn task is the previous MZ task: its assignments must come back as rotation.
  auto previous = c.query("SELECT i.credit_code, s.code FROM draw_assignments a JOIN institutions i ON i.id = a.institution_id"
                          " JOIN inspectors s ON s.id = a.inspector_id WHERE a.task_id = 1 AND a.active = 1");
  ASSERT_GT(previous.size(), 0u);

  // 刘强 declares a conflict with one institution, which the registry links to another as its parent.
  auto insts = c.query("SELECT id, credit_code, region_code FROM institutions WHERE filing_state = 'filed'"
                       " AND sector = 'elderly' ORDER BY id LIMIT 2");
  ASSERT_EQ(insts.size(), 2u);
  std::string declaredCode = insts[0].str("credit_code");
  std::string relatedCode = insts[1].str("credit_code");
  c.execute("INSERT INTO institution_relations (institution_id, relation, party_name, party_credit_code,"
            " related_institution_id, valid_from) VALUES (?, 'parent', '上级机构', ?, ?, '2020-01-01')",
            insts[1].i64("id"), declaredCode, insts[0].i64("id"));
  auto liuRows = c.query("SELECT s.id, s.code, s.region_code FROM inspectors s JOIN users u ON u.id = s.user_id"
                     " WHERE u.username = 'mz.liuqiang'");
  const auto& liu = liuRows[0];
  http::Principal liuqiang;
  liuqiang.userId = c.query("SELECT id FROM users WHERE username = 'mz.liuqiang'")[0].i64("id");
  liuqiang.role = "inspector";
  auto declared = app_->draws().declareConflict(actor_, liuqiang, liu.i64("id"), declaredCode, "配偶任该机构负责人",
                                                "2026-01-01", std::nullopt);
  ASSERT_TRUE(declared) << declared.error().message;
  // An inspector cannot declare for a colleague.
  http::Principal zhou = liuqiang;
  zhou.userId = c.query("SELECT id FROM users WHERE username = 'mz.zhoumin'")[0].i64("id");
  EXPECT_FALSE(app_->draws().declareConflict(actor_, zhou, liu.i64("id"), declaredCode, "代为申报", "2026-01-01",
                                             std::nullopt));

  auto id = newTask(true);
  auto locked = app_->draws().lock(actor_, officer_, id);
  ASSERT_TRUE(locked) << locked.error().message;
  auto files = app_->draws().frozenFiles(id);
  ASSERT_TRUE(files);
  auto excluded = lines(files->exclusions);
  std::string code = liu.str("code");
  EXPECT_TRUE(excluded.count(declaredCode + "\t" + code + "\tdeclared"));
  EXPECT_TRUE(excluded.count(relatedCode + "\t" + code + "\trelated"));
  for (const auto& p : previous) {
    EXPECT_TRUE(excluded.count(p.str("credit_code") + "\t" + p.str("code") + "\trotation"))
        << p.str("credit_code") << " " << p.str("code");
  }
  // Cross-jurisdiction: every inspector is excluded for every institution inside their own region.
  auto pool = lines(files->pool);
  auto scope = c.query("SELECT i.credit_code, s.code FROM institutions i JOIN inspectors s ON s.region_code = i.region_code"
                       " WHERE s.status = 'active' AND s.member_kind = 'enforcement' AND s.department_code = 'MZ'"
                       " AND i.filing_state = 'filed' AND i.sector = 'elderly'");
  ASSERT_GT(scope.size(), 0u);
  for (const auto& r : scope) {
    EXPECT_TRUE(excluded.count(r.str("credit_code") + "\t" + r.str("code") + "\tjurisdiction")) << r.str("credit_code");
  }

  auto drawn = app_->draws().draw(actor_, officer_, id, "");
  ASSERT_TRUE(drawn) << drawn.error().message;
  auto list = app_->draws().drawnList(id);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), pool.size()) << "a 100% ratio draws the whole pool";
  for (const auto& e : *list) {
    EXPECT_EQ(e.inspectors.size(), 2u);
    for (const auto& m : e.inspectors) {
      for (const char* reason : {"jurisdiction", "declared", "rotation", "related"}) {
        EXPECT_FALSE(excluded.count(e.creditCode + "\t" + m.code + "\t" + reason))
            << m.code << " on " << e.creditCode << " despite " << reason;
      }
    }
  }
  EXPECT_TRUE(app_->draws().verifyStored(id));

  // Locking and drawing are audited with the commitment and the seed.
  auto audited = c.query("SELECT action FROM audit_log WHERE object_type = 'inspection_task' AND object_id = ?"
                         " ORDER BY seq", std::to_string(id));
  std::vector<std::string> actions;
  for (const auto& r : audited) actions.push_back(r.str("action"));
  EXPECT_EQ(actions, (std::vector<std::string>{"draws.task.create", "draws.task.lock", "draws.task.draw"}));
}

TEST_F(DrawRecusalTest, ADrawThatCannotBeStaffedLeavesNothingBehind) {
  auto id = newTask(false);
  auto lease = app_->pool().acquire();
  db::Connection& c = *lease;
  // Everyone of MZ but one goes on leave after the task is drafted; locking then freezes a one-person department.
  c.execute("UPDATE inspectors SET status = 'on_leave' WHERE department_code = 'MZ' AND member_kind = 'enforcement'"
            " AND id <> (SELECT m FROM (SELECT MIN(id) AS m FROM inspectors WHERE department_code = 'MZ') x)");
  ASSERT_TRUE(app_->draws().lock(actor_, officer_, id));
  auto drawn = app_->draws().draw(actor_, officer_, id, "");
  ASSERT_FALSE(drawn);
  EXPECT_EQ(drawn.error().code, core::ErrorCode::FailedPrecondition);
  EXPECT_NE(drawn.error().message.find("department MZ"), std::string::npos) << drawn.error().message;
  for (const char* table : {"draw_entities", "draw_assignments", "inspection_results"}) {
    EXPECT_EQ(c.query(std::string("SELECT COUNT(*) AS n FROM ") + table + " WHERE task_id = ?", id)[0].i64("n"), 0)
        << table;
  }
  EXPECT_EQ(app_->draws().task(id)->state, "locked");
  EXPECT_TRUE(app_->draws().record(id)->secretHex.empty());
}

TEST_F(DrawRecusalTest, PublishingEveryResultClosesTheSubtaskAndTheTask) {
  auto lease = app_->pool().acquire();
  db::Connection& c = *lease;
  // Give every MZ enforcement member an account, so whoever is drawn can record.
  for (const auto& r : c.query("SELECT id, name, region_code FROM inspectors WHERE department_code = 'MZ'"
                               " AND member_kind = 'enforcement' AND user_id IS NULL")) {
    auth::NewUser u;
    u.username = "mz.member" + std::to_string(r.i64("id"));
    u.displayName = r.str("name");
    u.role = "inspector";
    u.password = "Member#2026-long";
    u.departmentCode = "MZ";
    u.regionCode = r.str("region_code");
    u.certificateNo = "3604" + std::to_string(r.i64("id"));
    auto created = app_->users().create(actor_, u);
    ASSERT_TRUE(created) << created.error().message;
    c.execute("UPDATE inspectors SET user_id = ? WHERE id = ?", created->id, r.i64("id"));
  }
  auto id = newTask(false);
  ASSERT_TRUE(app_->draws().lock(actor_, officer_, id));
  ASSERT_TRUE(app_->draws().draw(actor_, officer_, id, ""));
  ASSERT_TRUE(app_->draws().start(actor_, officer_, id));
  draws::ResultFilter f;
  f.taskId = id;
  f.limit = 200;
  auto results = app_->draws().results(officer_, f);
  ASSERT_TRUE(results);
  ASSERT_GT(results->first.size(), 0u);
  draws::ResultInput in;
  in.resultCode = "1";
  in.inspectedOn = "2026-11-20";
  for (std::size_t k = 0; k < results->first.size(); ++k) {
    const auto& r = results->first[k];
    auto assigned = c.query("SELECT s.user_id FROM draw_assignments a JOIN inspectors s ON s.id = a.inspector_id"
                            " WHERE a.task_id = ? AND a.institution_id = ? AND a.active = 1 LIMIT 1",
                            id, r.institutionId);
    http::Principal inspector;
    inspector.userId = assigned[0].i64("user_id");
    inspector.role = "inspector";
    ASSERT_TRUE(app_->draws().recordResult(actor_, inspector, r.id, in));
    auto submitted = app_->draws().submitResult(actor_, inspector, r.id);
    ASSERT_TRUE(submitted);
    EXPECT_EQ(*submitted->publishDue, "2026-12-18") << "20 working days after 2026-11-20";
    EXPECT_EQ(app_->draws().task(id)->state, "in_progress");
    ASSERT_TRUE(app_->draws().reviewResult(actor_, officer_, r.id, "publish", ""));
  }
  auto task = app_->draws().task(id);
  EXPECT_EQ(task->state, "closed");
  EXPECT_EQ(task->input.departments[0].state, "closed");
  // Coverage now counts these institutions as inspected within the last 12 months.
  auto coverage = app_->draws().coverage(std::string("360400"), std::string("elderly_institution"));
  ASSERT_TRUE(coverage);
  std::int64_t total = 0, notInspected = 0;
  for (const auto& row : *coverage) {
    total += row.institutions;
    notInspected += row.notInspected;
  }
  EXPECT_GT(total, 0);
  EXPECT_LT(notInspected, total);
}

}  // namespace
}  // namespace cw
