// Graded ratings over real HTTP against a real database: the whole process for the childcare scheme (self-
// assessment, a panel refused for a conflict then assigned, three score sheets combined by the median, the draft
// one half point below grade A, a challenge upheld that lifts it, confirmation, approval, publication) and who may
// see a draft.

#include <algorithm>
#include <cmath>
#include <map>

#include "api_fixture.hpp"

namespace cw::testing {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

struct Leaf {
  std::string code;
  std::string part;
  int max = 0;
};

class RatingsApi : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    auto env = seededDatabase();
    server_ = new RunningServer(env, "cw-api-ratings-" + database_->name());
  }

  HttpReply as(const std::string& token, const std::string& method, const std::string& path,
               const std::string& body = "") {
    return client().request(method, path, body, {{"Authorization", "Bearer " + token}});
  }

  static void walk(const Object::Ptr& node, const std::string& part, std::vector<Leaf>& out) {
    auto children = node->getArray("children");
    if (!children) {
      out.push_back({node->getValue<std::string>("code"), part, node->getValue<int>("max_points")});
      return;
    }
    for (std::size_t i = 0; i < children->size(); ++i) walk(children->getObject(static_cast<unsigned>(i)), part, out);
  }

  static std::string number(double points) {
    std::ostringstream s;
    s << points;
    return s.str();
  }

  /// {"lines":[...],"submit":...} giving `points[code]` to each leaf and `passed` to each veto.
  static std::string sheet(const std::map<std::string, double>& points, const std::vector<std::string>& vetoes,
                           const std::string& failedVeto, bool submit) {
    std::string lines;
    for (const auto& [code, p] : points) {
      lines += (lines.empty() ? "" : ",") + std::string(R"({"code":")") + code + R"(","points":)" + number(p) +
               R"(,"note":"现场核查"})";
    }
    for (const auto& v : vetoes) {
      lines += (lines.empty() ? "" : ",") + std::string(R"({"code":")") + v + R"(","passed":)" +
               (v == failedVeto ? "false" : "true") + "}";
    }
    return R"({"lines":[)" + lines + R"(],"submit":)" + (submit ? "true" : "false") + "}";
  }

  std::int64_t inspectorIdOf(const std::string& officer, const std::string& name) {
    auto list = as(officer, "GET", "/api/v1/inspectors?department=WJ&page_size=100").json()->getArray("items");
    for (std::size_t i = 0; i < list->size(); ++i) {
      auto o = list->getObject(static_cast<unsigned>(i));
      if (o->getValue<std::string>("name") == name) return o->getValue<std::int64_t>("id");
    }
    ADD_FAILURE() << "no inspector named " << name;
    return 0;
  }
};

TEST_F(RatingsApi, TheWholeProcessRunsToPublicationAndAnUpheldChallengeLiftsTheGrade) {
  std::string inst = login("inst.xiaoxingxing");
  std::string chen = login("wj.chenjing");
  std::string admin = login("admin");

  auto mine = as(inst, "GET", "/api/v1/ratings");
  ASSERT_EQ(mine.status, 200) << mine.body;
  ASSERT_EQ(mine.json()->getArray("items")->size(), 1u);
  auto rating = mine.json()->getArray("items")->getObject(0);
  ASSERT_EQ(rating->getValue<std::string>("state"), "self_assessment");
  std::int64_t id = rating->getValue<std::int64_t>("id");
  std::int64_t institutionId = rating->getValue<std::int64_t>("institution_id");
  std::string path = "/api/v1/ratings/" + std::to_string(id);

  auto scheme = as(inst, "GET", "/api/v1/rating-schemes/" + std::to_string(rating->getValue<std::int64_t>("scheme_id")));
  ASSERT_EQ(scheme.status, 200) << scheme.body;
  EXPECT_EQ(scheme.json()->getValue<std::string>("standard"), "WS/T 821-2023");
  std::vector<Leaf> leaves;
  std::map<std::string, int> partMax;
  auto parts = scheme.json()->getArray("parts");
  for (std::size_t i = 0; i < parts->size(); ++i) {
    auto p = parts->getObject(static_cast<unsigned>(i));
    partMax[p->getValue<std::string>("code")] = p->getValue<int>("max_points");
    walk(p, p->getValue<std::string>("code"), leaves);
  }
  std::vector<std::string> vetoes;
  auto v = scheme.json()->getArray("vetoes");
  for (std::size_t i = 0; i < v->size(); ++i) vetoes.push_back(v->getObject(static_cast<unsigned>(i))->getValue<std::string>("code"));
  ASSERT_EQ(vetoes.size(), 16u);

  // ---- self-assessment: refused lines name the problem, an incomplete submission names the first gap
  std::map<std::string, double> full;
  for (const auto& l : leaves) full[l.code] = l.max;
  EXPECT_EQ(as(inst, "PUT", path + "/self-assessment", sheet({{leaves[0].code, leaves[0].max + 0.5}}, {}, "", false)).status, 400);
  EXPECT_EQ(as(inst, "PUT", path + "/self-assessment", sheet({{leaves[0].code, 1.25}}, {}, "", false)).status, 400);
  EXPECT_EQ(as(inst, "PUT", path + "/self-assessment", sheet({{"9.9.9", 1}}, {}, "", false)).status, 400);
  auto partial = as(inst, "PUT", path + "/self-assessment", sheet({{leaves[0].code, 1}}, {}, "", true));
  EXPECT_EQ(partial.status, 409);
  EXPECT_NE(partial.body.find("not judged yet"), std::string::npos) << partial.body;
  auto selfDone = as(inst, "PUT", path + "/self-assessment", sheet(full, vetoes, "", true));
  ASSERT_EQ(selfDone.status, 200) << selfDone.body;
  EXPECT_EQ(selfDone.json()->getValue<std::string>("state"), "panel");

  // ---- the panel: a fourth WJ evaluator joins the directory; 孙磊 declares a conflict with the institution
  auto user = as(admin, "POST", "/api/v1/admin/users",
                 R"({"username":"wj.fangyu","display_name":"方宇","role":"inspector","password":"Jiujiang#2026x",)"
                 R"("department_code":"WJ","region_code":"360402","certificate_no":"36040220250001"})");
  ASSERT_EQ(user.status, 201) << user.body;
  auto member = as(chen, "POST", "/api/v1/inspectors",
                   R"({"name":"方宇","department_code":"WJ","region_code":"360402","member_kind":"expert",)"
                   R"("expertise":"托育服务","user_id":)" + std::to_string(user.json()->getValue<std::int64_t>("id")) + "}");
  ASSERT_EQ(member.status, 201) << member.body;
  std::int64_t fang = member.json()->getValue<std::int64_t>("id");
  std::int64_t sun = inspectorIdOf(chen, "孙磊");
  std::int64_t zhao = inspectorIdOf(chen, "赵燕");
  std::int64_t shen = inspectorIdOf(chen, "沈虹");
  auto conflict = as(chen, "POST", "/api/v1/inspectors/" + std::to_string(sun) + "/conflicts",
                     R"({"credit_code":"52360403MJB7Q3914B","reason":"配偶在该机构任职","valid_from":"2026-01-01"})");
  ASSERT_EQ(conflict.status, 201) << conflict.body;
  auto candidates = as(chen, "GET", path + "/panel-candidates");
  ASSERT_EQ(candidates.status, 200) << candidates.body;
  bool flagged = false;
  auto items = candidates.json()->getArray("items");
  for (std::size_t i = 0; i < items->size(); ++i) {
    auto c = items->getObject(static_cast<unsigned>(i));
    if (c->getValue<std::int64_t>("inspector_id") == sun) flagged = c->getValue<std::string>("conflict") == "declared";
  }
  EXPECT_TRUE(flagged) << candidates.body;
  auto refused = as(chen, "POST", path + "/panel",
                    R"({"inspector_ids":[)" + std::to_string(sun) + "," + std::to_string(zhao) + "," + std::to_string(shen) + "]}");
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("孙磊 has declared a conflict"), std::string::npos) << refused.body;
  EXPECT_EQ(as(chen, "GET", path).json()->getValue<std::string>("state"), "panel") << "nothing was assigned";
  EXPECT_EQ(as(chen, "GET", path).json()->getArray("panel")->size(), 0u);
  EXPECT_EQ(as(chen, "POST", path + "/panel", R"({"inspector_ids":[)" + std::to_string(zhao) + "]}").status, 400);
  EXPECT_EQ(as(login("mz.wangli"), "POST", path + "/panel", R"({"draw":3})").status, 404) << "another department";
  auto assigned = as(chen, "POST", path + "/panel",
                     R"({"inspector_ids":[)" + std::to_string(zhao) + "," + std::to_string(shen) + "," + std::to_string(fang) + "]}");
  ASSERT_EQ(assigned.status, 200) << assigned.body;
  EXPECT_EQ(assigned.json()->getValue<std::string>("state"), "scoring");

  // ---- who sees the rating while it is scored
  EXPECT_EQ(as(login("inst.kangle"), "GET", path).status, 404) << "another institution";
  EXPECT_EQ(as(login("sj.credit"), "GET", path).status, 404) << "the bureau sees published ratings only";
  EXPECT_EQ(as(login("wj.sunlei"), "GET", path).status, 404) << "not on the panel";
  EXPECT_EQ(as(login("mz.wangli"), "GET", path).status, 404) << "another department";
  EXPECT_EQ(as(login("inst.kangle"), "GET", path + "/explain").status, 404);
  EXPECT_EQ(as(inst, "GET", path + "/explain").status, 409) << "no result before every evaluator has scored";

  // ---- scores: two evaluators agree on a sheet 849.5 points in all (half a point below A); the third gives
  // nothing and fails a basic item. The median is the agreed sheet and the basic item passes (2 of 3).
  const Leaf* challenged = nullptr;
  for (const auto& l : leaves) {
    if (l.max >= 5) {
      challenged = &l;
      break;
    }
  }
  ASSERT_NE(challenged, nullptr);
  std::map<std::string, double> agreed = full;
  agreed[challenged->code] = challenged->max - 5;
  double lost = 150.5 - 5;
  std::map<std::string, double> partLost;
  for (const auto& l : leaves) {
    if (&l == challenged || lost <= 0) continue;
    double room = std::min<double>(l.max, 0.25 * partMax[l.part] - partLost[l.part]);
    double take = std::min(room, lost);
    if (take <= 0) continue;
    agreed[l.code] = l.max - take;
    partLost[l.part] += take;
    lost -= take;
  }
  ASSERT_LE(std::abs(lost), 1e-9) << "the scheme has room to lose 150.5 points while keeping every part at 75%";
  std::map<std::string, double> nothing;
  for (const auto& l : leaves) nothing[l.code] = 0;
  std::string zhaoToken = login("wj.zhaoyan");
  std::string shenToken = login("wj.shenhong");
  std::string fangToken = login("wj.fangyu", "Jiujiang#2026x");
  EXPECT_EQ(as(zhaoToken, "PUT", path + "/scores", sheet({{leaves[0].code, 1}}, {}, "", false)).status, 200);
  auto early = as(zhaoToken, "GET", path).json();
  EXPECT_TRUE(early->isNull("total")) << "an evaluator sees no result while the panel scores";
  ASSERT_EQ(as(zhaoToken, "PUT", path + "/scores", sheet(agreed, vetoes, "", true)).status, 200);
  EXPECT_EQ(as(zhaoToken, "PUT", path + "/scores", sheet(agreed, vetoes, "", true)).status, 409) << "submitted once";
  EXPECT_EQ(as(login("wj.sunlei"), "PUT", path + "/scores", sheet(agreed, vetoes, "", true)).status, 404);
  ASSERT_EQ(as(shenToken, "PUT", path + "/scores", sheet(agreed, vetoes, "", true)).status, 200);
  auto last = as(fangToken, "PUT", path + "/scores", sheet(nothing, vetoes, vetoes[0], true));
  ASSERT_EQ(last.status, 200) << last.body;
  auto draft = last.json();
  EXPECT_EQ(draft->getValue<std::string>("state"), "draft");
  EXPECT_EQ(draft->getValue<double>("total"), 849.5);
  EXPECT_EQ(draft->getValue<std::string>("level"), "B");
  EXPECT_TRUE(draft->getValue<bool>("challenge_window_open"));

  auto explain = as(inst, "GET", path + "/explain");
  ASSERT_EQ(explain.status, 200) << explain.body;
  EXPECT_EQ(explain.json()->getValue<std::string>("decided_by"), "total");
  EXPECT_EQ(explain.json()->getValue<std::string>("next_level"), "A");
  auto need = explain.json()->getArray("next_needs")->getObject(0);
  EXPECT_EQ(need->getValue<std::string>("kind"), "total");
  EXPECT_EQ(need->getValue<double>("missing"), 0.5);
  EXPECT_EQ(explain.json()->getArray("failed_vetoes")->size(), 0u) << "one evaluator of three failed it: it passes";
  auto part = explain.json()->getArray("parts")->getObject(0);
  double share = part->getValue<double>("points") * 100.0 / part->getValue<double>("max_points");
  EXPECT_NEAR(part->getValue<double>("percent"), share, 0.05) << "a part's share is a percentage";

  // ---- what-if changes nothing stored
  auto whatIf = as(inst, "POST", path + "/what-if",
                   R"({"points":{")" + challenged->code + R"(":)" + std::to_string(challenged->max) + "}}");
  ASSERT_EQ(whatIf.status, 200) << whatIf.body;
  EXPECT_EQ(whatIf.json()->getValue<std::string>("level"), "A");
  auto veto = as(inst, "POST", path + "/what-if", R"({"vetoes":{")" + vetoes[3] + R"(":false}})");
  EXPECT_EQ(veto.json()->getValue<std::string>("level"), "D");
  EXPECT_EQ(veto.json()->getValue<std::string>("decided_by"), "veto");
  EXPECT_EQ(as(inst, "GET", path).json()->getValue<std::string>("level"), "B");

  // ---- challenge and answer
  EXPECT_EQ(as(inst, "POST", path + "/challenges", R"({"item_code":"nope","claim":"事实有误请复核","evidence":"见附件"})").status, 400);
  auto filed = as(inst, "POST", path + "/challenges",
                  R"({"item_code":")" + challenged->code +
                      R"(","claim":"评审时该项资料已齐备，评分有误","evidence":"2026年度保育人员培训签到表及证书复印件"})");
  ASSERT_EQ(filed.status, 201) << filed.body;
  EXPECT_EQ(as(inst, "POST", path + "/challenges",
               R"({"item_code":")" + challenged->code + R"(","claim":"再次提出异议","evidence":"同上"})").status, 409);
  std::int64_t cid = filed.json()->getArray("challenges")->getObject(0)->getValue<std::int64_t>("id");
  auto open = as(chen, "POST", path + "/approve", "{}");
  EXPECT_EQ(open.status, 409);
  EXPECT_NE(open.body.find("not answered"), std::string::npos) << open.body;
  std::string answerPath = path + "/challenges/" + std::to_string(cid) + "/answer";
  EXPECT_EQ(as(inst, "POST", answerPath, R"({"decision":"dismissed","answer":"不成立"})").status, 403);
  EXPECT_EQ(as(shenToken, "POST", answerPath, R"({"decision":"upheld","answer":"核实属实"})").status, 400)
      << "an upheld challenge gives the corrected points";
  auto answered = as(shenToken, "POST", answerPath,
                     R"({"decision":"upheld","answer":"经核实培训资料齐全，予以更正","points":)" +
                         std::to_string(challenged->max) + "}");
  ASSERT_EQ(answered.status, 200) << answered.body;
  EXPECT_EQ(answered.json()->getValue<std::string>("level"), "A");
  EXPECT_EQ(answered.json()->getValue<double>("total"), 854.5);
  EXPECT_EQ(as(zhaoToken, "POST", answerPath, R"({"decision":"dismissed","answer":"不成立"})").status, 409);

  // ---- approval: the window is open until the institution confirms; evaluators cannot approve
  auto windowOpen = as(chen, "POST", path + "/approve", "{}");
  EXPECT_EQ(windowOpen.status, 409);
  EXPECT_NE(windowOpen.body.find("unless it confirms"), std::string::npos) << windowOpen.body;
  ASSERT_EQ(as(inst, "POST", path + "/confirm").status, 200);
  EXPECT_EQ(as(inst, "POST", path + "/challenges", R"({"item_code":")" + leaves[1].code +
                                                       R"(","claim":"确认后再提异议","evidence":"无附件"})").status, 409);
  EXPECT_EQ(as(zhaoToken, "POST", path + "/approve", "{}").status, 403);
  auto published = as(chen, "POST", path + "/approve", R"({"note":"同意公布"})");
  ASSERT_EQ(published.status, 200) << published.body;
  auto p = published.json();
  EXPECT_EQ(p->getValue<std::string>("state"), "published");
  EXPECT_EQ(p->getValue<std::string>("current_level"), "A");
  EXPECT_EQ(p->getValue<int>("age_days"), 0);
  EXPECT_GE(p->getValue<int>("days_to_expiry"), 1095) << "valid three years";
  EXPECT_LE(p->getValue<int>("days_to_expiry"), 1096);
  std::vector<std::string> actions;
  auto events = p->getArray("events");
  for (std::size_t i = 0; i < events->size(); ++i) actions.push_back(events->getObject(static_cast<unsigned>(i))->getValue<std::string>("action"));
  EXPECT_EQ(actions, (std::vector<std::string>{"applied", "self_assessed", "panel_assigned", "scored", "scored", "scored",
                                               "draft", "challenged", "challenge_upheld", "confirmed", "published"}));

  // ---- the public view: level, date, age and the explanation summary; nothing internal
  auto pub = client().get("/api/v1/public/institutions/" + std::to_string(institutionId) + "/rating");
  ASSERT_EQ(pub.status, 200) << pub.body;
  EXPECT_EQ(pub.json()->getObject("rating")->getValue<std::string>("level"), "A");
  EXPECT_EQ(pub.json()->getObject("rating")->getValue<int>("age_days"), 0);
  EXPECT_EQ(pub.json()->getArray("parts")->size(), 7u);
  for (const char* internal : {"赵燕", "沈虹", "现场核查", "panel", "notes", "培训签到表"}) {
    EXPECT_EQ(pub.body.find(internal), std::string::npos) << internal;
  }
  EXPECT_EQ(as(login("sj.credit"), "GET", path).status, 200) << "the bureau sees it once published";

  auto audit = as(admin, "GET", "/api/v1/admin/audit?object_id=" + p->getValue<std::string>("reference") + "&page_size=100");
  ASSERT_EQ(audit.status, 200) << audit.body;
  for (const char* action : {"rating.self_assess", "rating.panel", "rating.score", "rating.draft", "rating.challenge",
                             "rating.answer", "rating.confirm", "rating.approve"}) {
    EXPECT_NE(audit.body.find(std::string("\"") + action + "\""), std::string::npos) << action;
  }
  auto lease = database_->pool().acquire();
  auto outbox = lease->query("SELECT topic, payload FROM domain_events WHERE aggregate_type = 'rating' AND aggregate_id = ?", id);
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0].str("topic"), "rating.published");
  EXPECT_NE(outbox[0].str("payload").find("\"level\":\"A\""), std::string::npos) << outbox[0].str("payload");
}

