// 双随机、一公开 over real HTTP: the lifecycle draft -> locked -> drawn, what the public sees before and after, the
// three verifiers agreeing (server, `carewatch draw verify`, re-run here), swaps, a draw that cannot be staffed,
// and results seen and recorded only by the inspectors assigned.

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "api/api_fixture.hpp"
#include "cw/core/crypto.hpp"

namespace cw::testing {
namespace {

std::string bearer(const std::string& token) { return "Bearer " + token; }

class DrawsApi : public ApiTest {
 protected:
  HttpReply as(const std::string& token, const std::string& method, const std::string& path,
               const std::string& body = "") {
    return client().request(method, path, body, {{"Authorization", bearer(token)}});
  }
  std::int64_t planId(const std::string& token) {
    auto plans = as(token, "GET", "/api/v1/inspection-plans");
    EXPECT_EQ(plans.status, 200) << plans.body;
    return plans.json()->getArray("items")->getObject(0)->getValue<std::int64_t>("id");
  }
  /// A draft task over Jiujiang's elderly care: every stratum at `ratio`, departments as given.
  std::int64_t createTask(const std::string& token, const std::string& title, const std::string& requirements,
                          bool crossJurisdiction, const std::string& beaconSource, const std::string& ratio = "50%") {
    std::string body = R"({"plan_id":)" + std::to_string(planId(token)) + R"(,"title":")" + title +
                       R"(","region_code":"360400","kinds":["elderly_institution","community_elderly_facility","rural_elderly_home"],
          "strata_by":["region"],"ratios":{"A":")" + ratio + R"(","B":")" + ratio + R"(","C":")" + ratio +
                       R"(","D":")" + ratio + R"("},"window_start":"2026-11-01","window_end":"2026-12-31",
          "cross_jurisdiction":)" + (crossJurisdiction ? "true" : "false") +
                       R"(,"beacon_source":")" + beaconSource + R"(","items":["MZ-YL-01","MZ-YL-02"],"requirements":)" +
                       requirements + "}";
    auto created = as(token, "POST", "/api/v1/inspection-tasks", body);
    EXPECT_EQ(created.status, 201) << created.body;
    return created.status == 201 ? created.json()->getValue<std::int64_t>("id") : 0;
  }
  std::set<std::string> lines(const std::string& text) {
    std::set<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) out.insert(line);
    return out;
  }
};

