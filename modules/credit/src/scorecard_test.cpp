#include "cw/credit/scorecard.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <gtest/gtest.h>

#include <fstream>
#include <numeric>
#include <sstream>

namespace cw::credit {
namespace {

using namespace std::chrono;

// A small valid scorecard. Figures chosen so that decay and caps give easily checked integers.
const char* kSmall = R"({
  "id": "test-card", "version": "1", "title": "测试评分卡", "notes": "unit test",
  "base": 1000, "min": 0, "max": 1200, "decay_floor_percent": 50, "max_deduction": 300, "max_bonus": 100,
  "kind_caps": {"inspection_clean": 25},
  "items": [
    {"kind": "penalty", "severity": "general", "points": -60, "label": "一般行政处罚"},
    {"kind": "penalty", "severity": "serious", "points": -200, "label": "严重行政处罚"},
    {"kind": "inspection_clean", "severity": "*", "points": 10, "label": "检查未发现问题"},
    {"kind": "commendation", "severity": "*", "points": 80, "label": "表彰"}
  ],
  "bands": [
    {"grade": "A", "min": 1050, "draw_tier": "A", "label": "诚信"},
    {"grade": "B", "min": 950, "draw_tier": "B", "label": "守信"},
    {"grade": "C", "min": 800, "draw_tier": "C", "label": "基本守信"},
    {"grade": "D", "min": 0, "draw_tier": "D", "label": "失信"}
  ],
  "list_effects": [
    {"list": "blacklist", "max_grade": "D"},
    {"list": "watchlist", "max_grade": "C"},
    {"list": "redlist", "min_grade": "B"}
  ]})";

const core::Day kToday = sys_days{year{2026} / 6 / 1};

core::Day in(int n) { return kToday + days{n}; }

Poco::JSON::Object::Ptr tree(const std::string& text) {
  return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::string text(const Poco::JSON::Object::Ptr& o) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(o, out);
  return out.str();
}

std::string refusal(const std::string& json) {
  auto c = parseScorecard(json);
  return c.ok() ? std::string("(accepted)") : c.error().message;
}

Poco::JSON::Object::Ptr element(const Poco::JSON::Object::Ptr& root, const std::string& array, unsigned i) {
  return root->getArray(array)->getObject(i);
}

Scorecard small() {
  auto c = parseScorecard(kSmall);
  if (!c) throw std::runtime_error(c.error().message);
  return *c;
}

ScoredRecord record(std::int64_t id, std::string kind, std::string severity, core::Day decidedOn,
                    core::Day publishUntil) {
  ScoredRecord r;
  r.id = id;
  r.kind = std::move(kind);
  r.severity = std::move(severity);
  r.title = "记录 " + std::to_string(id);
  r.decidedOn = decidedOn;
  r.publishUntil = publishUntil;
  return r;
}

int countedSum(const Score& s) {
  return std::accumulate(s.lines.begin(), s.lines.end(), 0,
                         [](int sum, const ScoreLine& l) { return sum + l.countedPoints; });
}

// ---- parsing ----

TEST(Scorecard, ASmallScorecardLoadsWithEveryField) {
  auto c = parseScorecard(kSmall);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->id, "test-card");
  EXPECT_EQ(c->title, "测试评分卡");
  EXPECT_EQ(c->maxDeduction, 300);
  EXPECT_EQ(c->kindCaps.at("inspection_clean"), 25);
  ASSERT_EQ(c->items.size(), 4u);
  ASSERT_EQ(c->bands.size(), 4u);
  EXPECT_EQ(c->bands[2].drawTier, "C");
  ASSERT_EQ(c->listEffects.size(), 3u);
  EXPECT_EQ(c->listEffects[2].minGrade, std::optional<std::string>("B"));
  EXPECT_FALSE(c->listEffects[2].maxGrade);
}

TEST(Scorecard, ItemLookupPrefersTheExactSeverityThenTheWildcard) {
  auto c = small();
  EXPECT_EQ(c.item("penalty", "serious")->points, -200);
  EXPECT_EQ(c.item("inspection_clean", "minor")->points, 10);
  EXPECT_EQ(c.item("penalty", "minor"), nullptr);
  EXPECT_EQ(c.item("unknown", "general"), nullptr);
  c.items.push_back({"inspection_clean", "serious", 3, "x"});
  EXPECT_EQ(c.item("inspection_clean", "serious")->points, 3);
}

