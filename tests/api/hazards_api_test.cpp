// Hazards over real HTTP against a real database: the rectification loop with its four-eyes verification, the
// refusals of bad evidence (leaving nothing on disk or in the database), who may see a hazard and its evidence,
// extensions, and public complaints with tracking codes and the per-address limit.

#include <filesystem>

#include "api_fixture.hpp"
#include "cw/core/crypto.hpp"

namespace cw::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kFileLimit = 1024 * 1024;  // this suite's per-file limit

class HazardsApi : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    auto env = seededDatabase();
    env["CW_HAZARDS_MAX_EVIDENCE_FILE_BYTES"] = std::to_string(kFileLimit);
    env["CW_HAZARDS_COMPLAINTS_PER_HOUR"] = "3";
    storage_ = env["CW_STORAGE_DIR"];
    server_ = new RunningServer(env, "cw-api-hazards-" + database_->name());
  }

  HttpReply as(const std::string& token, const std::string& method, const std::string& path,
               const std::string& body = "") {
    return client().request(method, path, body, {{"Authorization", "Bearer " + token}});
  }

  /// One multipart/form-data body with a single part.
  static std::string form(const std::string& field, const std::string& filename, const std::string& bytes) {
    return "--cwtestboundary\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + filename +
           "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + bytes + "\r\n--cwtestboundary--\r\n";
  }
  HttpReply upload(const std::string& token, std::int64_t hazard, const std::string& filename,
                   const std::string& bytes) {
    return uploadBody(token, hazard, form("file", filename, bytes));
  }
  HttpReply uploadBody(const std::string& token, std::int64_t hazard, const std::string& body) {
    return client().request("POST", "/api/v1/hazards/" + std::to_string(hazard) + "/evidence", body,
                            {{"Authorization", "Bearer " + token},
                             {"Content-Type", "multipart/form-data; boundary=cwtestboundary"}});
  }

  std::int64_t institutionOf(const std::string& username) {
    auto lease = database_->pool().acquire();
    return lease->query("SELECT institution_id FROM users WHERE username = ?", username)[0].i64("institution_id");
  }

  /// A hazard reported at an inspection by `reporter` (an inspector or officer) for 康乐养老院.
  std::int64_t reportFor(const std::string& reporter, const std::string& title) {
    auto created = as(reporter, "POST", "/api/v1/hazards",
                      R"({"institution_id":)" + std::to_string(institutionOf("inst.kangle")) +
                          R"(,"catalogue_code":"FO-01","title":")" + title +
                          R"(","description":"留样不足 125 克，留样时间不足 48 小时。","location":"厨房"})");
    EXPECT_EQ(created.status, 201) << created.body;
    return created.status == 201 ? created.json()->getValue<std::int64_t>("id") : 0;
  }

  static std::size_t filesOnDisk() {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(storage_, ec)) n += e.is_regular_file();
    return n;
  }
  std::int64_t evidenceRows() {
    auto lease = database_->pool().acquire();
    return lease->query("SELECT COUNT(*) AS n FROM hazard_evidence")[0].i64("n");
  }

  static std::string png(char variant) {
    return std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) + std::string(200, variant);
  }
  static std::string pdf(char variant) { return "%PDF-1.7\n" + std::string(300, variant) + "\n%%EOF\n"; }

  static inline std::string storage_;
};

