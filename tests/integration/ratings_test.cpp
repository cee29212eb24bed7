// Graded ratings against the real database: reviews flagged from the outbox once per event whichever process
// reads it (and only after the event has settled), drawn panels that never include a member with a conflict
// (declared, or through a registry relation), and scheme versions that never change once used while old ratings
// keep recomputing with their own version.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cw/core/time.hpp"
#include "cw/db/outbox.hpp"
#include "cw/server/app.hpp"
#include "cw/server/seed_demo.hpp"
#include "integration/app_config.hpp"
#include "support/test_db.hpp"

namespace cw {
namespace {

class RatingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = std::filesystem::temp_directory_path() / ("cw-ratings-" + database.name());
    server::Config config = testing::appConfig(database.config(), storage_.string());
    app_ = std::make_unique<server::App>(config, [](const std::string&) {}, &clock_);
    auto seeded = server::seedDemo(*app_);
    ASSERT_TRUE(seeded) << seeded.error().message;
  }
  void TearDown() override {
    app_.reset();
    std::filesystem::remove_all(storage_);
  }

  http::Principal user(const std::string& name) {
    auto lease = app_->pool().acquire();
    auto p = server::demoPrincipal(*lease, name);
    EXPECT_TRUE(p.has_value()) << name;
    return p.value_or(http::Principal{});
  }
  std::int64_t institution(const std::string& name) {
    return app_->pool().acquire()->query("SELECT id FROM institutions WHERE name = ?", name)[0].i64("id");
  }
  std::int64_t publishedRatingOf(std::int64_t institutionId) {
    return app_->pool().acquire()->query("SELECT id FROM ratings WHERE institution_id = ? AND state = 'published'",
                                         institutionId)[0].i64("id");
  }
  std::int64_t count(const std::string& sql, std::int64_t id) { return app_->pool().acquire()->query(sql, id)[0].i64("n"); }

  static std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  testing::TestDatabase database;
  core::ManualClock clock_{std::chrono::system_clock::now()};
  std::filesystem::path storage_;
  std::unique_ptr<server::App> app_;
  audit::Actor actor_ = audit::Actor::system("test", "test");
};

TEST_F(RatingsTest, AnOverdueMajorHazardFlagsTheRatingForReviewOnceAfterTheEventSettles) {
  auto& ratings = app_->ratings();
  std::int64_t yikang = institution("修水县颐康养老服务中心");  // the demo's escalated major fire hazard is there
  std::int64_t sunset = institution("九江市濂溪区夕阳红颐养院");
  std::string now = core::formatSqlDateTime(clock_.now());
  {
    auto lease = app_->pool().acquire();
    db::emitEvent(*lease, {0, "hazard.overdue", "hazard", 900001, sunset, "test:general", R"({"severity":"general"})", ""}, now);
    db::emitEvent(*lease, {0, "hazard.reported", "hazard", 900002, sunset, "test:reported", R"({"severity":"major"})", ""}, now);
  }
  EXPECT_EQ(ratings.followEvents().events, 0) << "events younger than the settling time are not read yet";
  clock_.advance(std::chrono::seconds(db::kOutboxSettleSeconds + 1));

  // Two processes' jobs at once: each event is handled by one of them.
  int reviews = 0;
  std::mutex m;
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&] {
      auto r = app_->ratings().followEvents();
      std::lock_guard lock(m);
      reviews += r.reviews;
    });
  }
  for (auto& t : threads) t.join();
  // The major overdue hazard of 颐康 and the credit demo's blacklisting of 湓城 (credit.blacklisted) lead to a
  // review each; the general hazard and the reported one do not.
  EXPECT_EQ(reviews, 2);
  std::int64_t pencheng = institution("瑞昌市湓城街道综合养老服务中心");
  auto blacklisted = app_->pool().acquire()->query("SELECT review_state, review_reason FROM ratings WHERE id = ?",
                                                  publishedRatingOf(pencheng));
  EXPECT_EQ(blacklisted[0].str("review_state"), "required");
  EXPECT_NE(blacklisted[0].str("review_reason").find("失信联合惩戒对象名单"), std::string::npos);
  EXPECT_EQ(ratings.followEvents().reviews, 0);
  auto flagged = app_->pool().acquire()->query("SELECT review_state, review_reason FROM ratings WHERE id = ?",
                                              publishedRatingOf(yikang));
  EXPECT_EQ(flagged[0].str("review_state"), "required");
  EXPECT_NE(flagged[0].str("review_reason").find("重大隐患逾期未整改"), std::string::npos);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM rating_events WHERE action = 'review_required' AND rating_id = ?",
                  publishedRatingOf(yikang)),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM ratings WHERE review_state = 'required' AND institution_id = ?", sunset), 0);

  // A later major event for 夕阳红 is read from where the cursor stopped.
  {
    auto lease = app_->pool().acquire();
    db::emitEvent(*lease, {0, "hazard.overdue", "hazard", 900003, sunset, "test:major",
                           R"({"severity":"major","catalogue_code":"MA-05","deadline":"2026-01-01"})", ""},
                  core::formatSqlDateTime(clock_.now()));
  }
  clock_.advance(std::chrono::seconds(db::kOutboxSettleSeconds + 1));
  auto later = ratings.followEvents();
  EXPECT_EQ(later.events, 1);
  EXPECT_EQ(later.reviews, 1);

  // The officer closes the review keeping the level; the history keeps both.
  auto officer = user("mz.wangli");
  auto kept = ratings.changeLevel(actor_, officer, publishedRatingOf(sunset), false, "", "隐患已于次日整改完毕，维持等级");
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_EQ(kept->rating.reviewState, "none");
  EXPECT_EQ(kept->events.back().action, "review_closed");
}

