// The authorization matrix: every route the router registers, called over real HTTP by every kind of caller, with
// path parameters that name another institution's objects, against the outcomes declared per route in
// tests/security/authz-matrix.txt. A registered route without a line there, or a line without a route, fails.
//
// Callers: anonymous, admin, officer, inspector, bureau, the institution that owns the objects (康乐, "inst") and
// another institution (小星星, "other"). Outcomes:
//   ok    allowed: a read answers 2xx; a write is neither 401 nor 403 (a 400, 404 or 409 for the test's body is
//         still allowed: what a write may do is the modules' own tests' business)
//   pub   allowed, and the answer may name the owning institution (public or shared information)
//   401   refused: not signed in          403   refused: role or ownership        404   no such object
//   hide  refused: 403 or 404 (the object is not theirs)
//   mine  the inspection task's: "ok" when the calling inspector is assigned in it, else "hide" (the demo's draw is
//         random, so whether 刘强 was drawn for the task differs from seed to seed)
// For the other institution, "ok" also means the answer does not name the owning institution (its code or name).
// Any 5xx fails, whoever calls.

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "api/api_fixture.hpp"
#include "cw/server/app.hpp"

namespace cw::testing {
namespace {

constexpr const char* kOwnerCode = "52360402MJA5K2818A";  // 九江市濂溪区康乐养老院 (inst.kangle)
constexpr const char* kOwnerName = "康乐养老院";
const std::vector<std::string> kCallers{"anon", "admin", "officer", "inspector", "bureau", "inst", "other"};

struct Expectation {
  std::string operation;                  // "GET /api/v1/hazards/{id}"
  std::map<std::string, std::string> by;  // caller -> outcome
  int line = 0;
};

std::vector<Expectation> readMatrix() {
  std::ifstream in(std::string(CW_SOURCE_DIR) + "/tests/security/authz-matrix.txt");
  EXPECT_TRUE(in.good()) << "tests/security/authz-matrix.txt is missing";
  static const std::set<std::string> kOutcomes{"ok", "pub", "401", "403", "404", "hide", "mine"};
  std::vector<Expectation> rows;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string method, pattern;
    words >> method >> pattern;
    Expectation e{method + " " + pattern, {}, number};
    for (const auto& caller : kCallers) {
      std::string outcome;
      words >> outcome;
      EXPECT_TRUE(kOutcomes.count(outcome)) << "authz-matrix.txt line " << number << ": '" << outcome
                                            << "' for " << caller << " is not one of ok, pub, 401, 403, 404, hide, mine";
      e.by[caller] = outcome;
    }
    rows.push_back(std::move(e));
  }
  return rows;
}

class AuthzMatrix : public ApiTest {
 protected:
  HttpReply call(const std::string& token, const std::string& method, const std::string& path,
                 const std::string& body = "", const std::string& contentType = "application/json") {
    std::map<std::string, std::string> headers{{"Content-Type", contentType}};
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return client().request(method, path, body, headers);
  }

