#include "cw/core/workdays.hpp"

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "cw/core/validation.hpp"

namespace cw::core {

namespace {

using std::chrono::days;

constexpr std::string_view kField = "workdays";

bool isWeekend(Day day) {
  auto wd = std::chrono::weekday{day};
  return wd == std::chrono::Saturday || wd == std::chrono::Sunday;
}

// Monday to Friday among the days before `day`, counted from a fixed Monday (1970-01-05). Only differences of
// this function mean anything; floor division keeps it consistent for days before the origin.
long long weekdaysBefore(Day day) {
  constexpr long long kMondayOrigin = 4;  // 1970-01-01 was a Thursday
  long long m = day.time_since_epoch().count() - kMondayOrigin;
  long long weeks = m / 7;
  long long rest = m % 7;
  if (rest < 0) {
    rest += 7;
    --weeks;
  }
  return 5 * weeks + (rest < 5 ? rest : 5);
}

// Working days in (from, to] for from <= to.
long long countForward(const std::set<Day>& holidays, const std::set<Day>& makeup, Day from, Day to) {
  long long n = weekdaysBefore(to + days{1}) - weekdaysBefore(from + days{1});
  for (auto it = holidays.upper_bound(from); it != holidays.end() && *it <= to; ++it) {
    if (!isWeekend(*it)) --n;
  }
  for (auto it = makeup.upper_bound(from); it != makeup.end() && *it <= to; ++it) ++n;  // all weekend days
  return n;
}

const char* weekdayName(Day day) {
  static constexpr const char* kNames[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                           "Thursday", "Friday", "Saturday"};
  return kNames[std::chrono::weekday{day}.c_encoding()];
}

std::vector<std::string_view> splitWords(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::size_t b = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > b) words.push_back(text.substr(b, i - b));
  }
  return words;
}

}  // namespace

WorkCalendar::WorkCalendar(std::set<Day> holidays, std::set<Day> makeupWorkdays)
    : holidays_(std::move(holidays)), makeupWorkdays_(std::move(makeupWorkdays)) {
  for (Day d : makeupWorkdays_) {
    if (!isWeekend(d)) {
      throw std::invalid_argument("make-up workday " + formatDay(d) + " is not a Saturday or Sunday");
    }
    if (holidays_.count(d) != 0) {
      throw std::invalid_argument(formatDay(d) + " is both a holiday and a make-up workday");
    }
  }
}

Result<WorkCalendar> WorkCalendar::parse(std::string_view text) {
  enum class Kind { Holiday, Workday };
  struct Seen {
    Kind kind;
    int line;
  };
  std::map<Day, Seen> seen;
  std::set<Day> holidays, makeup;
  auto fail = [](int line, const std::string& why) {
    return Error::invalid(std::string(kField), "line " + std::to_string(line) + ": " + why);
  };

  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a BOM some editors write
  int lineNo = 0;
  while (!text.empty()) {
    ++lineNo;
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);

    if (!isValidUtf8(line)) return fail(lineNo, "is not valid UTF-8 (save the file as UTF-8)");
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    std::string content = trim(line);
    if (content.empty()) continue;

    auto words = splitWords(content);
    auto day = parseDay(words[0]);
    if (!day) {
      return fail(lineNo, "'" + std::string(words[0]) + "' is not a date; expected YYYY-MM-DD, e.g. 2026-02-16");
    }
    if (words.size() < 2) return fail(lineNo, "expected 'holiday' or 'workday' after the date");
    Kind kind;
    if (words[1] == "holiday") {
      kind = Kind::Holiday;
    } else if (words[1] == "workday") {
      kind = Kind::Workday;
    } else {
      return fail(lineNo, "expected 'holiday' or 'workday' after the date, not '" + std::string(words[1]) + "'");
    }

    std::string date = formatDay(*day);
    if (auto it = seen.find(*day); it != seen.end()) {
      if (it->second.kind == kind) {
        return fail(lineNo, date + " is already listed on line " + std::to_string(it->second.line));
      }
      return fail(lineNo, date + " is listed as " + std::string(words[1]) + " here but as " +
                              (it->second.kind == Kind::Holiday ? "holiday" : "workday") + " on line " +
                              std::to_string(it->second.line) + "; a day is either a holiday or a make-up workday");
    }
    if (kind == Kind::Workday && !isWeekend(*day)) {
      return fail(lineNo, date + " is a " + weekdayName(*day) +
                              ", already a working day; a make-up workday (调休上班) is a Saturday or Sunday");
    }
    seen.emplace(*day, Seen{kind, lineNo});
    (kind == Kind::Holiday ? holidays : makeup).insert(*day);
  }
  return WorkCalendar(std::move(holidays), std::move(makeup));
}

Result<WorkCalendar> WorkCalendar::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::notFound("cannot read the work calendar " + path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Error::notFound("cannot read the work calendar " + path);
  auto calendar = parse(buffer.str());
  if (!calendar.ok()) {
    Error e = calendar.error();
    e.message = path + " " + e.message;
    return e;
  }
  return calendar;
}

bool WorkCalendar::isWorkingDay(Day day) const {
  if (holidays_.count(day) != 0) return false;
  if (makeupWorkdays_.count(day) != 0) return true;
  return !isWeekend(day);
}

Day WorkCalendar::addWorkingDays(Day start, int n) const {
  if (n < 0) throw std::invalid_argument("addWorkingDays: n must not be negative");
  Day day = start;
  while (n > 0) {
    day += days{1};
    if (isWorkingDay(day)) --n;
  }
  return day;
}

int WorkCalendar::workingDaysBetween(Day from, Day to) const {
  if (to < from) return -static_cast<int>(countForward(holidays_, makeupWorkdays_, to, from));
  return static_cast<int>(countForward(holidays_, makeupWorkdays_, from, to));
}

std::optional<int> WorkCalendar::lastCoveredYear() const {
  std::optional<Day> last;
  if (!holidays_.empty()) last = *holidays_.rbegin();
  if (!makeupWorkdays_.empty() && (!last || *makeupWorkdays_.rbegin() > *last)) last = *makeupWorkdays_.rbegin();
  if (!last) return std::nullopt;
  return static_cast<int>(std::chrono::year_month_day{*last}.year());
}

std::optional<Day> parseDay(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto number = [&](std::size_t pos, std::size_t n, int& out) {
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int y, m, d;
  if (!number(0, 4, y) || !number(5, 2, m) || !number(8, 2, d)) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return Day{ymd};
}

std::string formatDay(Day day) {
  std::chrono::year_month_day ymd{day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

Day shanghaiDay(TimePoint t) { return std::chrono::floor<days>(t + std::chrono::hours{8}); }

}  // namespace cw::core