TEST_F(RatingsApi, AnInstitutionAppliesOnceAtATimeAndOnlyForItself) {
  std::string kangle = login("inst.kangle");
  auto again = as(kangle, "POST", "/api/v1/ratings", "{}");
  EXPECT_EQ(again.status, 409) << "康乐养老院 has a draft in progress";
  EXPECT_NE(again.body.find("in progress"), std::string::npos) << again.body;
  auto lease = database_->pool().acquire();
  auto other = lease->query("SELECT id FROM institutions WHERE name = '九江市柴桑区沙河街敬老院'")[0].i64("id");
  EXPECT_EQ(as(kangle, "POST", "/api/v1/ratings", R"({"institution_id":)" + std::to_string(other) + "}").status, 403);
  EXPECT_EQ(as(login("wj.chenjing"), "POST", "/api/v1/ratings", R"({"institution_id":)" + std::to_string(other) + "}").status, 400)
      << "an elderly-care institution is not the health department's";
  auto opened = as(login("mz.wangli"), "POST", "/api/v1/ratings", R"({"institution_id":)" + std::to_string(other) + "}");
  ASSERT_EQ(opened.status, 201) << opened.body;
  EXPECT_EQ(opened.json()->getValue<std::string>("scheme_code"), "GBT37276");
  EXPECT_EQ(opened.json()->getValue<std::string>("state"), "self_assessment");
  EXPECT_EQ(as(login("mz.liuqiang"), "POST", "/api/v1/ratings", "{}").status, 403) << "inspectors do not open ratings";
}

