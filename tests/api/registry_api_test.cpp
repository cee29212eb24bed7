// The registry over real HTTP: validation answers, isolation of institution users, the filing loop, versions,
// diffs, masking and the audited reveal of personal data.

#include <regex>

#include "api/api_fixture.hpp"
#include "cw/server/app.hpp"

namespace cw::testing {
namespace {

std::string bearer(const std::string& token) { return "Bearer " + token; }

class RegistryApi : public ApiTest {
 protected:
  HttpReply as(const std::string& token, const std::string& method, const std::string& path,
               const std::string& body = "") {
    return client().request(method, path, body, {{"Authorization", bearer(token)}});
  }
  std::int64_t institutionIdByCode(const std::string& token, const std::string& code) {
    auto reply = as(token, "GET", "/api/v1/institutions?credit_code=" + code);
    EXPECT_EQ(reply.status, 200) << reply.body;
    auto items = reply.json()->getArray("items");
    if (items->size() != 1) return 0;
    return items->getObject(0)->getValue<std::int64_t>("id");
  }
  static std::string validRecord(const std::string& code, const std::string& name) {
    return R"({"credit_code":")" + code + R"(","name":")" + name +
           R"(","kind":"elderly_institution","ownership":"private_nonprofit","region_code":"360429",
              "address":"湖口县双钟镇石钟路 1 号","legal_rep_name":"钱伟","legal_rep_id_number":"11010519491231002X",
              "capacity":80,"nursing_beds":30,
              "licences":[{"kind":"food_business","number":"JY13604290001","expires_on":"2026-12-31"}]})";
  }
};

TEST_F(RegistryApi, OfficerRegistersDirectlyAndDuplicateCodeIsConflict) {
  std::string mz = login("mz.wangli");
  auto created = as(mz, "POST", "/api/v1/institutions", validRecord("52360429MJX1Y2Q3A2", "湖口县石钟养老院"));
  ASSERT_EQ(created.status, 201) << created.body;
  auto body = created.json();
  EXPECT_EQ(body->getValue<std::string>("filing_state"), "filed");
  EXPECT_EQ(body->getValue<std::string>("legal_rep_id_number"), "1101**********002X");
  EXPECT_EQ(created.body.find("11010519491231002X"), std::string::npos);
  EXPECT_EQ(body->getValue<int>("version"), 1);
  auto again = as(mz, "POST", "/api/v1/institutions", validRecord("52360429MJX1Y2Q3A2", "湖口县石钟养老院二部"));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.json()->getObject("error")->getValue<std::string>("field"), "credit_code");
}

TEST_F(RegistryApi, BadCodesAnswer400NamingTheField) {
  std::string mz = login("mz.wangli");
  auto badCode = as(mz, "POST", "/api/v1/institutions", validRecord("52360429MJX1Y2Q3A3", "错误代码养老院"));
  EXPECT_EQ(badCode.status, 400);
  EXPECT_EQ(badCode.json()->getObject("error")->getValue<std::string>("field"), "credit_code");
  EXPECT_NE(badCode.body.find("check"), std::string::npos) << badCode.body;
  std::string record = validRecord("52360429MJX1Y2Q4A3", "错误证件养老院");
  record = std::regex_replace(record, std::regex("11010519491231002X"), "110105194912310021");
  auto badId = as(mz, "POST", "/api/v1/institutions", record);
  EXPECT_EQ(badId.status, 400);
  EXPECT_EQ(badId.json()->getObject("error")->getValue<std::string>("field"), "legal_rep_id_number");
}

TEST_F(RegistryApi, HealthOfficerCannotRegisterElderlyCare) {
  std::string wj = login("wj.chenjing");
  auto reply = as(wj, "POST", "/api/v1/institutions", validRecord("52360429MJQ9W8E7RD", "湖口县卫健越权养老院"));
  EXPECT_EQ(reply.status, 403) << reply.body;
}

