#include "cw/hazards/catalogue.hpp"

#include <gtest/gtest.h>

#include <set>

namespace cw::hazards {
namespace {

const std::string kEntry = R"({"code":"OT-01","category":"other","name":"其他","name_en":"Other","applies_to":"both",
  "severity":"general","rectification_days":30,"fire_safety":false,"legal_basis":"养老机构管理办法","description":"其他隐患"})";

std::string catalogueWith(const std::string& entry) {
  return R"({"version":"t1","entries":[)" + kEntry + "," + entry + "]}";
}

TEST(Catalogue, TheShippedFileLoadsWithTheNineServiceRisksAndMajorFireEntries) {
  auto c = loadCatalogueFile(std::string(CW_SOURCE_DIR) + "/config/hazard-catalogue.json");
  ASSERT_TRUE(c.ok()) << c.error().message;
  std::set<std::string> names;
  int majorFire = 0;
  for (const auto& e : c->entries) {
    if (e.category == "service_safety") names.insert(e.name);
    if (e.severity == "major" && e.fireSafety) ++majorFire;
    EXPECT_FALSE(e.fireSafety && e.severity != "major") << e.code << ": only major hazards are fire-safety grounds";
  }
  for (const char* risk : {"噎食", "食品药品误食", "压疮", "烫伤", "坠床", "跌倒", "走失", "他伤和自伤", "文娱活动意外"}) {
    EXPECT_TRUE(names.count(risk)) << risk;
  }
  EXPECT_GT(majorFire, 0);
  ASSERT_NE(c->find(kGenericCode), nullptr);
  for (const char* category : {"major_accident", "fire", "building", "gas", "food", "public_health", "childcare"}) {
    EXPECT_TRUE(std::any_of(c->entries.begin(), c->entries.end(), [&](const auto& e) { return e.category == category; }))
        << category;
  }
}

TEST(Catalogue, AProblemIsReportedWithItsPath) {
  auto bad = [](const std::string& entry) {
    auto c = parseCatalogue(catalogueWith(entry));
    EXPECT_FALSE(c.ok()) << entry;
    return c ? std::string() : c.error().message;
  };
  std::string base = R"("category":"fire","name":"灭火器","name_en":"Extinguisher","applies_to":"both","severity":"general",)"
                     R"("fire_safety":false,"legal_basis":"消防法","description":"灭火器失效")";
  EXPECT_NE(bad(R"({"code":"FI-01",)" + base + R"(,"rectification_days":0})").find("entries[1].rectification_days"),
            std::string::npos);
  EXPECT_NE(bad(R"({"code":"FI-1",)" + base + R"(,"rectification_days":7})").find("entries[1].code"), std::string::npos);
  EXPECT_NE(bad(R"({"code":"OT-01",)" + base + R"(,"rectification_days":7})").find("appears twice"), std::string::npos);
  std::string wrongSeverity = base;
  wrongSeverity.replace(wrongSeverity.find("\"general\""), 9, "\"huge\"");
  EXPECT_NE(bad(R"({"code":"FI-02",)" + wrongSeverity + R"(,"rectification_days":7})").find("entries[1].severity"),
            std::string::npos);
  EXPECT_NE(bad(R"({"code":"FI-03","category":"fire","rectification_days":7})").find("entries[1].name"),
            std::string::npos);
  EXPECT_FALSE(parseCatalogue("[1,2]").ok());
  EXPECT_FALSE(parseCatalogue(R"({"version":"t","entries":[]})").ok());
  auto noGeneric = parseCatalogue(R"({"version":"t","entries":[{"code":"FI-01",)" + base + R"(,"rectification_days":7}]})");
  ASSERT_FALSE(noGeneric.ok());
  EXPECT_NE(noGeneric.error().message.find("OT-01"), std::string::npos);
  EXPECT_TRUE(parseCatalogue(catalogueWith(R"({"code":"FI-01",)" + base + R"(,"rectification_days":7})")).ok());
}

}  // namespace
}  // namespace cw::hazards