TEST_F(RatingsApi, SchemesArePublicAndTheListsShowAgeAndExpiry) {
  auto schemes = client().get("/api/v1/rating-schemes");
  ASSERT_EQ(schemes.status, 200) << schemes.body;
  EXPECT_EQ(schemes.json()->getArray("items")->size(), 2u);
  std::string wang = login("mz.wangli");
  auto expiring = as(wang, "GET", "/api/v1/ratings?expiring_within_days=90");
  ASSERT_EQ(expiring.status, 200) << expiring.body;
  auto items = expiring.json()->getArray("items");
  ASSERT_GE(items->size(), 1u);
  auto first = items->getObject(0);
  EXPECT_EQ(first->getValue<std::string>("institution_name"), "九江市浔阳区甘棠社区日间照料中心");
  EXPECT_LE(first->getValue<int>("days_to_expiry"), 90);
  EXPECT_GE(first->getValue<int>("age_days"), 1000);
  auto stats = as(wang, "GET", "/api/v1/ratings/stats");
  ASSERT_EQ(stats.status, 200) << stats.body;
  EXPECT_GE(stats.json()->getArray("items")->size(), 3u);
  EXPECT_EQ(stats.body.find("WST821"), std::string::npos) << "the civil affairs officer counts elderly care only";
  auto board = client().get("/api/v1/public/ratings?q=" + std::string("%E7%99%BD%E9%B9%BF"));  // 白鹿
  ASSERT_EQ(board.status, 200) << board.body;
  ASSERT_EQ(board.json()->getArray("items")->size(), 1u);
  EXPECT_EQ(board.json()->getArray("items")->getObject(0)->getValue<std::string>("level"), "D");
  EXPECT_EQ(as(login("inst.kangle"), "GET", "/api/v1/ratings/stats").status, 403);
}