TEST(Scorecard, TheShippedScorecardParses) {
  std::ifstream in(std::string(CW_SOURCE_DIR) + "/config/credit-scorecard.json", std::ios::binary);
  ASSERT_TRUE(in) << "config/credit-scorecard.json not found";
  std::ostringstream content;
  content << in.rdbuf();
  auto c = parseScorecard(content.str());
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->id, "jiujiang-credit");
  EXPECT_EQ(c->version, "2026.1");
  EXPECT_EQ(c->base, 1000);
  EXPECT_EQ(c->maxScore, 1200);
  ASSERT_EQ(c->bands.size(), 4u);
  EXPECT_EQ(c->bands[0].grade, "A");
  EXPECT_EQ(c->bands[3].minScore, 0);
  EXPECT_EQ(c->item("penalty", "general")->points, -60);
  EXPECT_EQ(c->item("inspection_clean", "minor")->points, 10);
  EXPECT_EQ(c->item("court_defaulter", "serious")->points, -300);
  EXPECT_EQ(c->kindCaps.at("hazard_verified_on_time"), 30);
  EXPECT_EQ(computeScore(*c, {}, {"blacklist"}, kToday).grade, "D");
  EXPECT_EQ(computeScore(*c, {}, {"watchlist"}, kToday).grade, "C");
}

TEST(Scorecard, TextThatIsNotAJsonObjectIsRefused) {
  EXPECT_EQ(refusal("[1, 2]"), "credit scorecard: $: not a JSON object");
  EXPECT_NE(refusal("{\"id\": ").find("credit scorecard: $: not a JSON object"), std::string::npos);
  auto c = parseScorecard("{");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_EQ(c.error().field, "scorecard");
}

TEST(Scorecard, AnUnknownKeyIsRefusedWithItsPath) {
  auto root = tree(kSmall);
  root->set("decay_floor", 10);
  EXPECT_EQ(refusal(text(root)).rfind("credit scorecard: $.decay_floor: unknown key", 0), 0u) << refusal(text(root));

  root = tree(kSmall);
  element(root, "items", 1)->set("pionts", 5);
  EXPECT_EQ(refusal(text(root)).rfind("credit scorecard: $.items[1].pionts: unknown key", 0), 0u);

  root = tree(kSmall);
  element(root, "bands", 3)->set("tier", "D");
  EXPECT_EQ(refusal(text(root)).rfind("credit scorecard: $.bands[3].tier: unknown key", 0), 0u);
}

TEST(Scorecard, AMissingFieldIsNamed) {
  auto root = tree(kSmall);
  root->remove("max_bonus");
  EXPECT_EQ(refusal(text(root)), "credit scorecard: $.max_bonus: missing or not a whole number");
  root = tree(kSmall);
  root->remove("bands");
  EXPECT_EQ(refusal(text(root)), "credit scorecard: $.bands: missing");
  root = tree(kSmall);
  element(root, "items", 0)->remove("label");
  EXPECT_EQ(refusal(text(root)), "credit scorecard: $.items[0].label: missing or not a string");
}

TEST(Scorecard, FieldsOfTheWrongTypeAreRefused) {
  for (const char* value : {"1.5", "true", "\"10\"", "null"}) {
    auto root = tree(kSmall);
    element(root, "items", 2)->set("points", tree(std::string("{\"v\": ") + value + "}")->get("v"));
    EXPECT_EQ(refusal(text(root)), "credit scorecard: $.items[2].points: missing or not a whole number") << value;
  }
  auto root = tree(kSmall);
  root->set("title", 5);
  EXPECT_EQ(refusal(text(root)), "credit scorecard: $.title: missing or not a string");
  root = tree(kSmall);
  root->set("items", "none");
  EXPECT_EQ(refusal(text(root)), "credit scorecard: $.items: not an array");
  root = tree(kSmall);
  root->set("kind_caps", 5);
  EXPECT_EQ(refusal(text(root)), "credit scorecard: $.kind_caps: not an object");
  root = tree(kSmall);
  root->set("kind_caps", tree(R"({"inspection_clean": -1})"));
  EXPECT_EQ(refusal(text(root)), "credit scorecard: $.kind_caps.inspection_clean: -1 is outside 0..1000000");
  root = tree(kSmall);
  root->set("kind_caps", tree(R"({"inspection_clean": "25"})"));
  EXPECT_EQ(refusal(text(root)), "credit scorecard: $.kind_caps.inspection_clean: missing or not a whole number");
}

