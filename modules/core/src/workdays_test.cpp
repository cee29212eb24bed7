#include "cw/core/workdays.hpp"

#include <gtest/gtest.h>

#include "cw/core/time.hpp"

namespace cw::core {
namespace {

Day day(std::string_view text) {
  auto d = parseDay(text);
  if (!d) throw std::invalid_argument("bad test date " + std::string(text));
  return *d;
}

// The 2026 Spring Festival excerpt of config/workdays.txt.
constexpr std::string_view kSpring2026 =
    "2026-02-14 workday 春节调休\n"
    "2026-02-15 holiday 春节\n"
    "2026-02-16 holiday 春节\n"
    "2026-02-17 holiday 春节\n"
    "2026-02-18 holiday 春节\n"
    "2026-02-19 holiday 春节\n"
    "2026-02-20 holiday 春节\n"
    "2026-02-21 holiday 春节\n"
    "2026-02-22 holiday 春节\n"
    "2026-02-23 holiday 春节\n"
    "2026-02-28 workday 春节调休\n";

TEST(WorkCalendar, WeekendOnlyCalendarCountsMondayToFriday) {
  WorkCalendar cal;
  EXPECT_TRUE(cal.isWorkingDay(day("2026-02-16")));   // Monday, a holiday only in the official calendar
  EXPECT_FALSE(cal.isWorkingDay(day("2026-02-14")));  // Saturday
  EXPECT_EQ(cal.addWorkingDays(day("2026-01-30"), 0), day("2026-01-30"));
  EXPECT_EQ(cal.addWorkingDays(day("2026-01-30"), 1), day("2026-02-02"));  // Friday + 1 = Monday
  EXPECT_EQ(cal.addWorkingDays(day("2026-01-31"), 1), day("2026-02-02"));  // Saturday + 1 = Monday
  EXPECT_EQ(cal.addWorkingDays(day("2026-02-02"), 5), day("2026-02-09"));
  EXPECT_EQ(cal.workingDaysBetween(day("2026-01-30"), day("2026-02-06")), 5);
  EXPECT_EQ(cal.workingDaysBetween(day("2026-02-06"), day("2026-01-30")), -5);
  EXPECT_EQ(cal.workingDaysBetween(day("2026-02-07"), day("2026-02-08")), 0);  // the weekend itself
  EXPECT_EQ(cal.workingDaysBetween(day("2026-02-06"), day("2026-02-06")), 0);
  EXPECT_FALSE(cal.lastCoveredYear().has_value());
}

TEST(WorkCalendar, TwentyWorkingDaysAcrossSpringFestival2026) {
  auto cal = WorkCalendar::parse(kSpring2026);
  ASSERT_TRUE(cal.ok()) << cal.error().message;
  // Filed Monday 2026-02-09. By hand: Feb 10, 11, 12, 13 (4), Sat Feb 14 make-up day (5), Feb 15-23 holiday,
  // Feb 24, 25, 26, 27 (9), Sat Feb 28 make-up day (10), Sun Mar 1 rest, Mar 2-6 (15), Mar 9-13 (20).
  EXPECT_EQ(cal->addWorkingDays(day("2026-02-09"), 20), day("2026-03-13"));
  EXPECT_EQ(cal->workingDaysBetween(day("2026-02-09"), day("2026-03-13")), 20);
  EXPECT_EQ(cal->workingDaysBetween(day("2026-03-13"), day("2026-02-09")), -20);
  // Weekends only, the same deadline would fall four days earlier.
  EXPECT_EQ(WorkCalendar().addWorkingDays(day("2026-02-09"), 20), day("2026-03-09"));
}

TEST(WorkCalendar, MakeupSaturdayIsAWorkingDayAndHolidayMondayIsNot) {
  auto cal = WorkCalendar::parse(kSpring2026);
  ASSERT_TRUE(cal.ok());
  EXPECT_TRUE(cal->isWorkingDay(day("2026-02-14")));
  EXPECT_EQ(cal->addWorkingDays(day("2026-02-13"), 1), day("2026-02-14"));
  EXPECT_FALSE(cal->isWorkingDay(day("2026-02-16")));
  EXPECT_FALSE(cal->isWorkingDay(day("2026-02-15")));  // a Sunday inside the period: listed, still rest
  EXPECT_EQ(cal->addWorkingDays(day("2026-02-14"), 1), day("2026-02-24"));
  EXPECT_EQ(cal->workingDaysBetween(day("2026-02-13"), day("2026-02-24")), 2);  // Sat 14 and Tue 24
}

TEST(WorkCalendar, CountingAgreesWithDayByDayWalk) {
  auto cal = WorkCalendar::parse(kSpring2026);
  ASSERT_TRUE(cal.ok());
  // Includes days before 1970 so the arithmetic is checked on both sides of the epoch.
  for (Day from : {day("2026-02-01"), day("1969-12-25")}) {
    int walked = 0;
    for (int k = 0; k < 80; ++k) {
      Day to = from + std::chrono::days{k};
      if (k > 0 && cal->isWorkingDay(to)) ++walked;
      ASSERT_EQ(cal->workingDaysBetween(from, to), walked) << formatDay(from) << " .. " << formatDay(to);
      ASSERT_EQ(cal->workingDaysBetween(to, from), -walked);
    }
  }
}

TEST(WorkCalendar, AddWorkingDaysRejectsNegativeCount) {
  EXPECT_THROW((void)WorkCalendar().addWorkingDays(day("2026-02-09"), -1), std::invalid_argument);
}

TEST(WorkCalendar, ParseIgnoresCommentsBlankLinesCrLfAndBom) {
  auto cal = WorkCalendar::parse(
      "\xEF\xBB\xBF# 2026\r\n"
      "\r\n"
      "   \n"
      "2026-01-01 holiday 元旦 # inline comment\r\n"
      "\t2026-01-04   workday\n"
      "2026-01-02 holiday");
  ASSERT_TRUE(cal.ok()) << cal.error().message;
  EXPECT_FALSE(cal->isWorkingDay(day("2026-01-01")));
  EXPECT_FALSE(cal->isWorkingDay(day("2026-01-02")));
  EXPECT_TRUE(cal->isWorkingDay(day("2026-01-04")));
  EXPECT_EQ(cal->lastCoveredYear(), 2026);
}

TEST(WorkCalendar, ParseErrorsNameTheLineAndTheProblem) {
  auto expectError = [](std::string_view text, const std::string& expected) {
    auto cal = WorkCalendar::parse(text);
    ASSERT_FALSE(cal.ok()) << text;
    EXPECT_EQ(cal.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(cal.error().field, "workdays");
    EXPECT_EQ(cal.error().message, expected);
  };
  expectError("# header\n\n2026-2-16 holiday\n",
              "line 3: '2026-2-16' is not a date; expected YYYY-MM-DD, e.g. 2026-02-16");
  expectError("2026-02-30 holiday\n", "line 1: '2026-02-30' is not a date; expected YYYY-MM-DD, e.g. 2026-02-16");
  expectError("2026-02-16 holiday\n2026-02-17\n", "line 2: expected 'holiday' or 'workday' after the date");
  expectError("2026-02-16 Holiday\n", "line 1: expected 'holiday' or 'workday' after the date, not 'Holiday'");
  expectError("2026-02-16 workday\n",
              "line 1: 2026-02-16 is a Monday, already a working day; a make-up workday (调休上班) is a Saturday "
              "or Sunday");
  expectError("2026-02-16 holiday \xE6\x98\n", "line 1: is not valid UTF-8 (save the file as UTF-8)");
}

TEST(WorkCalendar, DateListedTwiceIsAnError) {
  auto cal = WorkCalendar::parse("2026-02-16 holiday 春节\n2026-02-17 holiday\n2026-02-16 holiday 春节\n");
  ASSERT_FALSE(cal.ok());
  EXPECT_EQ(cal.error().message, "line 3: 2026-02-16 is already listed on line 1");
}

TEST(WorkCalendar, HolidayAndWorkdayOnTheSameDateIsAnError) {
  auto cal = WorkCalendar::parse("2026-02-14 workday 春节调休\n# x\n2026-02-14 holiday 春节\n");
  ASSERT_FALSE(cal.ok());
  EXPECT_EQ(cal.error().message,
            "line 3: 2026-02-14 is listed as holiday here but as workday on line 1; a day is either a holiday or "
            "a make-up workday");

  EXPECT_THROW(WorkCalendar({day("2026-02-14")}, {day("2026-02-14")}), std::invalid_argument);
  EXPECT_THROW(WorkCalendar({}, {day("2026-02-16")}), std::invalid_argument);  // a Monday
}

TEST(WorkCalendar, LoadReportsMissingFile) {
  auto cal = WorkCalendar::load("/nonexistent/workdays.txt");
  ASSERT_FALSE(cal.ok());
  EXPECT_EQ(cal.error().code, ErrorCode::NotFound);
  EXPECT_NE(cal.error().message.find("/nonexistent/workdays.txt"), std::string::npos);
}

// The shipped config/workdays.txt, found from this file's path (CMake compiles with absolute paths).
std::string shippedCalendarPath() {
  std::string self = __FILE__;
  std::string suffix = "modules/core/src/workdays_test.cpp";
  return self.substr(0, self.size() - suffix.size()) + "config/workdays.txt";
}

TEST(WorkCalendar, ShippedCalendarHas248WorkingDaysIn2025And2026) {
  auto cal = WorkCalendar::load(shippedCalendarPath());
  ASSERT_TRUE(cal.ok()) << cal.error().message;
  // Both years have 104 weekend days and, since the 2025 revision of the holiday rules, 13 statutory holidays:
  // 365 - 104 - 13 = 248 working days, whatever the make-up arrangement.
  EXPECT_EQ(cal->workingDaysBetween(day("2024-12-31"), day("2025-12-31")), 248);
  EXPECT_EQ(cal->workingDaysBetween(day("2025-12-31"), day("2026-12-31")), 248);
  EXPECT_EQ(cal->lastCoveredYear(), 2026);
  EXPECT_TRUE(cal->isWorkingDay(day("2025-01-26")));   // Sunday make-up day
  EXPECT_FALSE(cal->isWorkingDay(day("2025-10-08")));  // 国庆+中秋 2025, a Wednesday
  EXPECT_TRUE(cal->isWorkingDay(day("2026-10-10")));   // Saturday make-up day
  EXPECT_FALSE(cal->isWorkingDay(day("2026-06-19")));  // 端午 2026, a Friday
}

TEST(Day, ParsesAndFormatsIsoDates) {
  auto d = parseDay("2024-02-29");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(formatDay(*d), "2024-02-29");
  EXPECT_EQ(formatDay(*d + std::chrono::days{1}), "2024-03-01");
  EXPECT_FALSE(parseDay("2025-02-29").has_value());
  EXPECT_FALSE(parseDay("2026-13-01").has_value());
  EXPECT_FALSE(parseDay("2026-1-31").has_value());
  EXPECT_FALSE(parseDay("2026/01/31").has_value());
  EXPECT_FALSE(parseDay("2026-01-31 ").has_value());
}

TEST(Day, ShanghaiDayTurnsAtSixteenHundredUtc) {
  EXPECT_EQ(shanghaiDay(*parseIsoUtc("2026-02-13T15:59:59Z")), day("2026-02-13"));
  EXPECT_EQ(shanghaiDay(*parseIsoUtc("2026-02-13T16:00:00Z")), day("2026-02-14"));
  EXPECT_EQ(shanghaiDay(*parseIsoUtc("2026-02-13T00:00:00Z")), day("2026-02-13"));  // 08:00 in Shanghai
  EXPECT_EQ(shanghaiDay(*parseIsoUtc("2026-02-14T00:00:00+08:00")), day("2026-02-14"));
  EXPECT_EQ(shanghaiDay(*parseIsoUtc("1969-12-31T15:59:59Z")), day("1969-12-31"));  // before the epoch
  EXPECT_EQ(shanghaiDay(*parseIsoUtc("1969-12-31T16:00:00Z")), day("1970-01-01"));
}

}  // namespace
}  // namespace cw::core