TEST_F(HazardsApi, TheLoopRunsToVerificationByASecondPersonWithTheHistoryAndAuditOfEveryStep) {
  std::string liu = login("mz.liuqiang");
  std::string kangle = login("inst.kangle");
  std::string wangli = login("mz.wangli");
  std::string zhaoli = login("mz.zhaoli");
  auto id = reportFor(liu, "食品留样不符合要求");
  ASSERT_GT(id, 0);
  std::string path = "/api/v1/hazards/" + std::to_string(id);
  auto shown = as(kangle, "GET", path);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(shown.json()->getValue<std::string>("state"), "notified");
  EXPECT_EQ(shown.json()->getValue<std::string>("source"), "inspection");

  // The institution cannot submit before acknowledging or without evidence.
  EXPECT_EQ(as(kangle, "POST", path + "/submit", R"({"note":"已整改"})").status, 409);
  ASSERT_EQ(as(kangle, "POST", path + "/acknowledge").status, 200);
  EXPECT_EQ(as(kangle, "POST", path + "/submit", R"({"note":"已整改"})").status, 409) << "no evidence yet";
  auto photo = upload(kangle, id, "留样柜.png", png('a'));
  ASSERT_EQ(photo.status, 201) << photo.body;
  EXPECT_EQ(photo.json()->getValue<std::string>("media_type"), "image/png");
  EXPECT_EQ(photo.json()->getValue<std::string>("sha256"), core::sha256Hex(png('a')));
  auto record = upload(kangle, id, "留样记录.pdf", pdf('a'));
  ASSERT_EQ(record.status, 201) << record.body;
  ASSERT_EQ(as(kangle, "POST", path + "/submit", R"({"note":"购置留样柜，建立留样记录"})").status, 200);

  // Four eyes: the inspector who reported it cannot verify or reject it; another officer rejects.
  auto self = as(liu, "POST", path + "/verify", "{}");
  EXPECT_EQ(self.status, 403);
  EXPECT_NE(self.body.find("four-eyes"), std::string::npos) << self.body;
  EXPECT_EQ(as(liu, "POST", path + "/reject", R"({"reasons":"材料不全"})").status, 403);
  EXPECT_EQ(as(wangli, "POST", path + "/reject", "{}").status, 400) << "a rejection needs its reasons";
  auto rejected = as(wangli, "POST", path + "/reject", R"({"reasons":"留样记录缺少日期和签名"})");
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  EXPECT_EQ(rejected.json()->getValue<std::string>("state"), "rectifying");
  EXPECT_EQ(rejected.json()->getValue<int>("round"), 2);
  EXPECT_EQ(rejected.json()->getValue<std::string>("last_rejection"), "留样记录缺少日期和签名");

  // Round 2 needs evidence of its own; the same file again is accepted as this round's.
  EXPECT_EQ(as(kangle, "POST", path + "/submit", R"({"note":"补充"})").status, 409);
  ASSERT_EQ(upload(kangle, id, "留样记录-补签.pdf", pdf('b')).status, 201);
  auto again = upload(kangle, id, "留样柜.png", png('a'));
  EXPECT_EQ(again.status, 201) << "the same photo in a new round is a new record of one stored file";
  EXPECT_EQ(upload(kangle, id, "留样柜.png", png('a')).json()->getValue<bool>("duplicate"), true);
  ASSERT_EQ(as(kangle, "POST", path + "/submit", R"({"note":"记录已补签"})").status, 200);
  auto verified = as(zhaoli, "POST", path + "/verify", R"({"note":"复核通过"})");
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(verified.json()->getValue<std::string>("state"), "verified");
  EXPECT_EQ(verified.json()->getValue<bool>("closed_on_time"), true);
  EXPECT_EQ(verified.json()->getValue<std::string>("verified_by"), "赵丽");

  auto detail = as(wangli, "GET", path).json();
  std::vector<std::string> actions;
  auto events = detail->getArray("events");
  for (std::size_t i = 0; i < events->size(); ++i) {
    actions.push_back(events->getObject(static_cast<unsigned>(i))->getValue<std::string>("action"));
  }
  std::vector<std::string> expected{"reported", "notified", "acknowledged", "evidence_added", "evidence_added",
                                    "submitted", "rejected", "evidence_added", "evidence_added", "submitted",
                                    "verified"};
  EXPECT_EQ(actions, expected);
  EXPECT_EQ(detail->getArray("evidence")->size(), 4u);

  auto audit = as(login("admin"), "GET", "/api/v1/admin/audit?object_id=" + std::to_string(id) + "&page_size=100");
  ASSERT_EQ(audit.status, 200) << audit.body;
  for (const char* action : {"hazard.report", "hazard.acknowledge", "hazard.evidence.add", "hazard.submit",
                             "hazard.reject", "hazard.verify"}) {
    EXPECT_NE(audit.body.find(std::string("\"") + action + "\""), std::string::npos) << action;
  }
  auto lease = database_->pool().acquire();
  auto outbox = lease->query("SELECT topic FROM domain_events WHERE aggregate_type = 'hazard' AND aggregate_id = ? ORDER BY id", id);
  ASSERT_EQ(outbox.size(), 2u);
  EXPECT_EQ(outbox[0].str("topic"), "hazard.reported");
  EXPECT_EQ(outbox[1].str("topic"), "hazard.verified");

  // The officer reopens it (a complaint shows it came back); the history stays.
  EXPECT_EQ(as(liu, "POST", path + "/reopen", R"({"reason":"投诉反映问题复发"})").status, 403) << "officers only";
  auto reopened = as(wangli, "POST", path + "/reopen", R"({"reason":"投诉反映问题复发","days":10})");
  ASSERT_EQ(reopened.status, 200) << reopened.body;
  EXPECT_EQ(reopened.json()->getValue<std::string>("state"), "rectifying");
  EXPECT_EQ(reopened.json()->getValue<int>("reopen_count"), 1);
  EXPECT_EQ(as(wangli, "GET", path).json()->getArray("events")->size(), expected.size() + 1);
}

