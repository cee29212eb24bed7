#include "cw/registry/model.hpp"

#include <gtest/gtest.h>

namespace cw::registry {
namespace {

Record complete() {
  Record r;
  r.set("credit_code", std::string(" 52360402mja5k2818a "));
  r.set("name", std::string("九江市濂溪区康乐养老院"));
  r.set("kind", std::string("elderly_institution"));
  r.set("ownership", std::string("private_nonprofit"));
  r.set("region_code", std::string("360402"));
  r.set("address", std::string("濂溪区莲花镇 1 号"));
  r.set("legal_rep_name", std::string("赵刚"));
  r.set("legal_rep_id_number", std::string("11010519491231002x"));
  r.set("capacity", std::string("100"));
  return r;
}

TEST(RecordValidation, NormalisesCodesAndFillsDefaults) {
  Record r = complete();
  ASSERT_TRUE(validateRecord(r).ok());
  EXPECT_EQ(*r.get("credit_code"), "52360402MJA5K2818A");
  EXPECT_EQ(*r.get("legal_rep_id_number"), "11010519491231002X");
  EXPECT_EQ(*r.get("inclusive"), "false");
  EXPECT_EQ(*r.get("medical_integration"), "none");
}

TEST(RecordValidation, RequiredFieldIsNamedWithItsChineseLabel) {
  Record r = complete();
  r.set("address", std::string("   "));
  auto status = validateRecord(r);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().field, "address");
  EXPECT_NE(status.error().message.find("地址"), std::string::npos);
}

TEST(RecordValidation, CrossFieldRules) {
  Record beds = complete();
  beds.set("nursing_beds", std::string("101"));
  EXPECT_EQ(validateRecord(beds).error().field, "nursing_beds");

  Record childcare = complete();
  childcare.set("kind", std::string("childcare_institution"));
  childcare.set("nursing_beds", std::string("5"));
  EXPECT_EQ(validateRecord(childcare).error().field, "nursing_beds");

  Record inclusive = complete();
  inclusive.set("inclusive", std::string("true"));
  EXPECT_EQ(validateRecord(inclusive).error().field, "inclusive_price");

  Record medical = complete();
  medical.set("medical_integration", std::string("contract"));
  EXPECT_EQ(validateRecord(medical).error().field, "medical_partner");

  Record half = complete();
  half.set("longitude", std::string("115.99"));
  EXPECT_EQ(validateRecord(half).error().field, "latitude");
}

TEST(RecordValidation, NumbersAreCheckedAndCanonical) {
  Record r = complete();
  r.set("capacity", std::string("12.5"));
  EXPECT_EQ(validateRecord(r).error().field, "capacity");
  Record ok = complete();
  ok.set("longitude", std::string("115.990000"));
  ok.set("latitude", std::string("29.7"));
  ASSERT_TRUE(validateRecord(ok).ok());
  EXPECT_EQ(*ok.get("longitude"), "115.99");
  Record range = complete();
  range.set("longitude", std::string("200"));
  range.set("latitude", std::string("29.7"));
  EXPECT_EQ(validateRecord(range).error().field, "longitude");
}

TEST(RecordValidation, LicenceAndRelationErrorsNameTheRow) {
  Record r = complete();
  r.licences.push_back({"food_business", "JY1", std::nullopt, std::string("2026-02-30")});
  auto status = validateRecord(r);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().field, "licences[0].expires_on");
  Record rel = complete();
  rel.relations.push_back({"operator", "九江康养运营有限公司", std::string("91360400MA35XXXXXX"), "2024-01-01",
                           std::nullopt});
  EXPECT_EQ(validateRecord(rel).error().field, "relations[0].party_credit_code");
}

TEST(RecordDiff, ReportsChangedFieldsAndListsOnly) {
  Record a = complete();
  ASSERT_TRUE(validateRecord(a).ok());
  Record b = a;
  b.set("capacity", std::string("120"));
  b.licences.push_back({"food_business", "JY1", std::nullopt, std::string("2027-01-01")});
  auto changes = diffRecords(a, b);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].field, "capacity");
  EXPECT_EQ(*changes[0].before, "100");
  EXPECT_EQ(*changes[0].after, "120");
  EXPECT_EQ(changes[1].field, "licences");
}

TEST(RecordDiff, ResidentIdComparedByBlindIndexNotMask) {
  Record a = complete();
  a.set("legal_rep_id_number", std::string("1101**********002X"));
  a.set("legal_rep_id_index", std::string("aaa"));
  Record b = a;
  EXPECT_TRUE(diffRecords(a, b).empty());
  b.set("legal_rep_id_index", std::string("bbb"));  // same mask, different person
  auto changes = diffRecords(a, b);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].field, "legal_rep_id_number");
}

TEST(Sectors, KindsBelongToTheirSector) {
  EXPECT_EQ(sectorOfKind("rural_elderly_home"), "elderly");
  EXPECT_EQ(sectorOfKind("family_childcare_point"), "childcare");
  EXPECT_EQ(sectorOfKind("hospital"), "");
}

}  // namespace
}  // namespace cw::registry