  std::string first(const std::string& sql, const std::string& column, const std::string& fallback = "999999") {
    auto lease = database_->pool().acquire();
    auto rows = lease->query(sql);
    return rows.empty() ? fallback : rows[0].str(column);
  }
};

// Objects that belong to the owning institution where it has them (its institution, hazard, evidence, rating,
// watch-list entry, credit entity, filing and document, complaint, credit report), and otherwise an object of
// someone else or an id that does not exist.
struct Objects {
  std::map<std::string, std::string> byPrefix;  // "/api/v1/hazards/{id}" -> value, longest prefix wins
  std::string concrete(const std::string& pattern) const {
    static const std::regex kParam(R"(\{([a-z_0-9]+)\})");
    std::string out;
    std::size_t last = 0;
    for (auto it = std::sregex_iterator(pattern.begin(), pattern.end(), kParam); it != std::sregex_iterator(); ++it) {
      std::size_t end = static_cast<std::size_t>(it->position() + it->length());
      std::string key = pattern.substr(0, end);  // the pattern up to and including this parameter
      std::string value = "999999";
      std::size_t best = 0;
      for (const auto& [prefix, v] : byPrefix) {
        if (key.size() >= prefix.size() && key.compare(key.size() - prefix.size(), prefix.size(), prefix) == 0 &&
            prefix.size() > best) {
          value = v;
          best = prefix.size();
        }
      }
      out += pattern.substr(last, static_cast<std::size_t>(it->position()) - last) + value;
      last = end;
    }
    return out + pattern.substr(last);
  }
};

// What a call sends besides the path, where "{}" would only earn a 400: a query that points the route at the owning
// institution's data, or a well-formed body, so that the answer to the other institution shows the ownership check
// and not the body's validation.
struct Probe {
  std::string query;
  std::string body = "{}";
  std::string contentType = "application/json";
};
const std::map<std::string, Probe> kProbes{
    {"GET /api/v1/credit/check", {std::string("?entity=") + kOwnerCode + "&action=subsidy"}},
    {"GET /api/v1/credit/graph", {std::string("?entity=") + kOwnerCode}},
    {"GET /api/v1/credit/records", {std::string("?entity=") + kOwnerCode}},
    {"GET /api/v1/credit/search", {"?q=%E5%BA%B7%E4%B9%90"}},  // 康乐
    {"GET /api/v1/hazards", {"?q=%E5%BA%B7%E4%B9%90"}},
    {"GET /api/v1/institutions", {"?q=%E5%BA%B7%E4%B9%90"}},
    {"POST /api/v1/filings/{id}/documents",
     {"?name=licence.pdf", "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", "application/pdf"}},
    {"POST /api/v1/hazards/{id}/extend", {"", R"({"days":7,"reason":"需要采购新的消防器材"})"}},
    {"POST /api/v1/hazards/{id}/submit", {"", R"({"note":"已清理消防通道并张贴警示标识"})"}},
    {"PUT /api/v1/ratings/{id}/self-assessment", {"", R"({"lines":[]})"}},
    {"POST /api/v1/ratings/{id}/challenges", {"", R"({"item_code":"1.1","claim":"评分未考虑已整改情况","evidence":"整改照片已上传"})"}},
    {"POST /api/v1/ratings/{id}/withdraw", {"", R"({"reason":"机构申请撤回评定"})"}},
    {"POST /api/v1/credit/lists/{list}/entries/{id}/objection", {"", R"({"objection":"隐患已整改完毕，申请复核"})"}},
    {"POST /api/v1/inspectors/{id}/conflicts", {"", std::string(R"({"credit_code":")") + kOwnerCode + R"(","reason":"亲属在该机构任职","valid_from":"2026-01-01"})"}},
};

TEST_F(AuthzMatrix, EveryRouteAnswersEveryCallerAsDeclared) {
  server::Config config;  // constructing the App does not touch the database
  server::App app(config, nullptr);
  auto matrix = readMatrix();
  std::map<std::string, const Expectation*> declared;
  for (const auto& e : matrix) {
    EXPECT_FALSE(declared.count(e.operation)) << e.operation << " is declared twice (line " << e.line << ")";
    declared[e.operation] = &e;
  }
  std::vector<std::pair<std::string, std::string>> routes;  // method, pattern
  for (const auto& route : app.router().routes()) {
    std::string op = route.method + " " + route.pattern;
    if (!declared.count(op)) {
      ADD_FAILURE() << op << " is registered but has no line in tests/security/authz-matrix.txt";
      continue;
    }
    routes.emplace_back(route.method, route.pattern);
  }
  std::set<std::string> registered;
  for (const auto& [m, p] : routes) registered.insert(m + " " + p);
  for (const auto& e : matrix) {
    EXPECT_TRUE(registered.count(e.operation)) << e.operation << " (line " << e.line << ") is not a registered route";
  }

  // The owner's objects that the seed lacks: a filing with a document, a complaint, a credit report.
  std::map<std::string, std::string> tokens{{"anon", ""}};
  const std::map<std::string, std::string> kUsers{{"admin", "admin"},       {"officer", "mz.wangli"},
                                                  {"inspector", "mz.liuqiang"}, {"bureau", "sj.credit"},
                                                  {"inst", "inst.kangle"},  {"other", "inst.xiaoxingxing"}};
  for (const auto& [caller, user] : kUsers) tokens[caller] = login(user);
  auto filing = client().request(
      "POST", "/api/v1/filings",
      R"({"kind":"new","record":{"ownership":"private_nonprofit","address":"濂溪区莲花镇 1 号",
          "legal_rep_name":"赵刚","legal_rep_id_number":"360402198001011231","capacity":100}})",
      {{"Authorization", "Bearer " + tokens["inst"]}, {"Content-Type", "application/json"}});
  ASSERT_EQ(filing.status, 201) << filing.body;
  std::string filingId = std::to_string(filing.json()->getValue<std::int64_t>("id"));
  auto document = client().request("POST", "/api/v1/filings/" + filingId + "/documents?name=licence.pdf",
                                   "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
                                   {{"Authorization", "Bearer " + tokens["inst"]}, {"Content-Type", "application/pdf"}});
  ASSERT_EQ(document.status, 201) << document.body;
  // Accepted, the filing gives the owner versions to compare.
  auto accepted = call(tokens["officer"], "POST", "/api/v1/filings/" + filingId + "/accept", "{}");
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  std::string owner = first(std::string("SELECT id FROM institutions WHERE credit_code = '") + kOwnerCode + "'", "id");
  auto complaint = client().post("/api/v1/public/complaints",
                                 R"({"institution_id":)" + owner +
                                     R"(,"category":"fire","description":"夜间消防通道被杂物堵塞，安全出口上锁。","contact":"13800001111"})");
  ASSERT_EQ(complaint.status, 201) << complaint.body;
  auto report = call(tokens["inst"], "GET", std::string("/api/v1/credit/entities/") + kOwnerCode + "/report.pdf");
  ASSERT_EQ(report.status, 200) << report.body;

  std::string ownerFilter = "institution_id = " + owner;
  Objects objects;
  auto& v = objects.byPrefix;
  v["/institutions/{id}"] = owner;
  v["/public/institutions/{id}"] = owner;
  v["/admin/users/{id}"] = first("SELECT id FROM users WHERE username = 'mz.huangtao'", "id");  // no caller here
  v["/filings/{id}"] = filingId;
  v["/documents/{sha256}"] = document.json()->getValue<std::string>("sha256");
  v["/jobs/{id}"] = first("SELECT id FROM jobs ORDER BY id LIMIT 1", "id");
  // Another inspector than the calling one (周敏, not 刘强).
  v["/inspectors/{id}"] = first("SELECT i.id FROM inspectors i JOIN users u ON u.id = i.user_id"
                                " WHERE u.username = 'mz.zhoumin'", "id");
  v["/special-lists/{code}"] = first("SELECT code FROM special_lists ORDER BY code LIMIT 1", "code");
  v["/inspection-tasks/{id}"] = first("SELECT task_id FROM draws ORDER BY task_id LIMIT 1", "task_id");
  v["/public/tasks/{id}"] = v["/inspection-tasks/{id}"];
  v["/public/draws/{id}"] = v["/inspection-tasks/{id}"];
  // A result of neither institution that the calling inspector (刘强) is not assigned to, so that it is someone
  // else's for every caller but the staff (the demo's draw is random).
  v["/inspection-results/{id}"] = first(
      "SELECT r.id FROM inspection_results r JOIN institutions ins ON ins.id = r.institution_id"
      " WHERE ins.credit_code NOT IN ('52360402MJA5K2818A', '52360403MJB7Q3914B') AND NOT EXISTS (SELECT 1 FROM draw_assignments a"
      " JOIN inspectors i ON i.id = a.inspector_id JOIN users u ON u.id = i.user_id WHERE a.task_id = r.task_id"
      " AND a.institution_id = r.institution_id AND a.active = 1 AND u.username = 'mz.liuqiang') ORDER BY r.id LIMIT 1",
      "id");
  bool inspectorAssigned =
      first("SELECT CAST(COUNT(*) AS CHAR) AS n FROM draw_assignments a JOIN inspectors i ON i.id = a.inspector_id"
            " JOIN users u ON u.id = i.user_id WHERE a.active = 1 AND u.username = 'mz.liuqiang' AND a.task_id = " +
                v["/inspection-tasks/{id}"],
            "n") != "0";
  v["/hazards/{id}"] = first("SELECT h.id FROM hazards h JOIN hazard_evidence e ON e.hazard_id = h.id WHERE h." +
                                 ownerFilter + " ORDER BY h.id LIMIT 1", "id");
  v["/evidence/{sha256}"] = first("SELECT e.sha256 FROM hazard_evidence e JOIN hazards h ON h.id = e.hazard_id WHERE h." +
                                      ownerFilter + " LIMIT 1", "sha256");
  v["/complaints/{id}"] = first("SELECT id FROM complaints WHERE " + ownerFilter + " LIMIT 1", "id");
  v["/public/complaints/{tracking_code}"] = complaint.json()->getValue<std::string>("tracking_code");
  v["/rating-schemes/{id}"] = first("SELECT id FROM rating_schemes ORDER BY id LIMIT 1", "id");
  v["/ratings/{id}"] = first("SELECT id FROM ratings WHERE " + ownerFilter + " LIMIT 1", "id");
  v["/credit/entities/{code}"] = kOwnerCode;
  v["/credit/lists/{list}"] = "watchlist";
  v["/public/credit/lists/{list}"] = "blacklist";
  v["/entries/{id}"] = first(std::string("SELECT id FROM credit_list_entries WHERE entity_code = '") + kOwnerCode +
                                 "' LIMIT 1", "id");
  v["/credit/feedback/{id}"] = first("SELECT id FROM credit_tasks ORDER BY id LIMIT 1", "id");
  v["/public/credit/reports/{number}"] = report.headers["x-report-number"];
  auto probes = kProbes;
  probes["GET /api/v1/institutions/{id}/diff"].query =
      "?from=" + first("SELECT MIN(version) AS v FROM institution_versions WHERE " + ownerFilter, "v") +
      "&to=" + first("SELECT MAX(version) AS v FROM institution_versions WHERE " + ownerFilter, "v");

  // Reads first, then writes, so that a write (with an empty body) cannot change what a read is judged on.
  std::stable_sort(routes.begin(), routes.end(),
                   [](const auto& a, const auto& b) { return (a.first != "GET") < (b.first != "GET"); });
  int calls = 0;
  std::vector<std::string> failures;
  // What every caller got, for a reader of the matrix (the temporary directory's cw-authz-observed.txt).
  std::ofstream observed(std::filesystem::temp_directory_path() / "cw-authz-observed.txt");
  for (const auto& [method, pattern] : routes) {
    const Expectation& e = *declared[method + " " + pattern];
    Probe probe;
    if (method == "GET" || method == "DELETE") probe.body.clear();
    if (auto found = probes.find(method + " " + pattern); found != probes.end()) probe = found->second;
    std::string path = objects.concrete(pattern) + probe.query;
    observed << method << ' ' << path;
    for (const auto& caller : kCallers) {
      std::string token = tokens[caller];
      // Signing out ends the session it is called with: use one of its own.
      if (pattern == "/api/v1/auth/logout" && caller != "anon") token = login(kUsers.at(caller));
      auto reply = call(token, method, path, probe.body, probe.contentType);
      ++calls;
      std::string want = e.by.at(caller);
      if (want == "mine") want = inspectorAssigned ? "ok" : "hide";
      int s = reply.status;
      observed << ' ' << caller << '=' << s;
      // A read of an existing object must answer; a write may refuse the test's body (400, 404, 409).
      bool allowed = method == "GET" ? (s >= 200 && s < 300) : (s != 401 && s != 403);
      bool ok = s < 500 && ((want == "ok" || want == "pub") ? allowed
                            : want == "401"                  ? s == 401
                            : want == "403"                  ? s == 403
                            : want == "404"                  ? s == 404
                                                             : (s == 403 || s == 404));
      bool names = reply.body.find(kOwnerCode) != std::string::npos ||
                   reply.body.find(kOwnerName) != std::string::npos;
      if (ok && caller == "other" && want == "ok" && names) ok = false;
      if (!ok) {
        failures.push_back(method + " " + path + " as " + caller + ": expected " + want + ", got " +
                           std::to_string(s) + (names && caller == "other" ? " naming the owner" : "") + " " +
                           reply.body.substr(0, 160));
      }
    }
    observed << '\n';
  }
  for (const auto& f : failures) ADD_FAILURE() << f;
  std::cout << "[ matrix ] " << routes.size() << " routes x " << kCallers.size() << " callers = " << calls
            << " calls, " << failures.size() << " not as declared\n";
  // Every route and every caller was tried.
  EXPECT_EQ(static_cast<std::size_t>(calls), routes.size() * kCallers.size());
}

