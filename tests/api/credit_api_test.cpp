// The credit acceptance chain over real HTTP against the real binary: a major fire hazard goes overdue -> the
// institution is proposed for the blacklist (notice, objection window) -> objection -> decision -> listed -> the
// check API restricts its subsidy with the path -> one feedback task per implementing department -> the draw tier
// is D -> repair after the minimum period lifts it all. The server is killed (SIGKILL) and restarted between the
// steps: nothing is lost or doubled.

#include <signal.h>

#include <iostream>
#include <thread>

#include "api_fixture.hpp"
#include "cw/core/crypto.hpp"
#include "cw/registry/codes.hpp"

namespace cw::testing {
namespace {

class CreditApi : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    env_ = seededDatabase();
    // Jobs every second; events read once a second old.
    env_["CW_JOBS_HAZARD_ESCALATION_SECONDS"] = "1";
    env_["CW_JOBS_CREDIT_EVENTS_SECONDS"] = "1";
    env_["CW_CREDIT_EVENT_SETTLE_SECONDS"] = "1";
    server_ = new RunningServer(env_, "cw-api-credit-" + database_->name());
  }

  /// SIGKILL, then a new server on the same port (the tokens stay valid: sessions live in the database).
  static void crashAndRestart() {
    int port = server_->port();
    ::kill(server_->process().pid(), SIGKILL);
    server_->process().wait(10);
    delete server_;
    server_ = new RunningServer(env_, "cw-api-credit-" + database_->name(), port);
  }

  HttpReply as(const std::string& token, const std::string& method, const std::string& path,
               const std::string& body = "") {
    return client().request(method, path, body, {{"Authorization", "Bearer " + token}});
  }

  std::int64_t scalar(const std::string& sql, const std::string& param) {
    auto lease = database_->pool().acquire();
    return lease->query(sql, param)[0].i64("n");
  }

  std::string codeOf(const std::string& name) {
    auto lease = database_->pool().acquire();
    return lease->query("SELECT credit_code FROM institutions WHERE name = ?", name)[0].str("credit_code");
  }