TEST(Scorecard, BaseMustLieBetweenMinAndMax) {
  auto root = tree(kSmall);
  root->set("base", 1201);
  EXPECT_EQ(refusal(text(root)), "credit scorecard: $.base: 1201 is outside 0..1200");
  root = tree(kSmall);
  root->set("max", 0);
  EXPECT_EQ(refusal(text(root)), "credit scorecard: $.max: 0 is not above min 0");
  root = tree(kSmall);
  root->set("decay_floor_percent", 101);
  EXPECT_EQ(refusal(text(root)), "credit scorecard: $.decay_floor_percent: 101 is outside 0..100");
}

TEST(Scorecard, ItemsNeedAKnownSeverityAndMayNotRepeat) {
  auto root = tree(kSmall);
  element(root, "items", 1)->set("severity", "grave");
  EXPECT_EQ(refusal(text(root)),
            "credit scorecard: $.items[1].severity: \"grave\" is not one of minor, general, serious, *");
  root = tree(kSmall);
  element(root, "items", 1)->set("severity", "general");
  EXPECT_EQ(refusal(text(root)), "credit scorecard: $.items[1]: penalty with severity general appears twice");
  root = tree(kSmall);
  element(root, "items", 0)->set("kind", "Penalty");
  EXPECT_NE(refusal(text(root)).find("$.items[0].kind: \"Penalty\" is not"), std::string::npos);
}

TEST(Scorecard, AKindCapMustNameAScoredKind) {
  auto root = tree(kSmall);
  root->set("kind_caps", tree(R"({"inspection_cleen": 25})"));
  EXPECT_EQ(refusal(text(root)),
            "credit scorecard: $.kind_caps.inspection_cleen: no item has kind \"inspection_cleen\"");
}

TEST(Scorecard, BandsMustDescendStrictlyAndCoverTheMinimum) {
  auto root = tree(kSmall);
  element(root, "bands", 2)->set("min", 950);
  EXPECT_EQ(refusal(text(root)),
            "credit scorecard: $.bands[2].min: bands go from highest to lowest: 950 is not below B's 950");
  root = tree(kSmall);
  element(root, "bands", 3)->set("min", 1);
  EXPECT_EQ(refusal(text(root)),
            "credit scorecard: $.bands[3].min: the lowest band must start at or below min 0, not at 1");
  root = tree(kSmall);
  element(root, "bands", 0)->set("min", 1300);
  EXPECT_EQ(refusal(text(root)), "credit scorecard: $.bands[0].min: 1300 is outside -1000000..1200");
  root = tree(kSmall);
  element(root, "bands", 1)->set("grade", "A");
  EXPECT_EQ(refusal(text(root)), "credit scorecard: $.bands[1].grade: \"A\" appears twice");
}

TEST(Scorecard, ADrawTierOutsideAToDIsRefused) {
  auto root = tree(kSmall);
  element(root, "bands", 3)->set("draw_tier", "E");
  EXPECT_EQ(refusal(text(root)), "credit scorecard: $.bands[3].draw_tier: \"E\" is not one of A, B, C, D");
}

TEST(Scorecard, ListEffectsMustNameKnownListsAndGrades) {
  auto root = tree(kSmall);
  element(root, "list_effects", 1)->set("max_grade", "E");
  EXPECT_EQ(refusal(text(root)),
            "credit scorecard: $.list_effects[1].max_grade: \"E\" is not one of the bands' grades");
  root = tree(kSmall);
  element(root, "list_effects", 0)->set("list", "greylist");
  EXPECT_EQ(refusal(text(root)),
            "credit scorecard: $.list_effects[0].list: \"greylist\" is not one of blacklist, watchlist, redlist");
  root = tree(kSmall);
  element(root, "list_effects", 1)->set("list", "blacklist");
  EXPECT_EQ(refusal(text(root)), "credit scorecard: $.list_effects[1].list: \"blacklist\" appears twice");
  root = tree(kSmall);
  element(root, "list_effects", 2)->remove("min_grade");
  EXPECT_EQ(refusal(text(root)), "credit scorecard: $.list_effects[2]: needs max_grade or min_grade");
  root = tree(kSmall);
  element(root, "list_effects", 1)->set("min_grade", "B");
  EXPECT_EQ(refusal(text(root)), "credit scorecard: $.list_effects[1].min_grade: B is better than max_grade C");
}