TEST_F(DrawsApi, CommitmentBeforeTheDrawSecretAfterAndEveryVerifierAgrees) {
  std::string mz = login("mz.wangli");
  auto id = createTask(mz, "全市养老机构抽查（接口测试）", R"([{"department_code":"MZ","per_entity":2}])", true,
                       "测试信标：2026-11-22 开奖号码");
  ASSERT_GT(id, 0);
  std::string pub = "/api/v1/public/draws/" + std::to_string(id);
  EXPECT_EQ(client().get(pub).status, 404) << "a draft has no public record";
  EXPECT_EQ(client().get("/api/v1/public/tasks/" + std::to_string(id)).status, 404);

  auto locked = as(mz, "POST", "/api/v1/inspection-tasks/" + std::to_string(id) + "/lock");
  ASSERT_EQ(locked.status, 200) << locked.body;
  EXPECT_EQ(locked.json()->getValue<std::string>("state"), "locked");
  auto before = client().get(pub);
  ASSERT_EQ(before.status, 200) << before.body;
  auto record = before.json();
  EXPECT_TRUE(record->isNull("secret"));
  EXPECT_TRUE(record->isNull("seed"));
  EXPECT_TRUE(record->isNull("beacon_value"));
  std::string commitment = record->getValue<std::string>("commitment");
  EXPECT_EQ(commitment.size(), 64u);
  EXPECT_GT(record->getArray("strata")->size(), 0u);
  auto pool = client().get(pub + "/pool.txt");
  ASSERT_EQ(pool.status, 200);
  EXPECT_EQ(core::sha256Hex(pool.body), record->getValue<std::string>("pool_digest"));
  auto exclusions = client().get(pub + "/exclusions.txt");
  ASSERT_EQ(exclusions.status, 200);
  EXPECT_NE(exclusions.body.find("\tjurisdiction\n"), std::string::npos) << "cross-jurisdiction recusal is frozen";
  auto inspectors = client().get(pub + "/inspectors.txt");
  ASSERT_EQ(inspectors.status, 200);
  EXPECT_EQ(inspectors.body.find("胡教授"), std::string::npos) << "no names, and experts are never drawn";
  auto verifyEarly = client().post(pub + "/verify", "");
  ASSERT_EQ(verifyEarly.status, 200);
  EXPECT_FALSE(verifyEarly.json()->getValue<bool>("ok"));

  // The task named a beacon, so the draw needs its value.
  auto noBeacon = as(mz, "POST", "/api/v1/inspection-tasks/" + std::to_string(id) + "/draw", "{}");
  EXPECT_EQ(noBeacon.status, 400);
  EXPECT_EQ(noBeacon.json()->getObject("error")->getValue<std::string>("field"), "beacon_value");
  auto drawn = as(mz, "POST", "/api/v1/inspection-tasks/" + std::to_string(id) + "/draw",
                  R"({"beacon_value":"03 11 19 24 28 33 + 07"})");
  ASSERT_EQ(drawn.status, 200) << drawn.body;
  EXPECT_EQ(drawn.json()->getValue<std::string>("state"), "drawn");
  auto after = client().get(pub).json();
  std::string secret = after->getValue<std::string>("secret");
  EXPECT_EQ(core::sha256Hex(core::hexDecode(secret).value()), commitment);
  EXPECT_EQ(after->getValue<std::string>("beacon_value"), "03 11 19 24 28 33 + 07");
  auto selected = after->getArray("selected");
  ASSERT_GT(selected->size(), 0u);
  auto verified = client().post(pub + "/verify", "");
  ASSERT_EQ(verified.status, 200);
  EXPECT_TRUE(verified.json()->getValue<bool>("ok")) << verified.body;
  auto cli = carewatch({"draw", "verify", "--url", "http://127.0.0.1:" + std::to_string(server_->port()), "--id",
                        std::to_string(id)},
                       {});
  EXPECT_EQ(cli.exitCode, 0) << cli.output;

  // Recusal held: no assignment is in the frozen exclusions.
  auto excluded = lines(exclusions.body);
  for (std::size_t i = 0; i < selected->size(); ++i) {
    auto entity = selected->getObject(static_cast<unsigned>(i));
    auto assigned = entity->getArray("inspectors");
    EXPECT_EQ(assigned->size(), 2u);
    for (std::size_t j = 0; j < assigned->size(); ++j) {
      std::string code = assigned->getObject(static_cast<unsigned>(j))->getValue<std::string>("inspector_id");
      for (const char* reason : {"jurisdiction", "declared", "rotation", "related"}) {
        EXPECT_FALSE(excluded.count(entity->getValue<std::string>("entity_id") + "\t" + code + "\t" + reason));
      }
    }
  }

  // A swap needs a reason, may not bring in an excluded inspector, and shows on the public record.
  auto first = selected->getObject(0);
  std::string entityId = first->getValue<std::string>("entity_id");
  std::string removed = first->getArray("inspectors")->getObject(0)->getValue<std::string>("inspector_id");
  std::string replacement, excludedOne;
  for (const auto& line : lines(inspectors.body)) {
    std::string code = line.substr(0, line.find('\t'));
    bool on = false;
    for (std::size_t j = 0; j < first->getArray("inspectors")->size(); ++j) {
      on = on || first->getArray("inspectors")->getObject(static_cast<unsigned>(j))->getValue<std::string>("inspector_id") == code;
    }
    bool isExcluded = false;
    for (const char* reason : {"jurisdiction", "declared", "rotation", "related"}) {
      isExcluded = isExcluded || excluded.count(entityId + "\t" + code + "\t" + reason) > 0;
    }
    if (!on && !isExcluded && replacement.empty()) replacement = code;
    if (isExcluded && excludedOne.empty()) excludedOne = code;
  }
  ASSERT_FALSE(replacement.empty());
  std::string swaps = "/api/v1/inspection-tasks/" + std::to_string(id) + "/swaps";
  auto noReason = as(mz, "POST", swaps, R"({"credit_code":")" + entityId + R"(","removed_inspector":")" + removed +
                                            R"(","added_inspector":")" + replacement + R"("})");
  EXPECT_EQ(noReason.status, 400);
  if (!excludedOne.empty()) {
    auto recused = as(mz, "POST", swaps, R"({"credit_code":")" + entityId + R"(","removed_inspector":")" + removed +
                                             R"(","added_inspector":")" + excludedOne + R"(","reason":"病假"})");
    EXPECT_EQ(recused.status, 400) << recused.body;
    EXPECT_NE(recused.body.find("excluded"), std::string::npos) << recused.body;
  }
  auto swapped = as(mz, "POST", swaps, R"({"credit_code":")" + entityId + R"(","removed_inspector":")" + removed +
                                           R"(","added_inspector":")" + replacement + R"(","reason":"原检查人员病假"})");
  ASSERT_EQ(swapped.status, 200) << swapped.body;
  auto withSwap = client().get(pub).json();
  ASSERT_EQ(withSwap->getArray("swaps")->size(), 1u);
  EXPECT_EQ(withSwap->getArray("swaps")->getObject(0)->getValue<std::string>("reason"), "原检查人员病假");
  EXPECT_TRUE(client().post(pub + "/verify", "").json()->getValue<bool>("ok"));
  cli = carewatch({"draw", "verify", "--url", "http://127.0.0.1:" + std::to_string(server_->port()), "--id",
                   std::to_string(id)},
                  {});
  EXPECT_EQ(cli.exitCode, 0) << cli.output;

  // The list inspectors carry, as XLSX: staff, and inspectors only of a task they are assigned in.
  auto xlsx = as(mz, "GET", "/api/v1/inspection-tasks/" + std::to_string(id) + "/list.xlsx");
  ASSERT_EQ(xlsx.status, 200) << xlsx.body;
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");
  EXPECT_EQ(xlsx.headers["x-row-count"], std::to_string(selected->size()));
  EXPECT_EQ(as(login("inst.kangle"), "GET", "/api/v1/inspection-tasks/" + std::to_string(id) + "/list.xlsx").status, 403);
  EXPECT_EQ(as(login("wj.sunlei"), "GET", "/api/v1/inspection-tasks/" + std::to_string(id) + "/list.xlsx").status, 404)
      << "a health inspector has no assignment in a civil-affairs task";

  // The public task page lists the drawn institutions with departments and counts, never inspector names.
  auto page = client().get("/api/v1/public/tasks/" + std::to_string(id));
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.json()->getArray("drawn")->size(), selected->size());
  EXPECT_EQ(page.body.find("刘强"), std::string::npos);
}