  /// Polls GET `path` until `done` holds (or 40 s pass); returns the last reply.
  HttpReply waitFor(const std::string& token, const std::string& path,
                    const std::function<bool(const HttpReply&)>& done) {
    HttpReply reply;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(40);
    while (std::chrono::steady_clock::now() < deadline) {
      reply = as(token, "GET", path);
      if (done(reply)) return reply;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return reply;
  }

  static std::map<std::string, std::string> env_;
};

std::map<std::string, std::string> CreditApi::env_;

Poco::JSON::Array::Ptr items(const HttpReply& r) { return r.json()->getArray("items"); }

TEST_F(CreditApi, OverdueFireHazardToBlacklistToRepairLosesAndDoublesNothingAcrossRestarts) {
  std::string inspector = login("mz.liuqiang"), officer = login("mz.wangli"), second = login("mz.zhaoli");
  std::string institution = login("inst.kangle"), bureau = login("sj.credit"), finance = login("cz.lina");
  std::string code = codeOf("九江市濂溪区康乐养老院");
  std::int64_t kangle = scalar("SELECT id AS n FROM institutions WHERE credit_code = ?", code);

  // 1. A major fire hazard (MA-02) reported at an inspection, then its deadline passes.
  auto hazard = as(inspector, "POST", "/api/v1/hazards",
                   R"({"institution_id":)" + std::to_string(kangle) +
                       R"(,"catalogue_code":"MA-02","title":"三楼自动喷水灭火系统停用","description":"三楼喷淋系统报警阀关闭，末端试水无水流。","location":"三楼"})");
  ASSERT_EQ(hazard.status, 201) << hazard.body;
  std::int64_t hazardId = hazard.json()->getValue<std::int64_t>("id");
  {
    auto lease = database_->pool().acquire();
    lease->execute("UPDATE hazards SET deadline = DATE_SUB(CURDATE(), INTERVAL 2 DAY) WHERE id = ?", hazardId);
  }

  // 2. The escalation job emits hazard.overdue; the credit consumer records it and proposes the blacklist.
  std::string entries = "/api/v1/credit/lists/blacklist/entries?entity=" + code;
  auto proposed = waitFor(officer, entries, [](const HttpReply& r) { return r.status == 200 && items(r)->size() > 0; });
  ASSERT_EQ(items(proposed)->size(), 1u) << proposed.body;
  auto entry = items(proposed)->getObject(0);
  std::int64_t entryId = entry->getValue<std::int64_t>("id");
  EXPECT_EQ(entry->getValue<std::string>("state"), "proposed");
  EXPECT_EQ(entry->getValue<std::string>("ground"), "fire_hazard");
  EXPECT_FALSE(entry->isNull("notice_no"));
  EXPECT_TRUE(entry->getValue<bool>("objection_open"));
  std::string hazardEvent = "SELECT COUNT(*) AS n FROM credit_records WHERE kind = 'hazard_overdue' AND entity_code = ?";
  EXPECT_EQ(scalar(hazardEvent, code), 1);
  // Found at an inspection, the major hazard is a record of its own (检查发现重大隐患), serious, 12 months.
  std::string majorEvent = "SELECT COUNT(*) AS n FROM credit_records WHERE kind = 'hazard_major' AND severity = 'serious'"
                           " AND publish_until = DATE_ADD(decided_on, INTERVAL 12 MONTH) AND document_no = (SELECT"
                           " reference FROM hazards WHERE id = ?)";
  EXPECT_EQ(scalar(majorEvent, std::to_string(hazardId)), 1);

  crashAndRestart();
  std::this_thread::sleep_for(std::chrono::seconds(7));  // the consumer runs again after the restart
  EXPECT_EQ(scalar(hazardEvent, code), 1) << "the event was recorded twice";
  EXPECT_EQ(scalar(majorEvent, std::to_string(hazardId)), 1) << "the event was recorded twice";
  EXPECT_EQ(scalar("SELECT COUNT(*) AS n FROM credit_list_entries WHERE list_kind = 'blacklist' AND entity_code = ?", code), 1);

  // 3. Notice: no decision while the objection window is open and the institution has not objected.
  std::string base = "/api/v1/credit/lists/blacklist/entries/" + std::to_string(entryId);
  auto early = as(second, "POST", base + "/decide", R"({"decision":"list","reason":"事实清楚"})");
  EXPECT_EQ(early.status, 409) << early.body;
  EXPECT_NE(early.body.find("异议期"), std::string::npos) << early.body;
  // Another institution cannot see or object to it.
  std::string other = login("inst.xiaoxingxing");
  EXPECT_EQ(as(other, "POST", base + "/objection", R"({"objection":"这不是我们的隐患，请核实。"})").status, 404);
  EXPECT_EQ(as(other, "GET", "/api/v1/credit/entities/" + code).status, 404);
  auto objected = as(institution, "POST", base + "/objection",
                     R"({"objection":"喷淋系统已于上周报修，维修单位尚未到场，请求延期认定。"})");
  ASSERT_EQ(objected.status, 200) << objected.body;
  EXPECT_EQ(as(institution, "POST", base + "/objection", R"({"objection":"再次提出异议，请求复核。"})").status, 409);

  // 4. Decision by an officer of the supervising department; 卫健 may not (谁监管、谁列入).
  EXPECT_EQ(as(login("wj.chenjing"), "POST", base + "/decide", R"({"decision":"list","reason":"越权"})").status, 403);
  auto listed = as(second, "POST", base + "/decide", R"({"decision":"list","reason":"异议不成立：逾期未整改事实清楚。"})");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.json()->getValue<std::string>("state"), "listed");
  EXPECT_FALSE(listed.json()->isNull("ends_on"));

  crashAndRestart();

  // 5. The check API restricts the subsidy, with the path to 财政 and the basis.
  auto check = as(bureau, "GET", "/api/v1/credit/check?entity=" + code + "&action=subsidy");
  ASSERT_EQ(check.status, 200) << check.body;
  EXPECT_EQ(check.json()->getValue<std::string>("decision"), "restricted");
  auto measure = check.json()->getArray("measures")->getObject(0);
  EXPECT_EQ(measure->getValue<std::string>("department"), "CZ");
  EXPECT_FALSE(measure->getValue<std::string>("basis").empty());
  auto path = measure->getArray("path");
  ASSERT_EQ(path->size(), 5u);
  EXPECT_EQ(path->getObject(0)->getValue<std::string>("key"), code);
  EXPECT_EQ(path->getObject(1)->getValue<std::string>("key"), "MZ:blacklist");
  EXPECT_EQ(path->getObject(4)->getValue<std::string>("key"), "CZ");
  auto approval = as(bureau, "GET", "/api/v1/credit/check?entity=" + code + "&action=approval");
  EXPECT_EQ(approval.json()->getValue<std::string>("decision"), "allowed");
  EXPECT_EQ(as(other, "GET", "/api/v1/credit/check?entity=" + code).status, 403);

