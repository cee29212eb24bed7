// Crashes in the middle of a change: the server kills itself (SIGKILL) right after writing the change's audit record,
// inside its transaction and before the commit (CW_FAULT_KILL_AFTER_AUDIT, see modules/audit/src/audit_log.cpp),
// during a filing acceptance, a draw, a hazard verification and a credit listing decision. After each crash nothing of the
// change is in the database, the audit chain verifies, and the same request on a restarted server makes the change
// once, with its events written once. (Evidence uploads: evidence_crash_test.cpp; the credit chain killed between
// its steps: credit_api_test.cpp.)

#include <memory>

#include "api/api_fixture.hpp"

namespace cw::testing {
namespace {

class FaultKill : public ApiTest {
 protected:
  HttpReply as(int port, const std::string& token, const std::string& method, const std::string& path,
               const std::string& body = "{}", const std::string& type = "application/json") {
    return HttpClient(port).request(method, path, body, {{"Authorization", "Bearer " + token}, {"Content-Type", type}});
  }

  std::int64_t count(const std::string& sql) {
    auto lease = database_->pool().acquire();
    auto rows = lease->query(sql);
    return rows.empty() ? 0 : rows[0].i64("n");
  }

  /// Calls `path` on a second server, on the same database, started to kill itself after the audit record `action`
  /// (its scheduled jobs off); expects it to die without answering.
  void crashDuring(const std::string& action, const std::string& token, const std::string& path,
                   const std::string& body) {
    auto env = carewatchEnv(database_->config());
    env["CW_FAULT_KILL_AFTER_AUDIT"] = action;
    env["CW_JOBS_ENABLED"] = "false";
    RunningServer doomed(env, "cw-api-fault-" + action + "-" + database_->name());
    int status = 0;
    try {
      status = as(doomed.port(), token, "POST", path, body).status;
    } catch (const std::exception&) {
      status = -1;  // the connection ended without an answer
    }
    EXPECT_EQ(status, -1) << action << ": the server answered instead of dying";
    EXPECT_EQ(doomed.process().wait(10), -SIGKILL) << action << ": " << doomed.process().log();
  }

  void expectAuditChainVerifies() {
    auto verified = carewatch({"audit", "verify"}, carewatchEnv(database_->config()));
    EXPECT_EQ(verified.exitCode, 0) << verified.output;
  }
};

TEST_F(FaultKill, AFilingAcceptanceKilledBeforeItsCommitLeavesNothingAndSucceedsOnceAfterRestart) {
  std::string inst = login("inst.kangle");
  std::string officer = login("mz.wangli");
  auto filing = as(server_->port(), inst, "POST", "/api/v1/filings",
                   R"({"kind":"new","record":{"ownership":"private_nonprofit","address":"濂溪区莲花镇 1 号",
                       "legal_rep_name":"赵刚","legal_rep_id_number":"360402198001011231","capacity":100}})");
  ASSERT_EQ(filing.status, 201) << filing.body;
  std::string id = std::to_string(filing.json()->getValue<std::int64_t>("id"));
  std::string versions = "SELECT COUNT(*) AS n FROM institution_versions WHERE filing_id = " + id;
  std::string audits = "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'filing.accept' AND object_id = '" + id + "'";

  crashDuring("filing.accept", officer, "/api/v1/filings/" + id + "/accept", "{}");
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM filings WHERE state = 'submitted' AND id = " + id), 1);
  EXPECT_EQ(count(versions), 0);
  EXPECT_EQ(count(audits), 0);
  expectAuditChainVerifies();

  auto accepted = as(server_->port(), officer, "POST", "/api/v1/filings/" + id + "/accept");
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(count(versions), 1);
  EXPECT_EQ(count(audits), 1);
  EXPECT_EQ(as(server_->port(), officer, "POST", "/api/v1/filings/" + id + "/accept").status, 409);
  expectAuditChainVerifies();
}