// Identifiers that anyone can look up on the public portal are random, not counters: two issued one after the other
// share almost no characters in place (a counter would differ in one or two).
TEST_F(AuthzMatrix, PublicLookupCodesAreNotSequential) {
  std::string inst = login("inst.kangle");
  auto owner = first(std::string("SELECT id FROM institutions WHERE credit_code = '") + kOwnerCode + "'", "id");
  std::vector<std::string> reports, complaints;
  for (int i = 0; i < 2; ++i) {
    auto r = call(inst, "GET", std::string("/api/v1/credit/entities/") + kOwnerCode + "/report.pdf");
    ASSERT_EQ(r.status, 200) << r.body;
    reports.push_back(r.headers["x-report-number"]);
    auto c = client().post("/api/v1/public/complaints",
                           R"({"institution_id":)" + owner +
                               R"(,"category":"food","description":"午餐饭菜变质，老人反映腹泻。","contact":"13800002222"})");
    ASSERT_EQ(c.status, 201) << c.body;
    complaints.push_back(c.json()->getValue<std::string>("tracking_code"));
  }
  auto samePlaces = [](const std::string& a, const std::string& b) {
    std::size_t same = 0;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) same += a[i] == b[i];
    return same;
  };
  // Report numbers: CRyyyymmdd-<10 random characters>; the date part is shared by design.
  ASSERT_EQ(reports[0].size(), 21u) << reports[0];
  EXPECT_LE(samePlaces(reports[0].substr(11), reports[1].substr(11)), 4u) << reports[0] << " " << reports[1];
  ASSERT_EQ(complaints[0].size(), 16u);
  EXPECT_LE(samePlaces(complaints[0], complaints[1]), 5u) << complaints[0] << " " << complaints[1];
}

}  // namespace
}  // namespace cw::testing