  // 6. One feedback task per implementing department of the memorandum, created once despite the restart.
  std::string tasksPath = "/api/v1/credit/feedback?entry=" + std::to_string(entryId);
  auto tasks = as(login("admin"), "GET", tasksPath);
  ASSERT_EQ(tasks.status, 200) << tasks.body;
  std::set<std::string> departments;
  std::int64_t financeTask = 0;
  for (std::size_t i = 0; i < items(tasks)->size(); ++i) {
    auto t = items(tasks)->getObject(static_cast<unsigned>(i));
    EXPECT_EQ(t->getValue<std::string>("kind"), "apply");
    EXPECT_TRUE(departments.insert(t->getValue<std::string>("department_code")).second) << "two tasks for one department";
    if (t->getValue<std::string>("department_code") == "CZ") financeTask = t->getValue<std::int64_t>("id");
  }
  EXPECT_EQ(departments, (std::set<std::string>{"CZ", "FG", "MZ", "SJ", "YB"}));
  ASSERT_GT(financeTask, 0);
  std::string respond = "/api/v1/credit/feedback/" + std::to_string(financeTask);
  EXPECT_EQ(as(finance, "POST", respond, R"({"action":"feedback","feedback":"已停止拨付"})").status, 409)
      << "feedback before accepting";
  EXPECT_EQ(as(officer, "POST", respond, R"({"action":"accept"})").status, 404) << "another department's task";
  EXPECT_EQ(as(finance, "POST", respond, R"({"action":"accept"})").status, 200);
  auto done = as(finance, "POST", respond, R"({"action":"feedback","feedback":"已暂停拨付 2026 年运营补贴。"})");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.json()->getValue<std::string>("state"), "done");

  // 7. The draws see risk tier D.
  auto explain = as(bureau, "GET", "/api/v1/credit/entities/" + code + "/explain");
  ASSERT_EQ(explain.status, 200) << explain.body;
  auto score = explain.json()->getObject("score");
  EXPECT_EQ(score->getValue<std::string>("grade"), "D");
  EXPECT_EQ(score->getValue<std::string>("draw_tier"), "D");
  EXPECT_EQ(scalar("SELECT COUNT(*) AS n FROM credit_scores WHERE entity_code = ? AND draw_tier = 'D'", code), 1);
  EXPECT_GE(scalar("SELECT COUNT(*) AS n FROM credit_views WHERE entity_code = ? AND username = 'sj.credit'", code), 1);

  // 8. Repair: refused before the minimum period (12 months for a serious record) ...
  std::int64_t recordId = scalar("SELECT id AS n FROM credit_records WHERE kind = 'hazard_overdue' AND entity_code = ?", code);
  std::string repairBody = R"({"record_id":)" + std::to_string(recordId) +
                           R"(,"rectification":"已更换报警阀并完成喷淋系统联动测试，消防检测合格。","pledge":"本机构承诺今后严格落实消防安全主体责任，如有违反愿承担相应责任。"})";
  auto tooEarly = as(institution, "POST", "/api/v1/credit/repairs", repairBody);
  EXPECT_EQ(tooEarly.status, 409) << tooEarly.body;
  // ... accepted once it has passed (the record is moved back in time).
  {
    auto lease = database_->pool().acquire();
    lease->execute("UPDATE credit_records SET decided_on = DATE_SUB(CURDATE(), INTERVAL 13 MONTH),"
                   " min_until = DATE_SUB(CURDATE(), INTERVAL 1 MONTH) WHERE id = ?",
                   recordId);
  }
  auto applied = as(institution, "POST", "/api/v1/credit/repairs", repairBody);
  ASSERT_EQ(applied.status, 201) << applied.body;
  std::int64_t repairId = applied.json()->getValue<std::int64_t>("id");
  EXPECT_EQ(as(institution, "POST", "/api/v1/credit/repairs", repairBody).status, 409) << "two open applications";
  auto approved = as(officer, "POST", "/api/v1/credit/repairs/" + std::to_string(repairId) + "/decide",
                     R"({"decision":"approve","reason":"整改到位，承诺书齐全。"})");
  ASSERT_EQ(approved.status, 200) << approved.body;

  crashAndRestart();

  // 9. Lifted: entry removed, check allowed, lift tasks for the departments that applied measures, tier back.
  auto after = as(officer, "GET", base);
  EXPECT_EQ(after.json()->getValue<std::string>("state"), "removed");
  EXPECT_EQ(after.json()->getValue<std::string>("removal_reason"), "repair");
  auto lifted = as(bureau, "GET", "/api/v1/credit/check?entity=" + code + "&action=subsidy");
  EXPECT_EQ(lifted.json()->getValue<std::string>("decision"), "allowed") << lifted.body;
  EXPECT_EQ(scalar("SELECT COUNT(*) AS n FROM credit_tasks t JOIN credit_list_entries l ON l.id = t.list_entry_id"
                   " WHERE l.entity_code = ? AND t.kind = 'lift' AND l.list_kind = 'blacklist'",
                   code),
            5);
  EXPECT_EQ(scalar("SELECT COUNT(*) AS n FROM credit_scores WHERE entity_code = ? AND draw_tier = 'D'", code), 0);
  auto publicList = client().get("/api/v1/public/credit/lists/blacklist?page_size=100");
  EXPECT_EQ(publicList.body.find(code), std::string::npos);
  EXPECT_EQ(scalar(hazardEvent, code), 1);
}

