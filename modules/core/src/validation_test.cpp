#include "cw/core/validation.hpp"

#include <gtest/gtest.h>

namespace cw::core {
namespace {

TEST(Validation, Utf8AcceptsChineseAndRejectsBrokenSequences) {
  EXPECT_TRUE(isValidUtf8("九江市民政局"));
  EXPECT_FALSE(isValidUtf8("\xe4\xb9"));           // truncated
  EXPECT_FALSE(isValidUtf8("\xc0\xaf"));           // overlong '/'
  EXPECT_FALSE(isValidUtf8("\xed\xa0\x80"));       // surrogate
  EXPECT_EQ(utf8Length("九江市"), 3u);
}

TEST(Validation, CheckTextNamesTheFieldAndTheReason) {
  auto empty = checkText("display_name", "", 1, 10);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().field, "display_name");
  EXPECT_EQ(empty.error().message, "display_name is required");

  auto tooLong = checkText("display_name", "一二三四五六", 1, 5);
  ASSERT_FALSE(tooLong.ok());
  EXPECT_NE(tooLong.error().message.find("at most 5"), std::string::npos);

  EXPECT_FALSE(checkText("name", "a\nb", 1, 10).ok());
  EXPECT_TRUE(checkText("name", "一二三四五", 1, 5).ok());
}

TEST(Validation, RegionCodeIsSixOrNineDigits) {
  EXPECT_TRUE(checkRegionCode("region_code", "360402").ok());
  EXPECT_TRUE(checkRegionCode("region_code", "360402001").ok());
  EXPECT_FALSE(checkRegionCode("region_code", "36040").ok());
  EXPECT_FALSE(checkRegionCode("region_code", "36040A").ok());
}

TEST(Validation, TrimRemovesAsciiWhitespaceOnly) { EXPECT_EQ(trim("  a b \t\n"), "a b"); }

}  // namespace
}  // namespace cw::core