// ---- scoring ----

TEST(Score, WithNoRecordsTheScoreIsTheBase) {
  auto s = computeScore(small(), {}, {}, kToday);
  EXPECT_EQ(s.scorecardId, "test-card");
  EXPECT_EQ(s.scorecardVersion, "1");
  EXPECT_EQ(s.base, 1000);
  EXPECT_EQ(s.total, 1000);
  EXPECT_EQ(s.bandGrade, "B");
  EXPECT_EQ(s.grade, "B");
  EXPECT_EQ(s.drawTier, "B");
  EXPECT_EQ(s.gradeLabel, "守信");
  EXPECT_TRUE(s.lines.empty());
  EXPECT_TRUE(s.listNotes.empty());
  EXPECT_FALSE(s.nextChange);
}

TEST(Score, ARecordCountsInFullOnItsDecisionDay) {
  auto s = computeScore(small(), {record(1, "penalty", "general", kToday, in(100))}, {}, kToday);
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].fullPoints, -60);
  EXPECT_EQ(s.lines[0].decayedPoints, -60);
  EXPECT_EQ(s.lines[0].countedPoints, -60);
  EXPECT_EQ(s.lines[0].daysLeft, 100);
  EXPECT_EQ(s.lines[0].itemLabel, "一般行政处罚");
  EXPECT_EQ(s.lines[0].title, "记录 1");
  EXPECT_EQ(s.lines[0].note, "");
  EXPECT_EQ(s.total, 940);
}

TEST(Score, HalfwayThroughItsWindowARecordCountsHalfwayToTheFloor) {
  // 100 - 50 * 50/100 = 75 %
  auto s = computeScore(small(), {record(1, "penalty", "general", in(-50), in(50))}, {}, kToday);
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].decayedPoints, -45);
  EXPECT_EQ(s.lines[0].daysLeft, 50);
  EXPECT_EQ(s.total, 955);
}

TEST(Score, OnTheLastDayOfItsWindowARecordNearlyReachesTheFloorRoundedTowardZero) {
  // -60 * (100 - 50 * 99/100) % = -30.3 -> -30 (toward zero, not -31); +10 * 50.5 % = 5.05 -> 5.
  auto s = computeScore(small(),
                        {record(1, "penalty", "general", in(-99), in(1)),
                         record(2, "inspection_clean", "minor", in(-99), in(1))},
                        {}, kToday);
  ASSERT_EQ(s.lines.size(), 2u);
  EXPECT_EQ(s.lines[0].decayedPoints, -30);
  EXPECT_EQ(s.lines[0].daysLeft, 1);
  EXPECT_EQ(s.lines[1].decayedPoints, 5);
  EXPECT_EQ(s.total, 975);
}

TEST(Score, WithoutDecayARecordCountsInFullUntilItsWindowEnds) {
  auto card = small();
  card.decayFloorPercent = 100;
  auto s = computeScore(card, {record(1, "penalty", "general", in(-99), in(1))}, {}, kToday);
  EXPECT_EQ(s.lines[0].decayedPoints, -60);
}

TEST(Score, ARecordWhoseWindowHasEndedIsOmitted) {
  auto s = computeScore(small(), {record(1, "penalty", "serious", in(-100), kToday)}, {}, kToday);
  EXPECT_TRUE(s.lines.empty());
  EXPECT_EQ(s.total, 1000);
}

TEST(Score, AFutureRecordIsListedButCountsNothing) {
  auto s = computeScore(small(), {record(1, "penalty", "serious", in(3), in(300))}, {}, kToday);
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].fullPoints, -200);
  EXPECT_EQ(s.lines[0].decayedPoints, 0);
  EXPECT_EQ(s.lines[0].countedPoints, 0);
  EXPECT_EQ(s.lines[0].note, "outside its publication window: counts from 2026-06-04");
  EXPECT_EQ(s.total, 1000);
  EXPECT_EQ(s.nextChange, in(3));
}

TEST(Score, ARecordWithoutAScorecardItemIsExplainedAndCountsNothing) {
  auto s = computeScore(small(), {record(1, "penalty", "minor", in(-1), in(10))}, {}, kToday);
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].fullPoints, 0);
  EXPECT_EQ(s.lines[0].countedPoints, 0);
  EXPECT_EQ(s.lines[0].itemLabel, "");
  EXPECT_EQ(s.lines[0].note, "no scorecard item for penalty / minor");
  EXPECT_EQ(s.total, 1000);
  EXPECT_FALSE(s.nextChange);  // its window end changes nothing
}