TEST_F(CreditApi, ReportIsAPdfWhoseHashThePublicPortalVerifies) {
  std::string bureau = login("sj.credit");
  std::string code = codeOf("瑞昌市湓城街道综合养老服务中心");
  auto pdf = as(bureau, "GET", "/api/v1/credit/entities/" + code + "/report.pdf");
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  std::string number = pdf.headers["x-report-number"];
  ASSERT_FALSE(number.empty());
  auto verified = client().get("/api/v1/public/credit/reports/" + number);
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(verified.json()->getValue<std::string>("sha256"), core::sha256Hex(pdf.body));
  EXPECT_EQ(client().get("/api/v1/public/credit/reports/CR20260101-AAAAAAAAAA").status, 404);
  EXPECT_EQ(as(login("inst.kangle"), "GET", "/api/v1/credit/entities/" + code + "/report.pdf").status, 404);
}

TEST_F(CreditApi, RecordsAreValidatedAndWindowedByTheRules) {
  std::string officer = login("mz.wangli");
  std::string code = codeOf("九江市柴桑区沙河街敬老院");
  auto post = [&](const std::string& fields) {
    return as(officer, "POST", "/api/v1/credit/records",
              R"({"entity":")" + code + R"(","kind":"penalty","legal_basis":"《养老机构管理办法》第四十六条",)" +
                  R"("facts":"未按规定配备护理人员。","decided_on":"2026-06-01",)" + fields + "}");
  };
  auto general = post(R"("severity":"general","document_no":"柴民罚〔2026〕1号")");
  ASSERT_EQ(general.status, 201) << general.body;
  EXPECT_EQ(general.json()->getValue<std::string>("publish_until"), "2027-06-01");
  EXPECT_EQ(general.json()->getValue<std::string>("min_until"), "2026-09-01");
  auto tooLong = post(R"("severity":"minor","document_no":"柴民罚〔2026〕2号","publish_months":6)");
  EXPECT_EQ(tooLong.status, 400);
  EXPECT_EQ(tooLong.json()->getObject("error")->getValue<std::string>("field"), "publish_months");
  auto severe = post(R"("severity":"serious","document_no":"柴民罚〔2026〕3号","severe_penalty":true)");
  ASSERT_EQ(severe.status, 201) << severe.body;
  EXPECT_EQ(severe.json()->getValue<std::string>("min_until"), severe.json()->getValue<std::string>("publish_until"))
      << "a severe penalty cannot end early";
  EXPECT_EQ(post(R"("severity":"general","document_no":"柴民罚〔2026〕1号")").status, 409) << "same document twice";
  EXPECT_EQ(post(R"("severity":"grave","document_no":"柴民罚〔2026〕4号")").status, 400);
  // The longest document number is stored whole (it was a 500 from 62 characters: the source reference
  // "<department>:<number>" overflowed); one more character is a 400 naming the field.
  std::string longest(64, 'D');
  auto longestNo = post(R"("severity":"minor","document_no":")" + longest + R"(")");
  ASSERT_EQ(longestNo.status, 201) << longestNo.body;
  EXPECT_EQ(longestNo.json()->getValue<std::string>("document_no"), longest);
  auto tooLongNo = post(R"("severity":"minor","document_no":")" + longest + R"(D")");
  EXPECT_EQ(tooLongNo.status, 400);
  EXPECT_EQ(tooLongNo.json()->getObject("error")->getValue<std::string>("field"), "document_no");
  EXPECT_EQ(as(login("sj.credit"), "POST", "/api/v1/credit/records", "{}").status, 403);
  // The serious record put the institution on the watch list by rule.
  auto watch = as(officer, "GET", "/api/v1/credit/lists/watchlist/entries?entity=" + code);
  ASSERT_EQ(items(watch)->size(), 1u) << watch.body;
  EXPECT_EQ(items(watch)->getObject(0)->getValue<std::string>("state"), "listed");
}