TEST_F(HazardsApi, BadEvidenceIsRefusedWithAClearErrorAndLeavesNothingBehind) {
  std::string kangle = login("inst.kangle");
  auto id = reportFor(login("mz.liuqiang"), "餐具消毒不到位");
  ASSERT_GT(id, 0);
  ASSERT_EQ(as(kangle, "POST", "/api/v1/hazards/" + std::to_string(id) + "/acknowledge").status, 200);
  std::size_t files = filesOnDisk();
  std::int64_t rows = evidenceRows();

  auto renamed = upload(kangle, id, "消毒记录.pdf", png('r'));
  EXPECT_EQ(renamed.status, 400);
  EXPECT_NE(renamed.body.find("PNG image, but its name says a PDF"), std::string::npos) << renamed.body;

  auto html = upload(kangle, id, "现场照片.jpg", "<html><body><script>alert(1)</script></body></html>");
  EXPECT_EQ(html.status, 400);
  EXPECT_NE(html.body.find("HTML"), std::string::npos) << html.body;

  auto big = upload(kangle, id, "录像.pdf", pdf('x') + std::string(kFileLimit, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_NE(big.body.find("1 MB per file"), std::string::npos) << big.body;

  std::string whole = form("file", "照片.png", png('t'));
  auto truncated = uploadBody(kangle, id, whole.substr(0, whole.size() - 30));
  EXPECT_EQ(truncated.status, 400);
  EXPECT_NE(truncated.body.find("cut off"), std::string::npos) << truncated.body;

  auto noFile = uploadBody(kangle, id, "--cwtestboundary\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n"
                                        "--cwtestboundary--\r\n");
  EXPECT_EQ(noFile.status, 400);
  auto notMultipart = as(kangle, "POST", "/api/v1/hazards/" + std::to_string(id) + "/evidence", R"({"file":"x"})");
  EXPECT_EQ(notMultipart.status, 400);
  EXPECT_NE(notMultipart.body.find("multipart/form-data"), std::string::npos);

  EXPECT_EQ(filesOnDisk(), files) << "a refused upload leaves no file, not even a temporary one";
  EXPECT_EQ(evidenceRows(), rows);
  auto hazard = as(kangle, "GET", "/api/v1/hazards/" + std::to_string(id)).json();
  EXPECT_EQ(hazard->getValue<int>("evidence_count"), 0);
  // And a good upload still works afterwards.
  EXPECT_EQ(upload(kangle, id, "消毒记录.png", png('r')).status, 201);
}

TEST_F(HazardsApi, OnlyTheInstitutionAndTheDepartmentSeeAHazardAndItsEvidence) {
  std::string kangle = login("inst.kangle");
  auto id = reportFor(login("mz.liuqiang"), "食品贮存不规范");
  ASSERT_GT(id, 0);
  std::string path = "/api/v1/hazards/" + std::to_string(id);
  ASSERT_EQ(as(kangle, "POST", path + "/acknowledge").status, 200);
  auto photo = upload(kangle, id, "冷库.png", png('v'));
  ASSERT_EQ(photo.status, 201);
  std::string evidence = "/api/v1/evidence/" + photo.json()->getValue<std::string>("sha256");

  auto download = as(kangle, "GET", evidence);
  ASSERT_EQ(download.status, 200);
  EXPECT_EQ(download.body, png('v'));
  EXPECT_EQ(download.headers["x-content-sha256"], core::sha256Hex(png('v')));
  EXPECT_EQ(download.headers["x-content-type-options"], "nosniff");
  EXPECT_EQ(download.headers["content-type"], "image/png");
  EXPECT_EQ(download.headers["content-disposition"].rfind("inline;", 0), 0u);
  EXPECT_EQ(as(kangle, "GET", evidence + "?download=1").headers["content-disposition"].rfind("attachment;", 0), 0u);
  EXPECT_EQ(as(login("mz.wangli"), "GET", evidence).status, 200);

  std::string other = login("inst.xiaoxingxing");
  EXPECT_EQ(as(other, "GET", path).status, 404);
  EXPECT_EQ(as(other, "GET", evidence).status, 404);
  EXPECT_EQ(as(other, "POST", path + "/acknowledge").status, 404);
  EXPECT_EQ(uploadBody(other, id, form("file", "x.png", png('o'))).status, 404);
  EXPECT_EQ(as(other, "GET", "/api/v1/hazards").body.find("食品贮存不规范"), std::string::npos);
  std::string health = login("wj.chenjing");
  EXPECT_EQ(as(health, "GET", path).status, 404) << "another department's officer";
  EXPECT_EQ(as(health, "GET", evidence).status, 404);
  EXPECT_EQ(as(login("sj.credit"), "GET", "/api/v1/hazards").status, 403);
  EXPECT_EQ(client().get(path).status, 401);
  EXPECT_EQ(client().get(evidence).status, 401);
  EXPECT_EQ(as(kangle, "GET", "/api/v1/evidence/" + std::string(64, 'a')).status, 404);
  EXPECT_EQ(as(kangle, "GET", "/api/v1/evidence/../../etc/passwd").status, 404);
}

TEST_F(HazardsApi, AnExtensionIsRequestedOnceAndDecidedByAnOfficer) {
  std::string kangle = login("inst.kangle");
  std::string wangli = login("mz.wangli");
  auto id = reportFor(login("mz.liuqiang"), "食品从业人员健康证过期");
  ASSERT_GT(id, 0);
  std::string path = "/api/v1/hazards/" + std::to_string(id);
  auto before = as(kangle, "GET", path).json()->getValue<std::string>("deadline");
  EXPECT_EQ(as(kangle, "POST", path + "/extend", R"({"days":0,"reason":"等待体检结果"})").status, 400);
  ASSERT_EQ(as(kangle, "POST", path + "/extend", R"({"days":10,"reason":"体检机构预约已排至下月"})").status, 200);
  EXPECT_EQ(as(kangle, "POST", path + "/extend", R"({"days":5,"reason":"再次申请延期"})").status, 409);
  EXPECT_EQ(as(login("mz.liuqiang"), "POST", path + "/extend", R"({"decision":"grant"})").status, 403);
  auto granted = as(wangli, "POST", path + "/extend", R"({"decision":"grant","note":"同意"})");
  ASSERT_EQ(granted.status, 200) << granted.body;
  auto h = granted.json();
  EXPECT_EQ(h->getObject("extension")->getValue<std::string>("state"), "granted");
  EXPECT_GT(h->getValue<std::string>("deadline"), before);
  EXPECT_EQ(as(kangle, "POST", path + "/extend", R"({"days":5,"reason":"还要再延期"})").status, 409);
  auto changed = as(wangli, "POST", path + "/deadline", R"({"deadline":"2020-01-01","reason":"x"})");
  EXPECT_EQ(changed.status, 400) << "a deadline in the past";
}

TEST_F(HazardsApi, AComplaintGetsATrackingCodeIsTriagedIntoAHazardAndIsLimitedPerAddress) {
  auto lease = database_->pool().acquire();
  auto institution = lease->query("SELECT id FROM institutions WHERE name = '九江市濂溪区夕阳红颐养院'")[0].i64("id");
  auto search = client().get("/api/v1/public/institutions?q=" + std::string("%E5%A4%95%E9%98%B3"));  // 夕阳
  ASSERT_EQ(search.status, 200);
  EXPECT_NE(search.body.find("夕阳红颐养院"), std::string::npos) << search.body;
  std::string body = R"({"institution_id":)" + std::to_string(institution) +
                     R"(,"category":"fire","description":"夜间消防通道被杂物堵塞，安全出口上锁。","contact":"13800001111"})";
  auto filed = client().post("/api/v1/public/complaints", body);
  ASSERT_EQ(filed.status, 201) << filed.body;
  std::string code = filed.json()->getValue<std::string>("tracking_code");
  EXPECT_EQ(code.size(), 16u);
  auto status = client().get("/api/v1/public/complaints/" + code);
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(status.json()->getValue<std::string>("state"), "received");
  EXPECT_EQ(status.body.find("13800001111"), std::string::npos) << "nothing about the complainant";
  EXPECT_EQ(client().get("/api/v1/public/complaints/ZZZZZZZZZZZZZZZZ").status, 404);
  auto stored = lease->query("SELECT contact_cipher FROM complaints WHERE tracking_code = ?", code);
  EXPECT_EQ(stored[0].str("contact_cipher").find("13800001111"), std::string::npos) << "the contact is encrypted";

  std::string wangli = login("mz.wangli");
  auto queue = as(wangli, "GET", "/api/v1/complaints?state=received");
  ASSERT_EQ(queue.status, 200);
  std::int64_t complaintId = 0;
  auto items = queue.json()->getArray("items");
  for (std::size_t i = 0; i < items->size(); ++i) {
    auto c = items->getObject(static_cast<unsigned>(i));
    if (c->getValue<std::string>("tracking_code") == code) {
      complaintId = c->getValue<std::int64_t>("id");
      EXPECT_EQ(c->getValue<std::string>("contact"), "13800001111") << "the officer can call back";
    }
  }
  ASSERT_GT(complaintId, 0);
  EXPECT_EQ(as(login("wj.chenjing"), "POST", "/api/v1/complaints/" + std::to_string(complaintId) + "/handle",
               R"({"decision":"dismiss","reply":"不属实"})").status,
            404)
      << "the health department does not handle an elderly-care complaint";
  auto accepted = as(wangli, "POST", "/api/v1/complaints/" + std::to_string(complaintId) + "/handle",
                     R"({"decision":"accept","reply":"已立案核查","hazard":{"catalogue_code":"MA-15",)"
                     R"("title":"安全出口上锁","description":"投诉反映夜间安全出口上锁，经核实属实。"}})");
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(accepted.json()->getValue<std::string>("state"), "accepted");
  auto tracked = client().get("/api/v1/public/complaints/" + code).json();
  EXPECT_EQ(tracked->getValue<std::string>("state"), "accepted");
  EXPECT_EQ(tracked->getValue<std::string>("hazard_state"), "notified");
  auto hazardId = accepted.json()->getValue<std::int64_t>("hazard_id");
  EXPECT_EQ(as(wangli, "GET", "/api/v1/hazards/" + std::to_string(hazardId)).json()->getValue<std::string>("source"),
            "complaint");

  // This suite allows 3 complaints an hour per address: two more pass, the next is refused.
  EXPECT_EQ(client().post("/api/v1/public/complaints", body).status, 201);
  EXPECT_EQ(client().post("/api/v1/public/complaints", body).status, 201);
  auto limited = client().post("/api/v1/public/complaints", body);
  EXPECT_EQ(limited.status, 429) << limited.body;
  auto invalid = client().post("/api/v1/public/complaints", R"({"institution_id":1,"category":"fire","description":"短"})");
  EXPECT_EQ(invalid.status, 400);
}

TEST_F(HazardsApi, StatisticsAndThePublicListShowCountsAndNoPersonalData) {
  auto stats = as(login("mz.wangli"), "GET", "/api/v1/hazards/stats");
  ASSERT_EQ(stats.status, 200) << stats.body;
  auto s = stats.json();
  EXPECT_GE(s->getValue<std::int64_t>("open"), 1);
  EXPECT_GE(s->getValue<std::int64_t>("overdue"), 1) << "the demo's overdue major fire hazard";
  EXPECT_EQ(s->getArray("months")->size(), 12u);
  auto published = client().get("/api/v1/public/hazards");
  ASSERT_EQ(published.status, 200);
  EXPECT_NE(published.body.find("修水县颐康养老服务中心"), std::string::npos) << published.body;
  EXPECT_EQ(published.body.find("刘强"), std::string::npos) << "no person is named publicly";
  auto publicStats = client().get("/api/v1/public/hazards/stats");
  ASSERT_EQ(publicStats.status, 200);
  EXPECT_EQ(publicStats.json()->getArray("open_by_region")->size(), 0u);
}

}  // namespace
}  // namespace cw::testing