// A frozen draw file gone from the store (a restore without the files, a disk fault) is a server error: the answer
// names only the request id, the log says what is missing, and the file put back is served again. Before, the answer
// carried the internal message and the log had no line for it.
TEST_F(DrawsApi, AFrozenFileMissingFromStorageIsA500ThatTheLogExplains) {
  std::int64_t taskId = 0;
  std::string digest;
  {
    auto lease = database_->pool().acquire();
    auto rows = lease->query("SELECT task_id, pool_digest FROM draws ORDER BY task_id LIMIT 1");
    ASSERT_FALSE(rows.empty()) << "the demo data has no frozen draw";
    taskId = rows[0].i64("task_id");
    digest = rows[0].str("pool_digest");
  }
  std::filesystem::path stored = std::filesystem::temp_directory_path() / ("cw-files-" + database_->config().database) /
                                 digest.substr(0, 2) / digest.substr(2, 2) / digest;
  ASSERT_TRUE(std::filesystem::exists(stored)) << stored;
  std::filesystem::path aside = stored.string() + ".aside";
  std::filesystem::rename(stored, aside);
  std::string path = "/api/v1/public/draws/" + std::to_string(taskId) + "/pool.txt";
  auto missing = client().get(path);
  std::filesystem::rename(aside, stored);
  EXPECT_EQ(missing.status, 500) << missing.body;
  std::string requestId = missing.headers["x-request-id"];
  ASSERT_FALSE(requestId.empty());
  EXPECT_EQ(missing.json()->getObject("error")->getValue<std::string>("message"),
            "internal error; quote request id " + requestId + " when reporting it");
  EXPECT_EQ(missing.body.find(digest), std::string::npos) << "the internal detail stays in the log";
  // The server writes its log in batches, up to 10 ms after the line: wait for it a little.
  std::string log;
  bool explained = false;
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
       !explained && std::chrono::steady_clock::now() < deadline;
       std::this_thread::sleep_for(std::chrono::milliseconds(20))) {
    log = server_->process().log();
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
      if (line.find(requestId) != std::string::npos && line.find("\"level\":\"error\"") != std::string::npos &&
          line.find("a frozen draw file is missing from storage (" + digest + ")") != std::string::npos) {
        explained = true;
      }
    }
  }
  EXPECT_TRUE(explained) << "no error line with request id " << requestId << " in the log:\n"
                         << log.substr(log.size() > 2000 ? log.size() - 2000 : 0);
  EXPECT_EQ(client().get(path).status, 200) << "the file put back is served again";
}