TEST_F(CreditApi, CourtDefaulterIsBlacklistedByRuleAndTheLegalRepresentativeOneHopOnly) {
  std::string officer = login("mz.wangli");
  std::string first17 = "91360400MA35CW0Q1";
  char check = registry::creditCodeCheckChar(first17);
  std::string good = first17 + check, bad = first17 + (check == 'A' ? 'B' : 'A');
  // As a spreadsheet program saves it: a UTF-8 byte order mark before the header.
  auto import = [&](const std::string& code) {
    return client().request("POST", "/api/v1/credit/records/import",
                            "\xEF\xBB\xBF" "code,name,document_no,court,decided_on,facts\n" + code +
                                ",九江某某养老服务有限公司,(2026)赣0402执1234号,濂溪区人民法院,2026-05-20,"
                                "拒不履行生效判决确定的给付义务\n",
                            {{"Authorization", "Bearer " + officer}, {"Content-Type", "text/csv"}});
  };
  // A wrong check character: the whole import is refused, naming the line.
  auto refused = import(bad);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("line 2"), std::string::npos) << refused.body;
  EXPECT_EQ(scalar("SELECT COUNT(*) AS n FROM credit_records WHERE kind = ?", "court_defaulter"), 0);
  // A company that is not an institution: recorded with its name and listed by rule, once.
  auto added = import(good);
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.json()->getValue<int>("added"), 1);
  EXPECT_EQ(import(good).json()->getValue<int>("added"), 0) << "the same judgment imported twice";
  // Cells as long as their columns hold are imported whole; one character more refuses the file, naming the line
  // and the column (the court list had no length checks: a 500 for the whole file).
  auto importRow = [&](const std::string& documentNo, const std::string& court) {
    return client().request("POST", "/api/v1/credit/records/import",
                            good + ",九江某某养老服务有限公司," + documentNo + "," + court + ",2026-05-21,拒不履行\n",
                            {{"Authorization", "Bearer " + officer}, {"Content-Type", "text/csv"}});
  };
  std::string court120;
  for (int i = 0; i < 120; ++i) court120 += "院";
  auto longest = importRow(std::string(64, 'N'), court120);
  ASSERT_EQ(longest.status, 201) << longest.body;
  EXPECT_EQ(scalar("SELECT COUNT(*) AS n FROM credit_records WHERE document_no = ? AND CHAR_LENGTH(title) = 128",
                   std::string(64, 'N')),
            1);
  auto overlong = importRow(std::string(65, 'M'), "濂溪区人民法院");
  EXPECT_EQ(overlong.status, 400) << overlong.body;
  EXPECT_NE(overlong.body.find("line 1: document_no must be at most 64 characters"), std::string::npos)
      << overlong.body;
  auto listed = as(officer, "GET", "/api/v1/credit/lists/blacklist/entries?entity=" + good);
  ASSERT_EQ(items(listed)->size(), 1u) << listed.body;
  EXPECT_EQ(items(listed)->getObject(0)->getValue<std::string>("state"), "listed");
  EXPECT_EQ(items(listed)->getObject(0)->getValue<std::string>("ground"), "court_defaulter");
  auto checked = as(login("sj.credit"), "GET", "/api/v1/credit/check?entity=" + good + "&action=subsidy");
  EXPECT_EQ(checked.json()->getValue<std::string>("decision"), "restricted") << checked.body;

  // The 湓城 blacklisting restricts its legal representative (a person, by ID number) through one hop.
  std::string code = codeOf("瑞昌市湓城街道综合养老服务中心");
  auto view = as(login("sj.credit"), "GET", "/api/v1/credit/entities/" + code);
  ASSERT_EQ(view.status, 200) << view.body;
  bool legalRepMeasureOnEntity = false;
  auto measures = view.json()->getArray("measures");
  for (std::size_t i = 0; i < measures->size(); ++i) {
    if (measures->getObject(static_cast<unsigned>(i))->getValue<std::string>("action") == "legal_representative") {
      legalRepMeasureOnEntity = true;
    }
  }
  EXPECT_FALSE(legalRepMeasureOnEntity) << "a legal-representative measure applies to the person, not the institution";
  auto graph = as(login("sj.credit"), "GET", "/api/v1/credit/graph?entity=" + code + "&depth=1");
  ASSERT_EQ(graph.status, 200) << graph.body;
  EXPECT_NE(graph.body.find("related:legal_representative"), std::string::npos);
  EXPECT_EQ(graph.body.find("P:"), std::string::npos) << "no blind index leaves the server";
}