TEST(Score, LinesAreOrderedLatestDecisionFirstThenById) {
  auto s = computeScore(small(),
                        {record(5, "penalty", "general", in(-10), in(100)),
                         record(9, "penalty", "general", in(-2), in(100)),
                         record(3, "penalty", "general", in(-2), in(100)),
                         record(7, "penalty", "general", in(-30), in(100))},
                        {}, kToday);
  ASSERT_EQ(s.lines.size(), 4u);
  EXPECT_EQ(s.lines[0].recordId, 3);
  EXPECT_EQ(s.lines[1].recordId, 9);
  EXPECT_EQ(s.lines[2].recordId, 5);
  EXPECT_EQ(s.lines[3].recordId, 7);
}

TEST(Score, AKindCapReducesTheEarliestRecordsOfThatKind) {
  auto card = small();
  card.decayFloorPercent = 100;
  auto s = computeScore(card,
                        {record(1, "inspection_clean", "*", in(-3), in(100)),
                         record(2, "inspection_clean", "*", in(-1), in(100)),
                         record(3, "inspection_clean", "*", in(-2), in(100))},
                        {}, kToday);
  ASSERT_EQ(s.lines.size(), 3u);
  EXPECT_EQ(s.lines[0].recordId, 2);
  EXPECT_EQ(s.lines[0].countedPoints, 10);
  EXPECT_EQ(s.lines[0].note, "");
  EXPECT_EQ(s.lines[1].countedPoints, 10);
  EXPECT_EQ(s.lines[2].recordId, 1);
  EXPECT_EQ(s.lines[2].decayedPoints, 10);
  EXPECT_EQ(s.lines[2].countedPoints, 5);
  EXPECT_EQ(s.lines[2].note, "capped: inspection_clean limited to 25 in all");
  EXPECT_EQ(s.total, 1025);
}

TEST(Score, AKindCapOnAMixedKindLandsTheNetSumExactlyOnTheCap) {
  auto card = small();
  card.decayFloorPercent = 100;
  card.items.push_back({"inspection_clean", "serious", -30, "x"});
  std::vector<ScoredRecord> records{record(1, "inspection_clean", "serious", in(-10), in(100))};
  for (int i = 2; i <= 7; ++i) records.push_back(record(i, "inspection_clean", "*", in(-i), in(100)));
  auto s = computeScore(card, records, {}, kToday);
  ASSERT_EQ(s.lines.size(), 7u);
  EXPECT_EQ(s.lines[5].recordId, 7);
  EXPECT_EQ(s.lines[5].countedPoints, 5);  // 6 x 10 - 30 = 30 > 25: the earliest bonus gives up 5
  EXPECT_EQ(s.lines[6].countedPoints, -30);
  EXPECT_EQ(countedSum(s), 25);
}

TEST(Score, TheDeductionCapReducesTheEarliestDeductions) {
  auto card = small();
  card.decayFloorPercent = 100;
  auto s = computeScore(card,
                        {record(1, "penalty", "serious", in(-20), in(100)),
                         record(2, "penalty", "serious", in(-10), in(100)),
                         record(3, "penalty", "general", in(-30), in(100)),
                         record(4, "commendation", "general", in(-40), in(100))},
                        {}, kToday);
  ASSERT_EQ(s.lines.size(), 4u);
  EXPECT_EQ(s.lines[0].countedPoints, -200);
  EXPECT_EQ(s.lines[1].countedPoints, -100);
  EXPECT_EQ(s.lines[1].note, "capped: deductions limited to 300");
  EXPECT_EQ(s.lines[2].countedPoints, 0);
  EXPECT_EQ(s.lines[2].decayedPoints, -60);
  EXPECT_EQ(s.lines[2].note, "capped: deductions limited to 300");
  EXPECT_EQ(s.lines[3].countedPoints, 80);  // bonuses are capped separately
  EXPECT_EQ(s.total, 1000 - 300 + 80);
}