TEST_F(DrawsApi, TooFewEligibleInspectorsFailsNamingEntityAndDepartmentAndSavesNothing) {
  std::string mz = login("mz.wangli");
  auto id = createTask(mz, "消防人员不足的联合抽查", R"([{"department_code":"MZ","per_entity":1},{"department_code":"XF","per_entity":5}])",
                       false, "");
  ASSERT_GT(id, 0);
  std::string base = "/api/v1/inspection-tasks/" + std::to_string(id);
  ASSERT_EQ(as(mz, "POST", base + "/lock").status, 200);
  auto failed = as(mz, "POST", base + "/draw", "{}");
  ASSERT_EQ(failed.status, 409) << failed.body;
  EXPECT_EQ(failed.errorCode(), "FAILED_PRECONDITION");
  std::string message = failed.json()->getObject("error")->getValue<std::string>("message");
  EXPECT_NE(message.find("department XF"), std::string::npos) << message;
  EXPECT_NE(message.find("entity 52"), std::string::npos) << message;
  auto task = as(mz, "GET", base).json();
  EXPECT_EQ(task->getValue<std::string>("state"), "locked");
  EXPECT_EQ(task->getValue<int>("selected_count"), 0);
  EXPECT_EQ(as(mz, "GET", base + "/drawn").json()->getArray("items")->size(), 0u);
  EXPECT_TRUE(client().get("/api/v1/public/draws/" + std::to_string(id)).json()->isNull("secret"));
}