TEST_F(RegistryApi, FullFilingLoopLeavesVersionsAndAuditRecords) {
  std::string inst = login("inst.kangle");
  std::string mz = login("mz.wangli");
  std::string admin = login("admin");
  auto submitted = as(inst, "POST", "/api/v1/filings",
                      R"({"kind":"new","record":{"ownership":"private_nonprofit","address":"濂溪区莲花镇 1 号",
                          "legal_rep_name":"赵刚","legal_rep_id_number":"360402198001011231","capacity":100}})");
  ASSERT_EQ(submitted.status, 201) << submitted.body;
  auto filingId = submitted.json()->getValue<std::int64_t>("id");
  std::string filing = "/api/v1/filings/" + std::to_string(filingId);
  EXPECT_EQ(submitted.json()->getValue<int>("working_days_left"), 20);

  auto returned = as(mz, "POST", filing + "/return", R"({"reasons":{"address":"请填写完整门牌号"}})");
  ASSERT_EQ(returned.status, 200) << returned.body;
  EXPECT_EQ(returned.json()->getValue<std::string>("state"), "returned");
  EXPECT_EQ(as(mz, "POST", filing + "/accept").status, 409);  // not submitted any more

  auto resubmitted = as(inst, "POST", filing + "/resubmit", R"({"record":{"address":"濂溪区莲花镇莲花大道 18 号"}})");
  ASSERT_EQ(resubmitted.status, 200) << resubmitted.body;
  EXPECT_EQ(resubmitted.json()->getValue<int>("submissions"), 2);

  auto accepted = as(mz, "POST", filing + "/accept");
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  auto rounds = accepted.json()->getArray("review_rounds");  // the return is still on record after acceptance
  ASSERT_EQ(rounds->size(), 1u);
  EXPECT_EQ(rounds->getObject(0)->getValue<std::string>("reviewer"), "mz.wangli");
  EXPECT_EQ(rounds->getObject(0)->getObject("reasons")->getValue<std::string>("address"), "请填写完整门牌号");
  std::string filingNo = accepted.json()->getValue<std::string>("filing_no");
  EXPECT_EQ(filingNo.rfind("MZ-", 0), 0u) << filingNo;

  auto me = as(inst, "GET", "/api/v1/auth/me");
  auto instId = me.json()->getObject("user")->getValue<std::int64_t>("institution_id");
  std::string path = "/api/v1/institutions/" + std::to_string(instId);
  auto change = as(inst, "PATCH", path, R"({"capacity":120})");
  ASSERT_EQ(change.status, 202) << change.body;  // a change filing, not an edit
  auto changeId = change.json()->getValue<std::int64_t>("id");
  ASSERT_EQ(as(mz, "POST", "/api/v1/filings/" + std::to_string(changeId) + "/accept").status, 200);

  auto current = as(inst, "GET", path);
  ASSERT_EQ(current.status, 200);
  EXPECT_EQ(current.json()->getValue<int>("capacity"), 120);
  EXPECT_EQ(current.json()->getValue<std::string>("filing_no"), filingNo);
  auto versions = as(inst, "GET", path + "/versions");
  ASSERT_EQ(versions.status, 200);
  ASSERT_EQ(versions.json()->getArray("items")->size(), 2u);
  auto diff = as(inst, "GET", path + "/diff?from=1&to=2");
  ASSERT_EQ(diff.status, 200) << diff.body;
  auto changes = diff.json()->getArray("changes");
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ(changes->getObject(0)->getValue<std::string>("field"), "capacity");
  EXPECT_EQ(changes->getObject(0)->getValue<std::string>("before"), "100");
  EXPECT_EQ(changes->getObject(0)->getValue<std::string>("after"), "120");

  for (const char* action : {"filing.submit", "filing.return", "filing.resubmit", "filing.accept"}) {
    auto audit = as(admin, "GET", std::string("/api/v1/admin/audit?action=") + action);
    EXPECT_GE(audit.json()->getValue<int>("total"), 1) << action;
  }
  auto accepts = as(admin, "GET", "/api/v1/admin/audit?action=filing.accept");
  EXPECT_GE(accepts.json()->getValue<int>("total"), 2);
}

