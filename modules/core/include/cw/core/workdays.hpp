#pragma once
// Working days for statutory deadlines ("a filing must be reviewed within 20 working days"). China's official
// schedule has weekends as rest days, public holidays as rest days, and some weekend days as make-up working
// days (调休上班). The State Council announces each year's schedule, usually in November, so the calendar is
// data (config/workdays.txt), not code.

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "cw/core/clock.hpp"
#include "cw/core/result.hpp"

namespace cw::core {

/// A calendar day, with no time zone attached; see shanghaiDay() for turning a UTC time into one.
using Day = std::chrono::sys_days;

/// Immutable after construction, so one instance may be shared by any number of threads.
class WorkCalendar {
 public:
  /// Weekends only: Monday to Friday are working days.
  WorkCalendar() = default;
  /// `holidays` are rest days whatever the weekday; `makeupWorkdays` are weekend days worked (调休上班).
  /// Throws std::invalid_argument if a day is in both sets or a make-up day is not a Saturday or Sunday.
  WorkCalendar(std::set<Day> holidays, std::set<Day> makeupWorkdays);

  /// Parses the calendar file format: UTF-8; `#` starts a comment; blank lines are ignored; every other line is
  /// `YYYY-MM-DD holiday|workday [label...]`, e.g. `2026-02-16 holiday 春节` or `2026-02-14 workday 春节调休`.
  /// InvalidArgument (field "workdays") names the line number and the problem: a malformed line, a date listed
  /// twice, or a `workday` that is not a weekend day.
  static Result<WorkCalendar> parse(std::string_view text);
  /// Reads and parses the file at `path`; NotFound if it cannot be read, messages prefixed with the path.
  static Result<WorkCalendar> load(const std::string& path);

  bool isWorkingDay(Day day) const;
  /// The day on which `n` working days after `start` have elapsed (start itself not counted); `start` for n == 0.
  /// Throws std::invalid_argument if n < 0. Takes time proportional to n.
  Day addWorkingDays(Day start, int n) const;
  /// Working days in (from, to]; negative when to < from (then minus the working days in (to, from]).
  int workingDaysBetween(Day from, Day to) const;
  /// The last year any listed day falls in; later years are weekend-only, so callers may warn. Empty when the
  /// calendar lists nothing.
  std::optional<int> lastCoveredYear() const;

 private:
  std::set<Day> holidays_;
  std::set<Day> makeupWorkdays_;
};

/// Parses "2026-01-31" (exactly this form, a real calendar date).
std::optional<Day> parseDay(std::string_view text);
/// Formats as "2026-01-31".
std::string formatDay(Day day);
/// The calendar day in Asia/Shanghai (UTC+8, no daylight saving since 1991) of a UTC time point: deadlines are
/// counted in local days, so 2026-02-13T16:00:00Z is already 2026-02-14 there.
Day shanghaiDay(TimePoint t);

}  // namespace cw::core