TEST_F(RatingsTest, ADrawnPanelLeavesOutEveryMemberWithAConflictDeclaredOrThroughARelation) {
  auto& ratings = app_->ratings();
  auto officer = user("mz.wangli");
  auto admin = user("admin");
  std::int64_t target = institution("九江市柴桑区沙河街敬老院");
  std::int64_t related = institution("九江市濂溪区夕阳红颐养院");
  // Two more evaluators with accounts, so five MZ members can score.
  for (auto [login, name, certificate] : {std::tuple{"mz.e1", "评审甲", "36040020250101"},
                                         std::tuple{"mz.e2", "评审乙", "36040020250102"}}) {
    auth::NewUser u;
    u.username = login;
    u.displayName = name;
    u.role = "inspector";
    u.password = "Jiujiang#2026x";
    u.departmentCode = "MZ";
    u.regionCode = "360400";
    u.certificateNo = certificate;
    auto created = app_->users().create(actor_, u);
    ASSERT_TRUE(created) << created.error().message;
    draws::Inspector in;
    in.userId = created->id;
    in.name = name;
    in.departmentCode = "MZ";
    in.regionCode = "360400";
    in.memberKind = "expert";
    auto member = app_->draws().createInspector(actor_, admin, in);
    ASSERT_TRUE(member) << member.error().message;
  }
  auto inspectorOf = [&](const std::string& login) {
    return app_->pool().acquire()->query("SELECT i.id FROM inspectors i JOIN users u ON u.id = i.user_id WHERE u.username = ?",
                                         login)[0].i64("id");
  };
  std::string today = core::formatDay(core::shanghaiDay(clock_.now()));
  auto lease = app_->pool().acquire();
  auto code = [&](std::int64_t id) { return lease->query("SELECT credit_code FROM institutions WHERE id = ?", id)[0].str("credit_code"); };
  ASSERT_TRUE(app_->draws().declareConflict(actor_, admin, inspectorOf("mz.liuqiang"), code(target), "曾在该院任职", today, std::nullopt));
  ASSERT_TRUE(app_->draws().declareConflict(actor_, admin, inspectorOf("mz.zhoumin"), code(related), "亲属任负责人", today, std::nullopt));
  lease->execute("INSERT INTO institution_relations (institution_id, relation, party_name, related_institution_id, valid_from)"
                 " VALUES (?, 'parent', '夕阳红颐养院', ?, ?)",
                 target, related, today);

  // The institution's account, its application and self-assessment.
  auth::NewUser u;
  u.username = "inst.shahe";
  u.displayName = "沙河街敬老院";
  u.role = "institution";
  u.password = "Jiujiang#2026x";
  u.institutionId = target;
  ASSERT_TRUE(app_->users().create(actor_, u));
  auto inst = user("inst.shahe");
  auto opened = ratings.open(actor_, inst, std::nullopt, std::nullopt);
  ASSERT_TRUE(opened) << opened.error().message;
  auto scheme = ratings.scheme(opened->schemeId);
  ratings::SheetInput self;
  self.submit = true;
  for (const auto& l : scheme->scheme->leaves) self.lines.push_back({l.code, 10, std::nullopt, "", ""});
  for (const auto& v : scheme->scheme->vetoes) self.lines.push_back({v.code, std::nullopt, true, "", ""});
  ASSERT_TRUE(ratings.saveSelfAssessment(actor_, inst, opened->id, self));

  auto candidates = ratings.panelCandidates(officer, opened->id);
  ASSERT_TRUE(candidates);
  std::map<std::string, std::string> conflicts;
  for (const auto& c : *candidates) conflicts[c.name] = c.conflict.value_or("");
  EXPECT_EQ(conflicts["刘强"], "declared");
  EXPECT_EQ(conflicts["周敏"], "related");
  EXPECT_EQ(conflicts["黄涛"], "");

  auto tooMany = ratings.assignPanel(actor_, officer, opened->id, {}, 4);
  ASSERT_FALSE(tooMany);
  EXPECT_EQ(tooMany.error().message, "only 3 members of the department can sit on this panel without a conflict");
  auto named = ratings.assignPanel(actor_, officer, opened->id, {inspectorOf("mz.zhoumin"), inspectorOf("mz.e1"), inspectorOf("mz.e2")}, std::nullopt);
  ASSERT_FALSE(named);
  EXPECT_NE(named.error().message.find("an institution related to this one"), std::string::npos) << named.error().message;
  auto drawn = ratings.assignPanel(actor_, officer, opened->id, {}, 3);
  ASSERT_TRUE(drawn) << drawn.error().message;
  std::set<std::string> members;
  for (const auto& m : drawn->panel) {
    members.insert(m.name);
    EXPECT_EQ(m.assignedHow, "drawn");
  }
  EXPECT_EQ(members, (std::set<std::string>{"黄涛", "评审甲", "评审乙"}));
}