TEST_F(RatingsApi, APublishedLevelCanOnlyGoDownWithAReasonAndIsRecorded) {
  std::string wang = login("mz.wangli");
  auto list = as(wang, "GET", "/api/v1/ratings?state=published&page_size=50").json()->getArray("items");
  std::int64_t id = 0;
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto o = list->getObject(static_cast<unsigned>(i));
    if (o->getValue<std::string>("institution_name") == "九江市濂溪区夕阳红颐养院") id = o->getValue<std::int64_t>("id");
  }
  ASSERT_GT(id, 0);
  std::string path = "/api/v1/ratings/" + std::to_string(id) + "/level";
  EXPECT_EQ(as(wang, "POST", path, R"({"action":"downgrade","level":"L5","reason":"测试升级"})").status, 400);
  EXPECT_EQ(as(wang, "POST", path, R"({"action":"downgrade","level":"L3"})").status, 400) << "a reason is required";
  EXPECT_EQ(as(wang, "POST", path, R"({"action":"keep","reason":"无需复核的情况"})").status, 409) << "no review open";
  auto down = as(wang, "POST", path, R"({"action":"downgrade","level":"L3","reason":"发生重大安全隐患逾期未整改"})");
  ASSERT_EQ(down.status, 200) << down.body;
  EXPECT_EQ(down.json()->getValue<std::string>("current_level"), "L3");
  EXPECT_EQ(down.json()->getValue<std::string>("level"), "L4") << "the published level stays on record";
  auto events = down.json()->getArray("events");
  auto lastEvent = events->getObject(static_cast<unsigned>(events->size() - 1));
  EXPECT_EQ(lastEvent->getValue<std::string>("action"), "downgraded");
  EXPECT_EQ(lastEvent->getValue<std::string>("from_level"), "L4");
  EXPECT_EQ(lastEvent->getValue<std::string>("note"), "发生重大安全隐患逾期未整改");
  EXPECT_EQ(as(login("mz.liuqiang"), "POST", path, R"({"action":"downgrade","level":"L2","reason":"无权操作测试"})").status, 403);
}

}  // namespace
}  // namespace cw::testing