TEST_F(DrawsApi, ATaskLimitedToASpecialListDrawsOnlyItsMembers) {
  std::string mz = login("mz.wangli");
  auto lists = as(mz, "GET", "/api/v1/special-lists");
  ASSERT_EQ(lists.status, 200);
  EXPECT_NE(lists.body.find("KEY-2026"), std::string::npos);
  auto pool = client().get("/api/v1/public/draws/1/pool.txt").body;
  std::string member = pool.substr(pool.find('\t') + 1, 18);
  auto added = as(mz, "POST", "/api/v1/special-lists/KEY-2026/members",
                  R"({"credit_code":")" + member + R"(","reason":"2026年投诉较多，列入重点监管"})");
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(as(mz, "POST", "/api/v1/special-lists/KEY-2026/members",
               R"({"credit_code":")" + member + R"(","reason":"重复"})").status, 409);
  EXPECT_EQ(as(mz, "POST", "/api/v1/special-lists/NOPE/members", R"({"credit_code":")" + member + R"(","reason":"无此名单"})").status, 404);
  EXPECT_EQ(as(login("mz.liuqiang"), "GET", "/api/v1/special-lists").status, 403);

  std::string body = R"({"plan_id":)" + std::to_string(planId(mz)) + R"(,"title":"重点监管名单专项抽查","region_code":"360400",
      "kinds":["elderly_institution","community_elderly_facility","rural_elderly_home"],"special_list":"KEY-2026",
      "strata_by":["region"],"ratios":{"A":"100%","B":"100%","C":"100%","D":"100%"},"window_start":"2026-11-01",
      "window_end":"2026-12-31","items":["MZ-YL-01"],"requirements":[{"department_code":"MZ","per_entity":2}]})";
  auto created = as(mz, "POST", "/api/v1/inspection-tasks", body);
  ASSERT_EQ(created.status, 201) << created.body;
  auto id = std::to_string(created.json()->getValue<std::int64_t>("id"));
  ASSERT_EQ(as(mz, "POST", "/api/v1/inspection-tasks/" + id + "/lock").status, 200);
  auto frozen = client().get("/api/v1/public/draws/" + id + "/pool.txt").body;
  EXPECT_EQ(std::count(frozen.begin(), frozen.end(), '\n'), 1) << frozen;
  EXPECT_NE(frozen.find(member), std::string::npos);
  auto members = as(mz, "GET", "/api/v1/special-lists/KEY-2026/members").json()->getArray("items");
  ASSERT_EQ(members->size(), 1u);
  auto institution = std::to_string(members->getObject(0)->getValue<std::int64_t>("institution_id"));
  EXPECT_EQ(as(mz, "DELETE", "/api/v1/special-lists/KEY-2026/members/" + institution).status, 200);
  EXPECT_EQ(as(mz, "DELETE", "/api/v1/special-lists/KEY-2026/members/" + institution).status, 404);
}