TEST_F(RatingsTest, AUsedSchemeVersionNeverChangesAndOldRatingsKeepTheirOwnVersion) {
  auto& ratings = app_->ratings();
  std::string dir = std::string(CW_SOURCE_DIR) + "/config/rating-schemes/";
  auto elderlyText = read(dir + "gbt37276-2018.json");
  auto childcareText = read(dir + "wst821-2023.json");
  auto file = [](const std::string& path, const std::string& text) {
    auto s = ratings::parseScheme(text);
    EXPECT_TRUE(s) << s.error().message;
    return ratings::SchemeFile{path, text, *s};
  };
  // The same version with a changed text: refused, because ratings use it.
  std::string edited = elderlyText;
  edited.replace(edited.find("\"min_total\": 780"), 16, "\"min_total\": 790");
  auto refused = ratings.installSchemes({file("edited.json", edited), file("c.json", childcareText)});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("GBT37276 version 2018.1 has been used by ratings"), std::string::npos)
      << refused.error().message;

  // A new version installs beside it; the old one becomes inactive; old ratings keep recomputing with theirs.
  std::string next = edited;
  next.replace(next.find("\"version\": \"2018.1\""), 19, "\"version\": \"2018.2\"");
  ASSERT_TRUE(ratings.installSchemes({file("next.json", next), file("c.json", childcareText)}));
  int active = 0;
  for (const auto& s : ratings.schemes()) active += s.active && s.code == "GBT37276";
  EXPECT_EQ(active, 1);
  auto admin = user("admin");
  std::int64_t sunset = publishedRatingOf(institution("九江市濂溪区夕阳红颐养院"));
  auto old = ratings.explain(admin, sunset);
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(old->scheme->version, "2018.1");
  EXPECT_EQ(old->scheme->levels[3].minTotal, 780);
  EXPECT_EQ(old->outcome.level.value_or(""), old->rating.level.value_or("-")) << "recomputed exactly as published";

  // A version no rating uses may still be corrected in place.
  std::string fixed = next;
  fixed.replace(fixed.find("\"min_total\": 790"), 16, "\"min_total\": 785");
  ASSERT_TRUE(ratings.installSchemes({file("fixed.json", fixed), file("c.json", childcareText)}));
  for (const auto& s : ratings.schemes()) {
    if (s.version == "2018.2") {
      EXPECT_EQ(s.scheme->levels[3].minTotal, 785);
    }
  }
  auto opened = ratings.open(actor_, user("mz.wangli"), institution("九江市柴桑区沙河街敬老院"), std::nullopt);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->schemeVersion, "2018.2") << "new ratings use the active version";
}

}  // namespace
}  // namespace cw
