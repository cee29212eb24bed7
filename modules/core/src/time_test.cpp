#include "cw/core/time.hpp"

#include <gtest/gtest.h>

namespace cw::core {
namespace {

TEST(Time, FormatsIsoAndSqlInUtc) {
  auto t = *parseIsoUtc("2026-11-22T08:05:09.123456Z");
  EXPECT_EQ(formatIsoUtc(t), "2026-11-22T08:05:09Z");
  EXPECT_EQ(formatIsoUtc(t, true), "2026-11-22T08:05:09.123456Z");
  EXPECT_EQ(formatSqlDateTime(t), "2026-11-22 08:05:09.123456");
}

TEST(Time, SqlDateTimeRoundTrips) {
  auto t = parseSqlDateTime("2024-02-29 23:59:59.000001");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(formatSqlDateTime(*t), "2024-02-29 23:59:59.000001");
  EXPECT_TRUE(parseSqlDateTime("2024-02-29 23:59:59").has_value());
}

TEST(Time, IsoOffsetIsConvertedToUtc) {
  auto shanghai = parseIsoUtc("2026-11-22T16:00:00+08:00");
  ASSERT_TRUE(shanghai.has_value());
  EXPECT_EQ(formatIsoUtc(*shanghai), "2026-11-22T08:00:00Z");
}

TEST(Time, BareDateIsMidnightUtc) {
  EXPECT_EQ(formatIsoUtc(*parseIsoUtc("2026-01-31")), "2026-01-31T00:00:00Z");
}

TEST(Time, RejectsMalformedInput) {
  EXPECT_FALSE(parseIsoUtc("2026-13-01").has_value());
  EXPECT_FALSE(parseIsoUtc("2026-11-22 08:00:00Z").has_value());
  EXPECT_FALSE(parseIsoUtc("2026-11-22T08:00:00").has_value());
  EXPECT_FALSE(parseIsoUtc("yesterday").has_value());
  EXPECT_FALSE(parseSqlDateTime("2026-11-22T08:00:00").has_value());
}

TEST(Clock, ManualClockAdvances) {
  ManualClock clock(*parseIsoUtc("2026-01-01T00:00:00Z"));
  clock.advance(std::chrono::minutes(31));
  EXPECT_EQ(formatIsoUtc(clock.now()), "2026-01-01T00:31:00Z");
}

}  // namespace
}  // namespace cw::core
