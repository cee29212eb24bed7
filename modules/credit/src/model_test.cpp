#include "cw/credit/model.hpp"

#include <gtest/gtest.h>

namespace cw::credit {
namespace {

core::Day day(const char* text) { return *core::parseDay(text); }

TEST(PublicationWindow, GeneralDefaultsToAYearAndMayEndAfterThreeMonths) {
  auto w = publicationWindow("general", false, day("2026-06-01"), std::nullopt, false);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(core::formatDay(w->publishUntil), "2027-06-01");
  EXPECT_EQ(core::formatDay(w->minUntil), "2026-09-01");
}

TEST(PublicationWindow, SeriousRunsOneToThreeYearsWithAYearMinimum) {
  auto w = publicationWindow("serious", false, day("2026-06-01"), 24, false);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(core::formatDay(w->publishUntil), "2028-06-01");
  EXPECT_EQ(core::formatDay(w->minUntil), "2027-06-01");
  EXPECT_FALSE(publicationWindow("serious", false, day("2026-06-01"), 11, false).ok());
  EXPECT_FALSE(publicationWindow("serious", false, day("2026-06-01"), 37, false).ok());
}

TEST(PublicationWindow, MinorIsAtMostThreeMonthsAndMayBeUnpublished) {
  auto none = publicationWindow("minor", false, day("2026-06-01"), 0, false);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->publishUntil, day("2026-06-01"));
  auto tooLong = publicationWindow("minor", false, day("2026-06-01"), 4, false);
  ASSERT_FALSE(tooLong.ok());
  EXPECT_EQ(tooLong.error().field, "publish_months");
}

TEST(PublicationWindow, ASeverePenaltyCannotEndEarly) {
  auto w = publicationWindow("serious", false, day("2026-06-01"), 36, true);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->minUntil, w->publishUntil);
}

TEST(PublicationWindow, AnUnknownSeverityIsNamed) {
  auto w = publicationWindow("grave", false, day("2026-06-01"), std::nullopt, false);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().field, "severity");
}

TEST(AddMonths, ClampsToTheLastDayOfTheMonth) {
  EXPECT_EQ(core::formatDay(addMonths(day("2026-01-31"), 1)), "2026-02-28");
  EXPECT_EQ(core::formatDay(addMonths(day("2028-01-31"), 1)), "2028-02-29");
  EXPECT_EQ(core::formatDay(addMonths(day("2026-11-30"), 3)), "2027-02-28");
}

TEST(BlacklistGrounds, TheNineGroundsOf103PlusTheCourtRule) {
  EXPECT_EQ(blacklistGrounds().size(), 10u);
  ASSERT_NE(blacklistGround("fire_hazard"), nullptr);
  ASSERT_NE(blacklistGround("court_defaulter"), nullptr);
  EXPECT_EQ(blacklistGround("late_payment"), nullptr);
}

}  // namespace
}  // namespace cw::credit