TEST_F(FaultKill, ADrawKilledBeforeItsCommitLeavesTheTaskLockedAndDrawsOnceAfterRestart) {
  std::string officer = login("mz.wangli");
  auto plans = as(server_->port(), officer, "GET", "/api/v1/inspection-plans");
  ASSERT_EQ(plans.status, 200) << plans.body;
  std::int64_t plan = plans.json()->getArray("items")->getObject(0)->getValue<std::int64_t>("id");
  auto created = as(server_->port(), officer, "POST", "/api/v1/inspection-tasks",
                    R"({"plan_id":)" + std::to_string(plan) + R"(,"title":"全市养老机构抽查（故障测试）",
                        "region_code":"360400","kinds":["elderly_institution","community_elderly_facility"],
                        "strata_by":["region"],"ratios":{"A":"50%","B":"50%","C":"50%","D":"50%"},
                        "window_start":"2026-11-01","window_end":"2026-12-31","cross_jurisdiction":false,
                        "beacon_source":"","items":["MZ-YL-01"],
                        "requirements":[{"department_code":"MZ","per_entity":2}]})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = std::to_string(created.json()->getValue<std::int64_t>("id"));
  std::string path = "/api/v1/inspection-tasks/" + id;
  ASSERT_EQ(as(server_->port(), officer, "POST", path + "/lock").status, 200);
  std::string locked = "SELECT COUNT(*) AS n FROM inspection_tasks WHERE state = 'locked' AND id = " + id;
  std::string entities = "SELECT COUNT(*) AS n FROM draw_entities WHERE task_id = " + id;
  std::string assignments = "SELECT COUNT(*) AS n FROM draw_assignments WHERE task_id = " + id;
  std::string seeds = "SELECT COUNT(*) AS n FROM draws WHERE seed_hex IS NOT NULL AND task_id = " + id;
  std::string audits = "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'draws.task.draw' AND object_id = '" + id + "'";

  crashDuring("draws.task.draw", officer, path + "/draw", "{}");
  EXPECT_EQ(count(locked), 1);
  EXPECT_EQ(count(entities), 0);
  EXPECT_EQ(count(assignments), 0);
  EXPECT_EQ(count(seeds), 0);
  EXPECT_EQ(count(audits), 0);
  EXPECT_EQ(HttpClient(server_->port()).get("/api/v1/public/draws/" + id).json()->isNull("secret"), true)
      << "the secret stays unpublished until a draw commits";
  expectAuditChainVerifies();

  // The outcome is fixed by the committed secret, so the crash gave no second chance at a different draw: the
  // restarted draw is the one anyone can re-run from the published record.
  auto drawn = as(server_->port(), officer, "POST", path + "/draw", "{}");
  ASSERT_EQ(drawn.status, 200) << drawn.body;
  EXPECT_EQ(count(seeds), 1);
  EXPECT_GT(count(entities), 0);
  EXPECT_EQ(count(audits), 1);
  EXPECT_EQ(as(server_->port(), officer, "POST", path + "/draw", "{}").status, 409);
  EXPECT_EQ(count(audits), 1);
  auto verified = carewatch({"draw", "verify", "--url", "http://127.0.0.1:" + std::to_string(server_->port()), "--id", id},
                            {});
  EXPECT_EQ(verified.exitCode, 0) << verified.output;
  expectAuditChainVerifies();
}