TEST_F(DrawsApi, OnlyAssignedInspectorsRecordResultsAndTheReviewPublishesThem) {
  std::string mz = login("mz.wangli");
  std::string liu = login("mz.liuqiang");
  auto me = as(liu, "GET", "/api/v1/inspectors/me");
  ASSERT_EQ(me.status, 200) << me.body;
  std::string myCode = me.json()->getValue<std::string>("code");

  auto id = createTask(mz, "养老机构抽查（结果测试）", R"([{"department_code":"MZ","per_entity":2}])", false, "", "100%");
  ASSERT_GT(id, 0);
  std::string base = "/api/v1/inspection-tasks/" + std::to_string(id);
  ASSERT_EQ(as(mz, "POST", base + "/lock").status, 200);
  ASSERT_EQ(as(mz, "POST", base + "/draw", "{}").status, 200);
  auto taskResults = [&](const std::string& token) {
    std::set<std::int64_t> ids;
    auto items = as(token, "GET", "/api/v1/inspection-results/mine").json()->getArray("items");
    for (std::size_t i = 0; i < items->size(); ++i) {
      auto x = items->getObject(static_cast<unsigned>(i));
      if (x->getValue<std::int64_t>("task_id") == id) ids.insert(x->getValue<std::int64_t>("id"));
    }
    return ids;
  };
  // The draw decides who goes; if 刘强 was not drawn anywhere, a recorded swap puts him on an entity.
  if (taskResults(liu).empty()) {
    auto drawn = as(mz, "GET", base + "/drawn").json()->getArray("items");
    for (std::size_t i = 0; i < drawn->size() && taskResults(liu).empty(); ++i) {
      auto e = drawn->getObject(static_cast<unsigned>(i));
      std::string removed = e->getArray("inspectors")->getObject(0)->getValue<std::string>("code");
      as(mz, "POST", base + "/swaps", R"({"credit_code":")" + e->getValue<std::string>("credit_code") +
                                          R"(","removed_inspector":")" + removed + R"(","added_inspector":")" + myCode +
                                          R"(","reason":"测试调整"})");
    }
  }
  auto mineIds = taskResults(liu);
  ASSERT_FALSE(mineIds.empty());
  auto schedule = as(liu, "GET", "/api/v1/inspection-results/mine/schedule.xlsx");
  ASSERT_EQ(schedule.status, 200);
  EXPECT_EQ(schedule.body.substr(0, 2), "PK");
  EXPECT_GE(std::stoul(schedule.headers["x-row-count"]), mineIds.size());
  auto resultId = *mineIds.begin();
  auto all = as(mz, "GET", "/api/v1/inspection-results?task_id=" + std::to_string(id) + "&page_size=200");
  ASSERT_EQ(all.status, 200) << all.body;
  auto results = all.json()->getArray("items");
  std::int64_t notMine = 0;
  for (std::size_t i = 0; i < results->size(); ++i) {
    auto rid = results->getObject(static_cast<unsigned>(i))->getValue<std::int64_t>("id");
    if (!mineIds.count(rid)) notMine = rid;
  }
  if (notMine) {
    EXPECT_EQ(as(liu, "GET", "/api/v1/inspection-results/" + std::to_string(notMine)).status, 404);
    EXPECT_EQ(as(liu, "PUT", "/api/v1/inspection-results/" + std::to_string(notMine),
                 R"({"result_code":"1","inspected_on":"2026-11-20"})").status, 404);
  }
  std::string path = "/api/v1/inspection-results/" + std::to_string(resultId);

  // Another department's inspector and an unassigned one cannot see or record it.
  std::string sun = login("wj.sunlei");
  EXPECT_EQ(as(sun, "GET", path).status, 404);
  std::string body = R"({"result_code":"A","problem_reasons":["D"],"inspected_on":"2026-11-20","findings":"消防通道堆放杂物",
      "followup":"order_correction","followup_description":"十日内清理消防通道","followup_hazard_code":"MA-15",
      "items":[{"item_code":"MZ-YL-01","result_code":"1","check_method":"site"},
               {"item_code":"MZ-YL-02","result_code":"A","check_method":"site","note":"通道堵塞"}]})";
  EXPECT_EQ(as(sun, "PUT", path, body).status, 404) << "an inspector not on the entity cannot record for it";
  auto missingReason = as(liu, "PUT", path, R"({"result_code":"A","inspected_on":"2026-11-20"})");
  EXPECT_EQ(missingReason.status, 400);
  EXPECT_EQ(missingReason.json()->getObject("error")->getValue<std::string>("field"), "problem_reasons");
  auto foreignItem = as(liu, "PUT", path, R"({"result_code":"1","inspected_on":"2026-11-20",
      "items":[{"item_code":"WJ-TY-01","result_code":"1","check_method":"site"}]})");
  EXPECT_EQ(foreignItem.status, 400);
  auto recorded = as(liu, "PUT", path, body);
  ASSERT_EQ(recorded.status, 200) << recorded.body;
  EXPECT_EQ(recorded.json()->getValue<std::string>("followup_description"), "十日内清理消防通道");
  EXPECT_EQ(recorded.json()->getArray("items")->size(), 2u);

  // Evidence: a PDF by content, from an assigned inspector, shown byte-identical to the reviewing officer.
  std::string pdf = "%PDF-1.4\n% 现场检查照片\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
  auto evidence = as(liu, "POST", path + "/evidence?name=%E7%8E%B0%E5%9C%BA.pdf", pdf);
  ASSERT_EQ(evidence.status, 201) << evidence.body;
  std::string sha = evidence.json()->getValue<std::string>("sha256");
  EXPECT_EQ(sha, core::sha256Hex(pdf));
  auto notPdf = as(liu, "POST", path + "/evidence?name=notes.pdf", "just text pretending to be a PDF");
  EXPECT_EQ(notPdf.status, 400);
  EXPECT_EQ(notPdf.json()->getObject("error")->getValue<std::string>("field"), "file");
  EXPECT_EQ(as(sun, "POST", path + "/evidence?name=x.pdf", pdf).status, 404);
  auto listed = as(mz, "GET", path + "/evidence");
  ASSERT_EQ(listed.status, 200);
  EXPECT_NE(listed.body.find(sha), std::string::npos);
  auto file = as(mz, "GET", path + "/evidence/" + sha);
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(file.body, pdf);
  EXPECT_EQ(as(sun, "GET", path + "/evidence/" + sha).status, 404);

  ASSERT_EQ(as(liu, "POST", path + "/submit").status, 200);
  EXPECT_EQ(as(liu, "PUT", path, body).status, 409) << "a submitted result is frozen";
  EXPECT_EQ(as(liu, "POST", path + "/evidence?name=late.pdf", pdf + " ").status, 409);
  auto returned = as(mz, "POST", path + "/review", R"({"decision":"return","comment":"请补充整改期限"})");
  ASSERT_EQ(returned.status, 200) << returned.body;
  EXPECT_EQ(returned.json()->getValue<std::string>("state"), "returned");
  ASSERT_EQ(as(liu, "PUT", path, body).status, 200);
  ASSERT_EQ(as(liu, "POST", path + "/submit").status, 200);
  auto published = as(mz, "POST", path + "/review", R"({"decision":"publish"})");
  ASSERT_EQ(published.status, 200) << published.body;
  EXPECT_EQ(published.json()->getValue<std::string>("state"), "published");
  std::string credit = published.json()->getValue<std::string>("credit_code");
  auto publicList = client().get("/api/v1/public/results?credit_code=" + credit);
  ASSERT_EQ(publicList.status, 200);
  EXPECT_NE(publicList.body.find("\"result_code\":\"A\""), std::string::npos) << publicList.body;
  EXPECT_EQ(publicList.body.find("消防通道堆放杂物"), std::string::npos) << "findings are not on the public list";
  // An institution user sees published results of its own institution only, and not this one's.
  auto own = as(login("inst.kangle"), "GET", "/api/v1/inspection-results?page_size=200");
  ASSERT_EQ(own.status, 200);
  EXPECT_EQ(own.body.find(credit), std::string::npos);
  EXPECT_EQ(as(login("inst.kangle"), "GET", path).status, 404);

  // The order to correct became a hazard of that institution at publication: reported by the inspector who
  // recorded it, notified at once, under the catalogue entry the inspector chose (a major hazard).
  auto institutionId = published.json()->getValue<std::int64_t>("institution_id");
  auto hazards = as(mz, "GET", "/api/v1/hazards?source=inspection&institution_id=" + std::to_string(institutionId));
  ASSERT_EQ(hazards.status, 200) << hazards.body;
  auto items = hazards.json()->getArray("items");
  int found = 0;
  for (std::size_t i = 0; i < items->size(); ++i) {
    auto h = items->getObject(static_cast<unsigned>(i));
    if (h->getValue<std::string>("description") != "十日内清理消防通道") continue;
    ++found;
    EXPECT_EQ(h->getValue<std::string>("state"), "notified");
    EXPECT_EQ(h->getValue<std::string>("reported_by"), "刘强");
    EXPECT_EQ(h->getValue<std::string>("catalogue_code"), "MA-15");
    EXPECT_EQ(h->getValue<std::string>("severity"), "major");
    EXPECT_EQ(h->getValue<std::string>("department_code"), "MZ");
  }
  EXPECT_EQ(found, 1) << hazards.body;
}

}  // namespace
}  // namespace cw::testing