TEST(Score, TheBonusCapReducesTheEarliestBonuses) {
  auto card = small();
  card.decayFloorPercent = 100;
  auto s = computeScore(card,
                        {record(1, "commendation", "general", in(-20), in(100)),
                         record(2, "commendation", "general", in(-10), in(100))},
                        {}, kToday);
  EXPECT_EQ(s.lines[0].countedPoints, 80);
  EXPECT_EQ(s.lines[1].countedPoints, 20);
  EXPECT_EQ(s.lines[1].note, "capped: bonuses limited to 100");
  EXPECT_EQ(s.total, 1100);
  EXPECT_EQ(s.grade, "A");
}

TEST(Score, TheTotalIsClampedToTheScorecardRange) {
  auto card = small();
  card.decayFloorPercent = 100;
  card.maxDeduction = 5000;
  std::vector<ScoredRecord> records;
  for (int i = 1; i <= 6; ++i) records.push_back(record(i, "penalty", "serious", in(-i), in(100)));
  auto s = computeScore(card, records, {}, kToday);
  EXPECT_EQ(countedSum(s), -1200);
  EXPECT_EQ(s.total, 0);
  EXPECT_EQ(s.grade, "D");

  card.base = 1190;
  card.maxBonus = 5000;
  s = computeScore(card, {record(1, "commendation", "serious", in(-1), in(100))}, {}, kToday);
  EXPECT_EQ(s.total, 1200);
}

TEST(Score, ABandStartsExactlyAtItsMinimum) {
  auto card = small();
  auto gradeAt = [&](int base) {
    card.base = base;
    return computeScore(card, {}, {}, kToday).grade;
  };
  EXPECT_EQ(gradeAt(1200), "A");
  EXPECT_EQ(gradeAt(1050), "A");
  EXPECT_EQ(gradeAt(1049), "B");
  EXPECT_EQ(gradeAt(950), "B");
  EXPECT_EQ(gradeAt(949), "C");
  EXPECT_EQ(gradeAt(800), "C");
  EXPECT_EQ(gradeAt(799), "D");
  EXPECT_EQ(gradeAt(0), "D");
}

TEST(Score, TheBlacklistLimitsTheGradeToDEvenWithAHighScore) {
  auto card = small();
  card.base = 1150;
  auto s = computeScore(card, {}, {"blacklist"}, kToday);
  EXPECT_EQ(s.total, 1150);
  EXPECT_EQ(s.bandGrade, "A");
  EXPECT_EQ(s.grade, "D");
  EXPECT_EQ(s.drawTier, "D");
  EXPECT_EQ(s.gradeLabel, "失信");
  ASSERT_EQ(s.listNotes.size(), 1u);
  EXPECT_EQ(s.listNotes[0], "列入失信联合惩戒对象名单：等级不高于 D（由 A 调整为 D）");
}

TEST(Score, TheWatchListLimitsTheGradeToC) {
  auto card = small();
  card.base = 1000;
  auto s = computeScore(card, {}, {"watchlist"}, kToday);
  EXPECT_EQ(s.bandGrade, "B");
  EXPECT_EQ(s.grade, "C");
  EXPECT_EQ(s.drawTier, "C");
  card.base = 700;  // already below the ceiling: noted, unchanged
  s = computeScore(card, {}, {"watchlist"}, kToday);
  EXPECT_EQ(s.grade, "D");
  ASSERT_EQ(s.listNotes.size(), 1u);
  EXPECT_EQ(s.listNotes[0], "列入重点关注名单：等级不高于 C");
}

TEST(Score, TheRedListRaisesALowGradeToItsMinimumButNotFurther) {
  auto card = small();
  card.base = 850;
  auto s = computeScore(card, {}, {"redlist"}, kToday);
  EXPECT_EQ(s.bandGrade, "C");
  EXPECT_EQ(s.grade, "B");
  EXPECT_EQ(s.gradeLabel, "守信");
  EXPECT_EQ(s.listNotes, std::vector<std::string>{"列入守信激励名单（红名单）：等级不低于 B（由 C 调整为 B）"});
  card.base = 1100;
  EXPECT_EQ(computeScore(card, {}, {"redlist"}, kToday).grade, "A");
}

TEST(Score, ABlacklistPrevailsOverTheRedList) {
  auto card = small();
  card.base = 1100;
  auto s = computeScore(card, {}, {"blacklist", "redlist"}, kToday);
  EXPECT_EQ(s.grade, "D");
  EXPECT_EQ(s.listNotes.size(), 2u);
}