TEST_F(RegistryApi, InstitutionUserReachesNothingOfAnotherInstitution) {
  // A second institution user, for the unfiled childcare centre, files something of its own.
  std::string admin = login("admin");
  std::string wj = login("wj.chenjing");
  auto otherId = institutionIdByCode(wj, "52360403MJB7Q3914B");
  ASSERT_GT(otherId, 0);
  auto user = as(admin, "POST", "/api/v1/admin/users",
                 R"({"username":"inst.xingxing","display_name":"小星星托育中心","role":"institution",
                     "password":"Starlet#2026","institution_id":)" + std::to_string(otherId) + "}");
  ASSERT_EQ(user.status, 201) << user.body;
  std::string other = login("inst.xingxing", "Starlet#2026");
  auto otherFiling = as(other, "POST", "/api/v1/filings",
                        R"({"kind":"new","record":{"ownership":"private_forprofit","address":"浔阳区浔阳路 8 号",
                            "legal_rep_name":"孙丽","legal_rep_id_number":"11010519491231002X","capacity":60}})");
  ASSERT_EQ(otherFiling.status, 201) << otherFiling.body;
  auto otherFilingId = otherFiling.json()->getValue<std::int64_t>("id");

  std::string inst = login("inst.kangle");
  // Every registry route with an id, taken from the router itself, with the other institution's ids.
  server::Config config;
  server::App app(config, nullptr);
  int checked = 0;
  for (const auto& route : app.router().routes()) {
    bool institutionRoute = route.pattern.rfind("/api/v1/institutions/{id}", 0) == 0;
    bool filingRoute = route.pattern.rfind("/api/v1/filings/{id}", 0) == 0;
    if (!institutionRoute && !filingRoute) continue;
    std::string path = std::regex_replace(route.pattern, std::regex("\\{id\\}"),
                                          std::to_string(institutionRoute ? otherId : otherFilingId));
    path = std::regex_replace(path, std::regex("\\{sha256\\}"), std::string(64, 'a'));
    if (route.pattern.find("/diff") != std::string::npos) path += "?from=1&to=1";
    if (route.pattern.find("/documents") != std::string::npos && route.method == "POST") path += "?name=x.pdf";
    std::string body;
    if (route.method == "PATCH") body = R"({"capacity":1})";
    else if (route.pattern.find("/return") != std::string::npos) body = R"({"reasons":{"general":"x"}})";
    else if (route.pattern.find("/documents") != std::string::npos) body = "%PDF-1.4 someone else's filing";
    else if (route.method == "POST") body = R"({"record":{"capacity":1}})";
    auto reply = as(inst, route.method, path, body);
    EXPECT_TRUE(reply.status == 403 || reply.status == 404)
        << route.method << " " << path << " answered " << reply.status << ": " << reply.body;
    ++checked;
  }
  EXPECT_GE(checked, 9);
  // Lists show only its own.
  auto list = as(inst, "GET", "/api/v1/institutions?page_size=200");
  ASSERT_EQ(list.status, 200);
  auto items = list.json()->getArray("items");
  for (std::size_t i = 0; i < items->size(); ++i) {
    EXPECT_NE(items->getObject(static_cast<unsigned>(i))->getValue<std::int64_t>("id"), otherId);
  }
  auto filings = as(inst, "GET", "/api/v1/filings?page_size=200");
  ASSERT_EQ(filings.status, 200);
  EXPECT_EQ(filings.body.find("\"id\":" + std::to_string(otherFilingId) + ","), std::string::npos);
  // The health officer reviews childcare; the civil-affairs officer does not even see it.
  std::string mz = login("mz.wangli");
  EXPECT_EQ(as(mz, "POST", "/api/v1/filings/" + std::to_string(otherFilingId) + "/accept").status, 404);
}

TEST_F(RegistryApi, RevealingTheIdIsForTheCompetentOfficerAndAudited) {
  std::string mz = login("mz.wangli");
  std::string wj = login("wj.chenjing");
  std::string inspector = login("mz.liuqiang");
  std::string admin = login("admin");
  auto id = institutionIdByCode(mz, "52360429MJR5T6Y7UC");
  if (id == 0) {
    auto created = as(mz, "POST", "/api/v1/institutions", validRecord("52360429MJR5T6Y7UC", "湖口县证件测试养老院"));
    ASSERT_EQ(created.status, 201) << created.body;
    id = created.json()->getValue<std::int64_t>("id");
  }
  std::string path = "/api/v1/institutions/" + std::to_string(id) + "/legal-rep-id";
  auto plain = as(mz, "GET", path);
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(plain.json()->getValue<std::string>("legal_rep_id_number"), "11010519491231002X");
  EXPECT_EQ(as(wj, "GET", path).status, 403);
  EXPECT_EQ(as(inspector, "GET", path).status, 403);
  auto audit = as(admin, "GET", "/api/v1/admin/audit?action=institution.pii_read&object_id=" + std::to_string(id));
  EXPECT_EQ(audit.json()->getValue<int>("total"), 1);
  // Stored encrypted: the database never holds the number in clear.
  auto lease = database_->pool().acquire();
  auto rows = lease->query("SELECT legal_rep_id_cipher, legal_rep_id_masked FROM institutions WHERE id = ?", id);
  EXPECT_EQ(rows[0].str("legal_rep_id_cipher").find("11010519491231002X"), std::string::npos);
  EXPECT_EQ(rows[0].str("legal_rep_id_masked"), "1101**********002X");
  EXPECT_TRUE(lease->query("SELECT seq FROM audit_log WHERE summary LIKE '%11010519491231002X%'").empty());
}

