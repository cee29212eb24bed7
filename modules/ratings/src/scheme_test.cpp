#include "cw/ratings/scheme.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace cw::ratings {
namespace {

std::string shipped(const std::string& name) {
  std::ifstream in(std::string(CW_SOURCE_DIR) + "/config/rating-schemes/" + name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A small valid scheme: two parts (60 + 40), the first with an item split into sub-items.
const char* kSmall = R"({
  "code": "T1", "version": "1", "sector": "elderly", "standard": "T 1", "title": "测试", "title_en": "Test",
  "source": "unit test", "thresholds_source": "configuration", "total_points": 100,
  "levels": [{"code": "L1", "name": "一级", "name_en": "Level 1", "min_total": 50, "min_part_percent": 40},
             {"code": "L2", "name": "二级", "name_en": "Level 2", "min_total": 80, "min_part_percent": 75}],
  "veto_result": null,
  "vetoes": [{"code": "V1", "name": "依法登记", "name_en": "Registered", "basis": "条例第十条"}],
  "parts": [
    {"code": "1", "name": "环境", "name_en": "Environment", "max_points": 60, "items": [
      {"code": "1.1", "name": "居室", "name_en": "Rooms", "max_points": 20, "subitems": [
        {"code": "1.1.1", "name": "面积", "name_en": "Area", "max_points": 12, "guidance": "达标得满分", "evidence": "现场测量"},
        {"code": "1.1.2", "name": "采光", "name_en": "Light", "max_points": 8, "guidance": "达标得满分", "evidence": "现场查看"}]},
      {"code": "1.2", "name": "标识", "name_en": "Signs", "max_points": 40, "guidance": "齐全得满分", "evidence": "现场查看"}]},
    {"code": "2", "name": "服务", "name_en": "Services", "max_points": 40, "items": [
      {"code": "2.1", "name": "照料", "name_en": "Care", "max_points": 40, "guidance": "规范得满分", "evidence": "记录"}]}
  ]})";

Poco::JSON::Object::Ptr tree(const std::string& text) {
  return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::string text(const Poco::JSON::Object::Ptr& o) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(o, out);
  return out.str();
}

std::string refusal(const std::string& json) {
  auto s = parseScheme(json);
  return s.ok() ? std::string("(accepted)") : s.error().message;
}

TEST(Scheme, ASmallSchemeLoadsWithItsLeavesInOrder) {
  auto s = parseScheme(kSmall);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s->leaves.size(), 4u);
  EXPECT_EQ(s->leaves[0].code, "1.1.1");
  EXPECT_EQ(s->leaves[2].code, "1.2");
  EXPECT_EQ(s->leaves[3].part, 1u);
  EXPECT_EQ(s->levelIndex("L2"), 1);
  EXPECT_FALSE(s->vetoResult.has_value());
}

TEST(Scheme, SubItemsThatDoNotAddUpAreRefusedWithTheItemsPath) {
  auto root = tree(kSmall);
  auto sub = root->getArray("parts")->getObject(0)->getArray("items")->getObject(0)->getArray("subitems")->getObject(1);
  sub->set("max_points", 6);
  EXPECT_EQ(refusal(text(root)), "rating scheme: $.parts[0].items[0]: subitems add up to 18, max_points is 20");
}

TEST(Scheme, ItemsThatDoNotAddUpToTheirPartAreRefusedWithThePartsPath) {
  auto root = tree(kSmall);
  root->getArray("parts")->getObject(1)->getArray("items")->getObject(0)->set("max_points", 35);
  EXPECT_EQ(refusal(text(root)), "rating scheme: $.parts[1]: items add up to 35, max_points is 40");
}

TEST(Scheme, PartsThatDoNotAddUpToTheTotalAreRefused) {
  auto root = tree(kSmall);
  root->set("total_points", 120);
  EXPECT_EQ(refusal(text(root)), "rating scheme: $.parts: parts add up to 100, total_points is 120");
}