TEST(Score, AListWithoutAnEffectChangesNothing) {
  auto card = small();
  card.listEffects.clear();
  auto s = computeScore(card, {}, {"blacklist"}, kToday);
  EXPECT_EQ(s.grade, "B");
  EXPECT_TRUE(s.listNotes.empty());
}

TEST(Score, SevenBandsFromAPlusToDMinusParseAndGrade) {
  auto root = tree(kSmall);
  root->set("bands", tree(R"({"b": [
      {"grade": "A+", "min": 1100, "draw_tier": "A", "label": "诚信示范"},
      {"grade": "A", "min": 1050, "draw_tier": "A", "label": "诚信"},
      {"grade": "B", "min": 950, "draw_tier": "B", "label": "守信"},
      {"grade": "C", "min": 850, "draw_tier": "C", "label": "基本守信"},
      {"grade": "C-", "min": 800, "draw_tier": "C", "label": "关注"},
      {"grade": "D", "min": 600, "draw_tier": "D", "label": "失信"},
      {"grade": "D-", "min": 0, "draw_tier": "D", "label": "严重失信"}]})")->getArray("b"));
  root->set("list_effects", tree(R"({"e": [{"list": "watchlist", "max_grade": "C-"},
                                           {"list": "redlist", "min_grade": "A"}]})")->getArray("e"));
  auto c = parseScorecard(text(root));
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->bands.size(), 7u);
  EXPECT_EQ(c->bandIndex("C-"), 4);
  EXPECT_EQ(c->band("D-")->label, "严重失信");
  auto at = [&](int base, std::vector<std::string> lists = {}) {
    auto card = *c;
    card.base = base;
    return computeScore(card, {}, lists, kToday);
  };
  EXPECT_EQ(at(1200).grade, "A+");
  EXPECT_EQ(at(1100).grade, "A+");
  EXPECT_EQ(at(1099).grade, "A");
  EXPECT_EQ(at(849).grade, "C-");
  EXPECT_EQ(at(849).drawTier, "C");
  EXPECT_EQ(at(799).grade, "D");
  EXPECT_EQ(at(599).grade, "D-");
  EXPECT_EQ(at(599).drawTier, "D");
  EXPECT_EQ(at(1000, {"watchlist"}).grade, "C-");
  EXPECT_EQ(at(1000, {"watchlist"}).gradeLabel, "关注");
  EXPECT_EQ(at(700, {"redlist"}).grade, "A");
}

TEST(Score, NextChangeIsTheEarliestWindowEndOrFutureStart) {
  std::vector<ScoredRecord> records{record(1, "penalty", "general", in(-10), in(30)),
                                    record(2, "inspection_clean", "*", in(-5), in(10)),
                                    record(3, "penalty", "minor", in(-5), in(2))};  // no item: changes nothing
  auto s = computeScore(small(), records, {}, kToday);
  EXPECT_EQ(s.nextChange, in(10));
  records.push_back(record(4, "penalty", "serious", in(5), in(400)));
  s = computeScore(small(), records, {}, kToday);
  EXPECT_EQ(s.nextChange, in(5));
  records.push_back(record(5, "penalty", "serious", in(-400), kToday));  // already ended
  EXPECT_EQ(computeScore(small(), records, {}, kToday).nextChange, in(5));
}

TEST(Score, TheExplanationLinesAddUpToTheTotalMinusTheBase) {
  std::vector<ScoredRecord> records{record(1, "penalty", "general", in(-10), in(300)),
                                    record(2, "penalty", "serious", in(-200), in(165)),
                                    record(3, "inspection_clean", "*", in(-1), in(300)),
                                    record(4, "inspection_clean", "*", in(-2), in(300)),
                                    record(5, "inspection_clean", "*", in(-3), in(300)),
                                    record(6, "commendation", "serious", in(-40), in(20)),
                                    record(7, "penalty", "serious", in(-7), in(700)),
                                    record(8, "penalty", "minor", in(-3), in(30)),
                                    record(9, "penalty", "general", in(4), in(30))};
  auto s = computeScore(small(), records, {}, kToday);
  ASSERT_EQ(s.lines.size(), 9u);
  EXPECT_GT(s.total, 0);
  EXPECT_LT(s.total, 1200);
  EXPECT_EQ(countedSum(s), s.total - s.base);
  bool capped = false;
  for (const auto& l : s.lines) capped = capped || l.note.rfind("capped:", 0) == 0;
  EXPECT_TRUE(capped);
}

}  // namespace
}  // namespace cw::credit