TEST_F(FaultKill, AHazardVerificationKilledBeforeItsCommitLeavesNothingAndEmitsOnceAfterRestart) {
  std::string inst = login("inst.kangle");
  std::string officer = login("mz.wangli");
  // 康乐's hazard under rectification (reported by the institution itself): evidence, then the submission.
  std::int64_t hazard = count("SELECT h.id AS n FROM hazards h JOIN institutions i ON i.id = h.institution_id"
                              " WHERE i.credit_code = '52360402MJA5K2818A' AND h.state = 'rectifying' LIMIT 1");
  std::string path = "/api/v1/hazards/" + std::to_string(hazard);
  std::string pdf = "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
  auto evidence = as(server_->port(), inst, "POST", path + "/evidence",
                     "--cwfault\r\nContent-Disposition: form-data; name=\"file\"; filename=\"整改记录.pdf\"\r\n"
                     "Content-Type: application/pdf\r\n\r\n" + pdf + "\r\n--cwfault--\r\n",
                     "multipart/form-data; boundary=cwfault");
  ASSERT_EQ(evidence.status, 201) << evidence.body;
  ASSERT_EQ(as(server_->port(), inst, "POST", path + "/submit", R"({"note":"已清理并张贴警示标识"})").status, 200);
  std::string events = "SELECT COUNT(*) AS n FROM domain_events WHERE topic = 'hazard.verified' AND aggregate_id = " +
                       std::to_string(hazard);

  crashDuring("hazard.verify", officer, path + "/verify", R"({"note":"复核通过"})");
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM hazards WHERE state = 'submitted' AND id = " + std::to_string(hazard)), 1);
  EXPECT_EQ(count(events), 0);
  expectAuditChainVerifies();

  auto verified = as(server_->port(), officer, "POST", path + "/verify", R"({"note":"复核通过"})");
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(count(events), 1);
  EXPECT_EQ(as(server_->port(), officer, "POST", path + "/verify", R"({"note":"再次复核"})").status, 409);
  EXPECT_EQ(count(events), 1);
  expectAuditChainVerifies();
}

TEST_F(FaultKill, ACreditListingDecisionKilledBeforeItsCommitLeavesNothingAndListsOnceAfterRestart) {
  // The demo's proposed blacklisting; its objection window is moved into the past so that it can be decided.
  std::int64_t entry = count("SELECT id AS n FROM credit_list_entries WHERE state = 'proposed' LIMIT 1");
  ASSERT_GT(entry, 0);
  std::string proposer = [&] {
    auto lease = database_->pool().acquire();
    lease->execute("UPDATE credit_list_entries SET objection_until = '2020-01-01' WHERE id = ?", entry);
    auto rows = lease->query("SELECT u.username FROM credit_list_entries e JOIN users u ON u.id = e.proposed_by"
                             " WHERE e.id = ?", entry);
    return rows.empty() ? std::string() : rows[0].str("username");  // the seed's proposals name no proposer
  }();
  std::string officer = login(proposer == "mz.zhaoli" ? "mz.wangli" : "mz.zhaoli");  // four eyes
  std::string path = "/api/v1/credit/lists/blacklist/entries/" + std::to_string(entry) + "/decide";
  std::string body = R"({"decision":"list","reason":"重大火灾隐患逾期未整改，异议不成立"})";
  std::string id = std::to_string(entry);
  std::string listed = "SELECT COUNT(*) AS n FROM credit_list_entries WHERE state = 'listed' AND id = " + id;
  std::string events = "SELECT COUNT(*) AS n FROM domain_events WHERE topic = 'credit.blacklisted' AND aggregate_id = " + id;
  std::string tasks = "SELECT COUNT(*) AS n FROM credit_tasks WHERE list_entry_id = " + id;

  crashDuring("credit.list.decide", officer, path, body);
  EXPECT_EQ(count(listed), 0);
  EXPECT_EQ(count(events), 0);
  EXPECT_EQ(count(tasks), 0);
  expectAuditChainVerifies();

  auto decided = as(server_->port(), officer, "POST", path, body);
  ASSERT_EQ(decided.status, 200) << decided.body;
  EXPECT_EQ(count(listed), 1);
  EXPECT_EQ(count(events), 1);
  std::int64_t taskCount = count(tasks);
  EXPECT_GT(taskCount, 0) << "no feedback task for the implementing departments";
  EXPECT_EQ(as(server_->port(), officer, "POST", path, body).status, 409);
  EXPECT_EQ(count(events), 1);
  EXPECT_EQ(count(tasks), taskCount);
  expectAuditChainVerifies();
}

}  // namespace
}  // namespace cw::testing
