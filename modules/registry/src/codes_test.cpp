#include "cw/registry/codes.hpp"

#include <gtest/gtest.h>

namespace cw::registry {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kCredit = "unified_social_credit_code";
constexpr std::string_view kId = "id_number";

std::string creditError(std::string_view code) {
  auto status = checkCreditCode(kCredit, code);
  if (status.ok()) return "accepted";
  EXPECT_EQ(status.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_EQ(status.error().field, kCredit);
  return status.error().message;
}

std::string idError(std::string_view id, std::optional<std::chrono::sys_days> today = std::nullopt) {
  auto status = checkResidentId(kId, id, today);
  if (status.ok()) return "accepted";
  EXPECT_EQ(status.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_EQ(status.error().field, kId);
  return status.error().message;
}

// ---- 统一社会信用代码 ----

TEST(CreditCode, AcceptsPublishedCodes) {
  // Codes printed on published business licences; each check character was recomputed by hand with the
  // GB 32100 weights before being listed here.
  for (std::string_view code : {"91350100M000100Y43", "91110000802100433B", "91440300708461136T",
                                "914403001922038216", "91110108551385082Q"}) {
    EXPECT_EQ(creditError(code), "accepted") << code;
    EXPECT_EQ(creditCodeCheckChar(code.substr(0, 17)), code[17]) << code;
  }
}

TEST(CreditCode, AcceptsConstructedCodesIncludingCheckCharacterZero) {
  // 5 (民政 civil affairs) 2 (社会服务机构, e.g. a private care home), region 360402, organisation MJD123456.
  EXPECT_EQ(creditCodeCheckChar("52360402MJD123456"), 'D');
  EXPECT_EQ(creditError("52360402MJD123456D"), "accepted");
  // 1 (机构编制) 2 (事业单位, e.g. a public care home).
  EXPECT_EQ(creditCodeCheckChar("12360402MB1234567"), '4');
  EXPECT_EQ(creditError("12360402MB12345674"), "accepted");
  // Here the weighted sum is a multiple of 31, so 31 - 0 = 31 maps to '0'.
  EXPECT_EQ(creditCodeCheckChar("52360402MJD12345C"), '0');
  EXPECT_EQ(creditError("52360402MJD12345C0"), "accepted");
}

TEST(CreditCode, WrongLengthSaysEighteenAndTheLengthGiven) {
  EXPECT_EQ(creditError("91350100M000100Y4"), "unified_social_credit_code must be 18 characters (got 17)");
  EXPECT_EQ(creditError(""), "unified_social_credit_code must be 18 characters (got 0)");
  // Counted in characters, not bytes: 17 ASCII characters and one Chinese character are 18.
  EXPECT_NE(creditError("91350100M000100Y4码").find("'码' at position 18"), std::string::npos);
}

TEST(CreditCode, LowerCaseIsRejectedWithItsPosition) {
  EXPECT_EQ(creditError("91350100m000100Y43"),
            "unified_social_credit_code has lower-case 'm' at position 9; credit codes are upper case");
}

TEST(CreditCode, ExcludedLettersAndOtherCharactersNameTheCharacterAndPosition) {
  EXPECT_EQ(creditError("91350100MO00100Y43"),
            "unified_social_credit_code has 'O' at position 10, which is not allowed; credit codes use digits and "
            "upper-case letters, never I, O, S, V or Z");
  for (std::string_view code : {"9135010IM000100Y43", "91350100M000100S43", "91350100M000100V43",
                                "91350100M000100Z43", "91350100M000-00Y43"}) {
    EXPECT_NE(creditError(code).find("which is not allowed"), std::string::npos) << code;
  }
  EXPECT_NE(creditError("９1350100M000100Y43").find("'９' at position 1"), std::string::npos);  // full-width
  EXPECT_NE(creditError("91350100M000 00Y43").find("a space at position 13"), std::string::npos);
}

TEST(CreditCode, RegionPositionsMustBeDigits) {
  EXPECT_EQ(creditError("913501A0M000100Y43"),
            "unified_social_credit_code positions 3-8 must be the GB/T 2260 region code in digits, but position 7 "
            "is 'A'");
}

TEST(CreditCode, WrongCheckCharacterSaysWhichWasExpected) {
  EXPECT_EQ(creditError("91350100M000100Y44"),
            "unified_social_credit_code check character should be '3', not '4'; the code may have been mistyped");
  // Two neighbours swapped (positions 9 and 10) is caught too.
  EXPECT_NE(creditError("913501000M00100Y43").find("should be '0', not '3'"), std::string::npos);
}

TEST(CreditCode, CheckCharThrowsOnBadInput) {
  EXPECT_THROW(creditCodeCheckChar("91350100M000100Y"), std::invalid_argument);
  EXPECT_THROW(creditCodeCheckChar("91350100M000100I4"), std::invalid_argument);
  EXPECT_THROW(creditCodeCheckChar("91350100m000100Y4"), std::invalid_argument);
}

TEST(CreditCode, NormaliseTrimsAndUpperCasesSoTheCheckerAccepts) {
  std::string code = normaliseCreditCode(" \t91350100m000100y43\r\n");
  EXPECT_EQ(code, "91350100M000100Y43");
  EXPECT_EQ(creditError(code), "accepted");
  EXPECT_EQ(normaliseCreditCode("统一码"), "统一码");  // non-ASCII left alone for the checker to report
}

// ---- 居民身份证号码 ----

TEST(ResidentId, AcceptsTheStandardsExampleWithCheckX) {
  // GB 11643-1999's example: region 110105, born 1949-12-31, sequence 002 (the 17th digit is even: female).
  EXPECT_EQ(residentIdCheckChar("11010519491231002"), 'X');
  EXPECT_EQ(idError("11010519491231002X"), "accepted");
  EXPECT_EQ(idError("360402198001011231"), "accepted");
}

TEST(ResidentId, BirthYearBefore1900IsRejectedEvenWithAValidCheckDigit) {
  // The standard's other example, born 1880: the check digit is right, the year rule rejects it.
  EXPECT_EQ(residentIdCheckChar("44052418800101001"), '4');
  EXPECT_EQ(idError("440524188001010014"), "id_number birth date 18800101 (positions 7-14) is before 1900");
}

TEST(ResidentId, FebruaryTwentyNinthOnlyInLeapYears) {
  EXPECT_EQ(idError("360402200002291239"), "accepted");  // 2000: divisible by 400, leap
  EXPECT_EQ(idError("360402202402291237"), "accepted");  // 2024: leap
  EXPECT_EQ(idError("36040220230229123X"), "id_number birth date 20230229 (positions 7-14) is not a real date");
  EXPECT_EQ(idError("360402190002291232"), "id_number birth date 19000229 (positions 7-14) is not a real date");
  EXPECT_EQ(idError("360402190002281237"), "accepted");
  EXPECT_EQ(idError("360402198002301230"), "id_number birth date 19800230 (positions 7-14) is not a real date");
  EXPECT_NE(idError("360402198013011230").find("is not a real date"), std::string::npos);  // month 13
}

TEST(ResidentId, BirthDateAfterTodayIsRejectedOnlyWhenTodayIsGiven) {
  auto today = std::chrono::sys_days{2026y / 1 / 15};
  EXPECT_EQ(idError("360402202601151237", today), "accepted");  // born today
  EXPECT_EQ(idError("360402202601161232", today), "id_number birth date 20260116 (positions 7-14) is in the future");
  EXPECT_EQ(idError("360402202601161232"), "accepted");
}

TEST(ResidentId, WrongLengthSaysEighteenAndTheLengthGiven) {
  EXPECT_EQ(idError("36040219800101123"), "id_number must be 18 characters (got 17)");
  EXPECT_EQ(idError("110105491231002"),
            "id_number must be 18 characters (got 15); 15-digit first-generation numbers are no longer valid, use "
            "the 18-character number on the current card");
}

TEST(ResidentId, NonDigitsNameTheCharacterAndPosition) {
  EXPECT_EQ(idError("1101051949123100AX"), "id_number has 'A' at position 17; positions 1-17 must be digits");
  EXPECT_EQ(idError("X10105194912310021"), "id_number has 'X' at position 1; positions 1-17 must be digits");
  EXPECT_EQ(idError("11010519491231002Y"),
            "id_number has 'Y' at position 18; the last character must be a digit or 'X'");
  EXPECT_NE(idError("１10105194912310021").find("'１' at position 1"), std::string::npos);  // full-width
}

TEST(ResidentId, LowerCaseXIsRejectedUntilNormalised) {
  EXPECT_EQ(idError("11010519491231002x"), "id_number must end in upper-case 'X', not 'x'");
  EXPECT_EQ(idError(normaliseResidentId("11010519491231002x")), "accepted");
}

TEST(ResidentId, WrongCheckDigitSaysWhichWasExpected) {
  EXPECT_EQ(idError("110105194912310025"),
            "id_number check digit should be 'X', not '5'; the number may have been mistyped");
  EXPECT_NE(idError("360402198001011234").find("should be '1', not '4'"), std::string::npos);
}

TEST(ResidentId, CheckCharThrowsOnBadInput) {
  EXPECT_THROW(residentIdCheckChar("1101051949123100"), std::invalid_argument);
  EXPECT_THROW(residentIdCheckChar("1101051949123100A"), std::invalid_argument);
}

TEST(ResidentId, NormaliseTrimsAndUpperCasesOnlyTheTrailingX) {
  EXPECT_EQ(normaliseResidentId("  36040219800101123x \n"), "36040219800101123X");
  EXPECT_EQ(normaliseResidentId("360402198001011231"), "360402198001011231");
  EXPECT_EQ(normaliseResidentId("x6040219800101123x"), "x6040219800101123X");  // the checker reports the rest
  EXPECT_EQ(normaliseResidentId("   "), "");
}

TEST(ResidentId, MaskKeepsFirstAndLastFourOfEighteen) {
  EXPECT_EQ(maskResidentId("360402198001011234"), "3604**********1234");
  EXPECT_EQ(maskResidentId("11010519491231002X"), "1101**********002X");
}

TEST(ResidentId, MaskOfOtherLengthsStarsAllButTheLastFour) {
  EXPECT_EQ(maskResidentId("110105491231002"), "***********1002");
  EXPECT_EQ(maskResidentId("12345"), "*2345");
  EXPECT_EQ(maskResidentId("1234"), "1234");
  EXPECT_EQ(maskResidentId(""), "");
  EXPECT_EQ(maskResidentId("身份证号码123"), "****码123");  // counted in characters, UTF-8 kept intact
}

}  // namespace
}  // namespace cw::registry