TEST_F(RegistryApi, SearchByRegionIncludesSubRegionsAndFiltersCapacity) {
  std::string bureau = login("sj.credit");
  auto city = as(bureau, "GET", "/api/v1/institutions?region=360400&page_size=200");
  ASSERT_EQ(city.status, 200);
  auto district = as(bureau, "GET", "/api/v1/institutions?region=360402&page_size=200");
  EXPECT_GT(city.json()->getValue<int>("total"), district.json()->getValue<int>("total"));
  auto big = as(bureau, "GET", "/api/v1/institutions?capacity_min=150&sort=capacity&order=desc");
  auto items = big.json()->getArray("items");
  ASSERT_GE(items->size(), 2u);
  EXPECT_GE(items->getObject(0)->getValue<int>("capacity"), items->getObject(1)->getValue<int>("capacity"));
  for (std::size_t i = 0; i < items->size(); ++i) {
    EXPECT_GE(items->getObject(static_cast<unsigned>(i))->getValue<int>("capacity"), 150);
  }
  auto byName = as(bureau, "GET", "/api/v1/institutions?q=%E6%89%98%E8%82%B2");  // 托育
  ASSERT_EQ(byName.status, 200);
  EXPECT_GE(byName.json()->getValue<int>("total"), 1);
  EXPECT_EQ(as(bureau, "GET", "/api/v1/institutions?region=36").status, 400);
  EXPECT_EQ(as(bureau, "GET", "/api/v1/institutions?sort=secret").status, 400);
  EXPECT_FALSE(byName.json()->getValue<bool>("total_capped"));
  // The deepest page served holds matches 9,981-10,000; one further is refused, naming the parameter.
  EXPECT_EQ(as(bureau, "GET", "/api/v1/institutions?page=500&page_size=20").status, 200);
  auto tooDeep = as(bureau, "GET", "/api/v1/institutions?page=501&page_size=20");
  ASSERT_EQ(tooDeep.status, 400);
  EXPECT_EQ(tooDeep.json()->getObject("error")->getValue<std::string>("field"), "page");
}

TEST_F(RegistryApi, LicencesExpiringWithinDays) {
  std::string bureau = login("sj.credit");
  auto soon = as(bureau, "GET", "/api/v1/licences/expiring?days=3660&region=360400");
  ASSERT_EQ(soon.status, 200) << soon.body;
  auto items = soon.json()->getArray("items");
  ASSERT_GE(items->size(), 1u);
  int previous = -1;
  for (std::size_t i = 0; i < items->size(); ++i) {
    int left = items->getObject(static_cast<unsigned>(i))->getValue<int>("days_left");
    EXPECT_GE(left, previous);
    previous = left;
  }
  EXPECT_EQ(as(bureau, "GET", "/api/v1/licences/expiring?days=-1").status, 400);
}

TEST_F(RegistryApi, PreregisteredInstitutionGetsAnAccountAndFilesItself) {
  std::string mz = login("mz.wangli");
  std::string admin = login("admin");
  auto tooMuch = as(mz, "POST", "/api/v1/institutions?filing_state=unfiled",
                    R"({"credit_code":"52360429MJR5T6Y7UC","name":"湖口县新建养老院","kind":"elderly_institution",
                        "region_code":"360429","capacity":50})");
  EXPECT_EQ(tooMuch.status, 400);
  EXPECT_EQ(tooMuch.json()->getObject("error")->getValue<std::string>("field"), "capacity");
  auto created = as(mz, "POST", "/api/v1/institutions?filing_state=unfiled",
                    R"({"credit_code":"52360429MJQ9W8E7RD","name":"湖口县新建养老院","kind":"elderly_institution",
                        "region_code":"360429"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json()->getValue<std::string>("filing_state"), "unfiled");
  EXPECT_EQ(created.json()->getValue<int>("version"), 0);
  auto id = created.json()->getValue<std::int64_t>("id");
  auto account = as(admin, "POST", "/api/v1/admin/users",
                    R"({"username":"inst.xinjian","display_name":"新建养老院","role":"institution",
                        "password":"Xinjian#2026","institution_id":)" + std::to_string(id) + "}");
  ASSERT_EQ(account.status, 201) << account.body;
  std::string inst = login("inst.xinjian", "Xinjian#2026");
  auto filing = as(inst, "POST", "/api/v1/filings",
                   R"({"kind":"new","record":{"ownership":"public","address":"湖口县双钟镇 9 号",
                       "legal_rep_name":"胡明","legal_rep_id_number":"360402198001011231","capacity":50}})");
  ASSERT_EQ(filing.status, 201) << filing.body;
  auto accepted = as(mz, "POST", "/api/v1/filings/" + std::to_string(filing.json()->getValue<std::int64_t>("id")) +
                                     "/accept");
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  auto now = as(inst, "GET", "/api/v1/institutions/" + std::to_string(id));
  EXPECT_EQ(now.json()->getValue<std::string>("filing_state"), "filed");
  EXPECT_EQ(now.json()->getValue<int>("version"), 1);
}

}  // namespace
}  // namespace cw::testing