TEST(Scheme, EachKindOfMistakeNamesItsPath) {
  auto with = [](const std::function<void(Poco::JSON::Object::Ptr&)>& change) {
    auto root = tree(kSmall);
    change(root);
    return refusal(text(root));
  };
  EXPECT_EQ(with([](auto& r) { r->getArray("parts")->getObject(1)->getArray("items")->getObject(0)->remove("guidance"); }),
            "rating scheme: $.parts[1].items[0].guidance: missing or not a string");
  EXPECT_EQ(with([](auto& r) { r->getArray("parts")->getObject(1)->getArray("items")->getObject(0)->set("code", "1.2"); }),
            "rating scheme: $.parts[1].items[0].code: \"1.2\" appears twice");
  EXPECT_EQ(with([](auto& r) { r->getArray("vetoes")->getObject(0)->set("code", "2.1"); }),
            "rating scheme: $.parts[1].items[0].code: \"2.1\" appears twice");
  EXPECT_EQ(with([](auto& r) { r->getArray("levels")->getObject(1)->set("min_total", 40); }),
            "rating scheme: $.levels[1].min_total: levels go from lowest to highest: 40 is not above L1's 50");
  EXPECT_EQ(with([](auto& r) { r->getArray("levels")->getObject(1)->set("min_part_percent", 30); }),
            "rating scheme: $.levels[1].min_part_percent: is below L1's 40%");
  EXPECT_EQ(with([](auto& r) { r->set("veto_result", "L9"); }),
            "rating scheme: $.veto_result: \"L9\" is not one of the levels");
  EXPECT_EQ(with([](auto& r) { r->set("sector", "hospital"); }),
            "rating scheme: $.sector: \"hospital\" is not one of elderly, childcare");
  EXPECT_EQ(with([](auto& r) { r->getArray("parts")->getObject(0)->set("max_points", 1.5); }),
            "rating scheme: $.parts[0].max_points: missing or not a whole number");
  EXPECT_EQ(refusal("[1, 2]").rfind("rating scheme: $: not a JSON object", 0), 0u);
}

TEST(Scheme, TheShippedElderlySchemeHasTheFourPartsAndFiveLevelsOfGbT37276) {
  auto s = parseScheme(shipped("gbt37276-2018.json"));
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->sector, "elderly");
  ASSERT_EQ(s->parts.size(), 4u);
  std::vector<int> maxima;
  for (const auto& p : s->parts) maxima.push_back(p.maxPoints);
  EXPECT_EQ(maxima, (std::vector<int>{120, 130, 150, 600}));
  ASSERT_EQ(s->levels.size(), 5u);
  std::vector<std::pair<int, int>> floors;
  for (const auto& l : s->levels) floors.emplace_back(l.minTotal, l.minPartPercent);
  EXPECT_EQ(floors, (std::vector<std::pair<int, int>>{{360, 40}, {450, 50}, {570, 60}, {780, 80}, {900, 90}}));
  EXPECT_GT(s->leaves.size(), 20u);
}

TEST(Scheme, TheShippedChildcareSchemeHasSevenDimensionsAndSixteenBasicItems) {
  auto s = parseScheme(shipped("wst821-2023.json"));
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->sector, "childcare");
  std::vector<int> maxima;
  for (const auto& p : s->parts) maxima.push_back(p.maxPoints);
  EXPECT_EQ(maxima, (std::vector<int>{100, 140, 200, 210, 80, 200, 70}));
  EXPECT_EQ(s->vetoes.size(), 16u);
  ASSERT_TRUE(s->vetoResult.has_value());
  EXPECT_EQ(s->levelIndex(*s->vetoResult), 0) << "a failed basic item gives the lowest grade";
  EXPECT_EQ(s->thresholdsSource, "configuration");
}

TEST(Scheme, AShippedFileWithOneItemChangedIsRefusedWithThePathOfTheInconsistency) {
  auto root = tree(shipped("gbt37276-2018.json"));
  auto item = root->getArray("parts")->getObject(2)->getArray("items")->getObject(0);
  item->set("max_points", item->getValue<int>("max_points") + 1);
  std::string message = refusal(text(root));
  // Either the item's own sub-items or the part's item sum disagrees first, and the path says which.
  EXPECT_TRUE(message.rfind("rating scheme: $.parts[2].items[0]: subitems add up to", 0) == 0 ||
              message.rfind("rating scheme: $.parts[2]: items add up to", 0) == 0)
      << message;
}

TEST(Scheme, PartFloorsRoundUpToTheNextTenth) {
  EXPECT_EQ(partFloor(120, 40), 480);   // 48 points
  EXPECT_EQ(partFloor(130, 90), 1170);  // 117 points
  EXPECT_EQ(partFloor(70, 45), 315);    // 31.5 points
  EXPECT_EQ(partFloor(7, 33), 24);      // 2.31 -> 2.4
}

}  // namespace
}  // namespace cw::ratings