TEST_F(CreditApi, ASecondProcessOnTheSameDatabaseFollowsAListingWithinASecond) {
  // Another carewatch process (no jobs) on the same database, with its own in-memory graph.
  auto env = env_;
  env["CW_JOBS_ENABLED"] = "false";
  RunningServer other(env, "cw-api-credit-b-" + database_->name());
  HttpClient b(other.port());
  std::string officer = login("mz.wangli"), second = login("mz.zhaoli"), bureau = login("sj.credit");
  std::string code = codeOf("九江市浔阳区甘棠社区日间照料中心");
  std::string checkPath = "/api/v1/credit/check?entity=" + code + "&action=subsidy";
  auto before = b.request("GET", checkPath, "", {{"Authorization", "Bearer " + bureau}});
  ASSERT_EQ(before.status, 200) << before.body;
  int checks = 1;
  ASSERT_EQ(before.json()->getValue<std::string>("decision"), "allowed");

  auto proposed = as(officer, "POST", "/api/v1/credit/lists/blacklist/entries",
                     R"({"entity":")" + code + R"(","ground":"subsidy_fraud","facts":"虚报服务人次骗取运营补贴 8.2 万元。"})");
  ASSERT_EQ(proposed.status, 201) << proposed.body;
  std::int64_t id = proposed.json()->getValue<std::int64_t>("id");
  {
    auto lease = database_->pool().acquire();
    lease->execute("UPDATE credit_list_entries SET objection_until = DATE_SUB(CURDATE(), INTERVAL 1 DAY) WHERE id = ?", id);
  }
  auto decided = as(second, "POST", "/api/v1/credit/lists/blacklist/entries/" + std::to_string(id) + "/decide",
                    R"({"decision":"list","reason":"告知期满未提出异议。"})");
  ASSERT_EQ(decided.status, 200) << decided.body;
  auto start = std::chrono::steady_clock::now();
  std::string decision;
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    decision = b.request("GET", checkPath, "", {{"Authorization", "Bearer " + bureau}}).json()->getValue<std::string>("decision");
    ++checks;
    if (decision == "restricted") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto followed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  EXPECT_EQ(decision, "restricted");
  EXPECT_LT(followed.count(), 1000) << "the second process followed the listing after " << followed.count() << " ms";
  std::cout << "[          ] second process followed the listing in " << followed.count() << " ms\n";

  // Every check the second process answered (most from its answer cache) is in the view log, identical ones of a
  // batch merged into one row with their count.
  auto logged = [&] {
    return scalar("SELECT COALESCE(SUM(hits), 0) AS n FROM credit_views WHERE view = 'check' AND entity_code = ?", code);
  };
  for (int i = 0; i < 100 && logged() < checks; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(logged(), checks);
  EXPECT_LE(scalar("SELECT COUNT(*) AS n FROM credit_views WHERE view = 'check' AND entity_code = ?", code), checks);
}

}  // namespace
}  // namespace cw::testing
