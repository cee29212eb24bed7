#pragma once
// UTC time formatting and parsing. Storage and the API use UTC; presentation converts to local time (the
// Asia/Shanghai zone in the console), so nothing here knows about time zones.

#include <optional>
#include <string>
#include <string_view>

#include "cw/core/clock.hpp"

namespace cw::core {

/// "2026-11-22T08:00:00Z", or with microseconds "2026-11-22T08:00:00.123456Z".
std::string formatIsoUtc(TimePoint t, bool micros = false);
/// "2026-11-22 08:00:00.123456": the literal form of a DATETIME(6) column on MySQL and MariaDB.
std::string formatSqlDateTime(TimePoint t);
/// A DATETIME column's text as the API shows it ("2026-11-22T08:00:00Z"); unparsable text is returned as is.
std::string sqlToIsoUtc(const std::string& sqlDateTime);
/// Parses "YYYY-MM-DD HH:MM:SS[.ffffff]" as UTC.
std::optional<TimePoint> parseSqlDateTime(std::string_view text);
/// Parses "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" or with an offset "+08:00"; a bare date "YYYY-MM-DD" is midnight UTC.
std::optional<TimePoint> parseIsoUtc(std::string_view text);

}  // namespace cw::core
