#include "cw/draws/model.hpp"

#include <gtest/gtest.h>

namespace cw::draws {
namespace {

TaskInput validTask() {
  TaskInput t;
  t.planId = 1;
  t.title = "养老机构抽查";
  t.regionCode = "360400";
  t.kinds = {"elderly_institution"};
  t.gradeRatios = defaultGradeRatios();
  t.windowStart = "2026-11-01";
  t.windowEnd = "2026-12-31";
  t.itemCodes = {"MZ-YL-01"};
  t.departments = {{"MZ", 2, "open"}};
  return t;
}

TEST(DrawModel, RatiosParseExactlyAndRefuseWhatIsNotAPercentage) {
  EXPECT_EQ(*parseRatio("r", "10%"), 1000);
  EXPECT_EQ(*parseRatio("r", "2.5%"), 250);
  EXPECT_EQ(*parseRatio("r", "0.25%"), 25);
  EXPECT_EQ(*parseRatio("r", "100%"), 10000);
  for (const char* bad : {"10", "%", "101%", "1.234%", "-1%", "1.%", "abc%", ""}) {
    auto r = parseRatio("ratios.A", bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().field, "ratios.A");
  }
  EXPECT_EQ(percentText(250), "2.5%");
  EXPECT_EQ(percentText(25), "0.25%");
  EXPECT_EQ(percentText(3000), "30%");
}

TEST(DrawModel, StratumKeysJoinTheChosenDimensionsInAFixedOrder) {
  EXPECT_EQ(stratumKey({"grade", "region"}, "360402", "elderly_institution", "C"), "360402|C");
  EXPECT_EQ(stratumKey({"region", "kind", "grade"}, "360402", "elderly_institution", "C"), "360402|elderly_institution|C");
  EXPECT_EQ(stratumKey({}, "360402", "elderly_institution", "C"), "all");
}

TEST(DrawModel, TaskValidationNamesTheField) {
  EXPECT_TRUE(validateTask(validTask()));
  auto field = [](TaskInput t) { return validateTask(t).error().field; };
  TaskInput t = validTask();
  t.departments = {{"MZ", 1, "open"}};
  EXPECT_EQ(field(t), "requirements") << "one inspector per entity is below the minimum of two";
  t = validTask();
  t.joint = true;
  EXPECT_EQ(field(t), "requirements") << "a joint task needs two departments";
  t = validTask();
  t.kinds = {"hotel"};
  EXPECT_EQ(field(t), "kinds");
  t = validTask();
  t.strataBy = {"region"};
  EXPECT_EQ(field(t), "ratios") << "grade ratios that differ need grade strata";
  t.gradeRatios = {{"A", 500}, {"B", 500}, {"C", 500}, {"D", 500}};
  EXPECT_TRUE(validateTask(t));
  t = validTask();
  t.windowEnd = "2026-10-01";
  EXPECT_EQ(field(t), "window_end");
  t = validTask();
  t.strataBy = {"region", "region"};
  EXPECT_EQ(field(t), "strata_by");
  t = validTask();
  t.itemCodes.clear();
  EXPECT_EQ(field(t), "items");
}

}  // namespace
}  // namespace cw::draws
