#include "cw/ratings/engine.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace cw::ratings {
namespace {

Scheme load(const std::string& name) {
  std::ifstream in(std::string(CW_SOURCE_DIR) + "/config/rating-schemes/" + name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  auto s = parseScheme(text.str());
  if (!s) throw std::runtime_error(s.error().message);
  return *s;
}

const Scheme& elderly() {
  static const Scheme s = load("gbt37276-2018.json");
  return s;
}

const Scheme& childcare() {
  static const Scheme s = load("wst821-2023.json");
  return s;
}

// A sheet with every veto passed and each part scored exactly `tenths[p]`, spread over its leaves.
Sheet scored(const Scheme& s, const std::vector<Tenths>& tenths) {
  Sheet sheet;
  std::vector<Tenths> left = tenths;
  for (const auto& leaf : s.leaves) {
    Tenths give = std::min<Tenths>(left[leaf.part], static_cast<Tenths>(leaf.maxPoints) * 10);
    sheet.points[leaf.code] = give;
    left[leaf.part] -= give;
  }
  for (const auto& v : s.vetoes) sheet.vetoes[v.code] = true;
  return sheet;
}

// Every part exactly at `percent` of its maximum (rounded up to a tenth), plus `delta` tenths on part `part`.
std::vector<Tenths> atFloor(const Scheme& s, int percent, std::size_t part = 0, Tenths delta = 0) {
  std::vector<Tenths> out;
  for (const auto& p : s.parts) out.push_back(partFloor(p.maxPoints, percent));
  out[part] += delta;
  return out;
}

std::string levelOf(const Outcome& o) { return o.level.value_or("none"); }

TEST(ElderlyLevels, EveryPartExactlyAtALevelsFloorReachesThatLevel) {
  const Scheme& s = elderly();
  for (const auto& level : s.levels) {
    auto o = evaluate(s, scored(s, atFloor(s, level.minPartPercent)));
    EXPECT_EQ(levelOf(o), level.code) << level.code << " total " << o.total;
    EXPECT_GE(o.total, level.minTotal * 10);
  }
}

TEST(ElderlyLevels, OneTenthBelowAFloorInAnyPartDropsOneLevelAndSaysWhichPart) {
  const Scheme& s = elderly();
  for (std::size_t i = 0; i < s.levels.size(); ++i) {
    for (std::size_t p = 0; p < s.parts.size(); ++p) {
      auto o = evaluate(s, scored(s, atFloor(s, s.levels[i].minPartPercent, p, -1)));
      std::string below = i == 0 ? "none" : s.levels[i - 1].code;
      ASSERT_EQ(levelOf(o), below) << s.levels[i].code << " part " << s.parts[p].code;
      EXPECT_EQ(o.decidedBy, i == s.levels.size() - 1 ? "total" : "part_floor") << s.levels[i].code;
      ASSERT_EQ(o.nextLevel.value_or(""), s.levels[i].code);
      bool named = false;
      for (const auto& n : o.nextNeeds) named = named || (n.kind == "part" && n.code == s.parts[p].code && n.need - n.have == 1);
      EXPECT_TRUE(named) << s.levels[i].code << " part " << s.parts[p].code;
    }
  }
}

TEST(ElderlyLevels, ATotalThatPassesButAPartBelowItsFloorGivesTheLowerLevel) {
  const Scheme& s = elderly();
  // 116 + 125 + 140 + 470 = 851: enough total for 四级 (780), but services 470/600 = 78% < 80%.
  auto o = evaluate(s, scored(s, {1160, 1250, 1400, 4700}));
  EXPECT_EQ(o.total, 8510);
  EXPECT_EQ(levelOf(o), "L3");
  EXPECT_EQ(o.decidedBy, "part_floor");
  ASSERT_EQ(o.nextNeeds.size(), 1u);
  EXPECT_EQ(o.nextNeeds[0].kind, "part");
  EXPECT_EQ(o.nextNeeds[0].code, s.parts[3].code);
  EXPECT_EQ(o.nextNeeds[0].need, 4800);
}

TEST(ElderlyLevels, FiveStarNeedsNineHundredAndNinetyPercentEverywhere) {
  const Scheme& s = elderly();
  auto top = evaluate(s, scored(s, {1200, 1300, 1500, 6000}));
  EXPECT_EQ(levelOf(top), "L5");
  EXPECT_EQ(top.decidedBy, "top");
  EXPECT_FALSE(top.nextLevel.has_value());
  // Exactly 900 with every part at 90%: 108 + 117 + 135 + 540.
  EXPECT_EQ(levelOf(evaluate(s, scored(s, {1080, 1170, 1350, 5400}))), "L5");
  // 899.9: the total decides.
  auto short1 = evaluate(s, scored(s, {1080, 1170, 1350, 5399}));
  EXPECT_EQ(levelOf(short1), "L4");
  EXPECT_EQ(short1.decidedBy, "total");
}

TEST(ElderlyLevels, BelowTheFirstLevelThereIsNoLevel) {
  const Scheme& s = elderly();
  auto o = evaluate(s, scored(s, {470, 600, 600, 3000}));
  EXPECT_FALSE(o.level.has_value());
  EXPECT_EQ(o.nextLevel.value_or(""), "L1");
}

TEST(ElderlyLevels, AFailedPreconditionMeansNoLevelWhateverTheScore) {
  const Scheme& s = elderly();
  ASSERT_FALSE(s.vetoes.empty());
  auto sheet = scored(s, {1200, 1300, 1500, 6000});
  sheet.vetoes[s.vetoes[0].code] = false;
  auto o = evaluate(s, sheet);
  EXPECT_FALSE(o.level.has_value());
  EXPECT_EQ(o.decidedBy, "veto");
  ASSERT_EQ(o.failedVetoes, std::vector<std::string>{s.vetoes[0].code});
  EXPECT_EQ(o.nextNeeds.front().kind, "veto");
}

TEST(ChildcareGrades, EachGradesThresholdIsABoundary) {
  const Scheme& s = childcare();
  for (std::size_t i = 1; i < s.levels.size(); ++i) {
    const Level& l = s.levels[i];
    // Every dimension at the grade's floor, then the rest spread to reach exactly the total threshold.
    std::vector<Tenths> parts = atFloor(s, l.minPartPercent);
    Tenths total = 0;
    for (auto t : parts) total += t;
    Tenths want = static_cast<Tenths>(l.minTotal) * 10;
    for (std::size_t p = 0; p < parts.size() && total < want; ++p) {
      Tenths room = static_cast<Tenths>(s.parts[p].maxPoints) * 10 - parts[p];
      Tenths add = std::min(room, want - total);
      parts[p] += add;
      total += add;
    }
    ASSERT_EQ(total, std::max(want, total)) << l.code;
    auto at = evaluate(s, scored(s, parts));
    EXPECT_EQ(levelOf(at), l.code) << "total " << at.total;
    // One tenth less, taken from a dimension above its floor: the total decides.
    for (std::size_t p = 0; p < parts.size(); ++p) {
      if (parts[p] > partFloor(s.parts[p].maxPoints, s.levels.back().minPartPercent)) {
        parts[p] -= 1;
        break;
      }
    }
    auto below = evaluate(s, scored(s, parts));
    if (total == want) {
      EXPECT_EQ(levelOf(below), s.levels[i - 1].code) << l.code;
      EXPECT_EQ(below.decidedBy, "total") << l.code;
    }
  }
}

TEST(ChildcareGrades, ZeroPointsStillGetTheLowestGrade) {
  const Scheme& s = childcare();
  auto o = evaluate(s, scored(s, std::vector<Tenths>(s.parts.size(), 0)));
  EXPECT_EQ(levelOf(o), s.levels.front().code);
}

TEST(ChildcareGrades, AFailedBasicItemGivesTheLowestGradeEvenWithFullMarks) {
  const Scheme& s = childcare();
  std::vector<Tenths> full;
  for (const auto& p : s.parts) full.push_back(static_cast<Tenths>(p.maxPoints) * 10);
  auto sheet = scored(s, full);
  EXPECT_EQ(levelOf(evaluate(s, sheet)), s.levels.back().code);
  sheet.vetoes[s.vetoes[7].code] = false;
  auto o = evaluate(s, sheet);
  EXPECT_EQ(levelOf(o), s.levels.front().code);
  EXPECT_EQ(o.decidedBy, "veto");
  EXPECT_EQ(o.total, 10000) << "the points stay visible; the veto decides";
  EXPECT_EQ(o.nextLevel.value_or(""), s.levels[1].code);
}

TEST(Aggregation, MedianAndMeanRoundHalfUpToATenth) {
  EXPECT_EQ(median({50, 80, 60}), 60);
  EXPECT_EQ(median({50, 80, 60, 65}), 63);  // (60 + 65) / 2 = 62.5 -> 63 tenths
  EXPECT_EQ(median({100}), 100);
  EXPECT_EQ(mean({50, 80, 60}), 63);  // 63.33
  EXPECT_EQ(mean({50, 50, 51}), 50);  // 50.33
  EXPECT_EQ(mean({10, 11}), 11);      // 10.5 -> 11
}

TEST(Aggregation, AVetoFailsWhenHalfOrMoreOfThePanelFailsIt) {
  Scheme s = childcare();
  std::string v = s.vetoes[0].code;
  auto judged = [&](std::vector<bool> verdicts) {
    std::vector<Sheet> sheets;
    for (bool b : verdicts) sheets.push_back(Sheet{{}, {{v, b}}});
    return aggregate(s, sheets, Aggregation::Median).vetoes.at(v);
  };
  EXPECT_TRUE(judged({true, true, false}));
  EXPECT_FALSE(judged({true, false, false}));
  EXPECT_FALSE(judged({true, true, false, false})) << "a tie fails";
  EXPECT_TRUE(judged({true, true, true}));
}

TEST(Aggregation, ThePanelsMedianIsThePerItemScore) {
  const Scheme& s = elderly();
  const std::string& item = s.leaves[0].code;
  std::vector<Sheet> sheets(3);
  sheets[0].points[item] = 10;
  sheets[1].points[item] = 40;
  sheets[2].points[item] = 25;
  EXPECT_EQ(aggregate(s, sheets, Aggregation::Median).points.at(item), 25);
  EXPECT_EQ(aggregate(s, sheets, Aggregation::Mean).points.at(item), 25);
  sheets[2].points[item] = 30;
  EXPECT_EQ(aggregate(s, sheets, Aggregation::Median).points.at(item), 30);
  EXPECT_EQ(aggregate(s, sheets, Aggregation::Mean).points.at(item), 27);  // 26.67
}

TEST(Sheets, PointsOutsideAnItemsRangeAndUnansweredItemsAreNamed) {
  const Scheme& s = elderly();
  const Leaf& l = s.leaves[0];
  EXPECT_TRUE(checkPoints(s, l.code, static_cast<Tenths>(l.maxPoints) * 10).ok());
  auto over = checkPoints(s, l.code, static_cast<Tenths>(l.maxPoints) * 10 + 1);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().message.find(l.code), std::string::npos);
  EXPECT_FALSE(checkPoints(s, "no-such", 0).ok());
  EXPECT_FALSE(checkPoints(s, l.code, -1).ok());
  Sheet partial = scored(s, {1200, 1300, 1500, 6000});
  partial.points.erase(s.leaves[3].code);
  auto missing = checkComplete(s, partial);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find(s.leaves[3].code), std::string::npos);
}

}  // namespace
}  // namespace cw::ratings
