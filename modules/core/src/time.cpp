#include "cw/core/time.hpp"

#include <cstdio>
#include <ctime>

namespace cw::core {

namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::seconds;

struct Split {
  std::tm tm{};
  long micros = 0;
};

Split split(TimePoint t) {
  auto us = duration_cast<microseconds>(t.time_since_epoch()).count();
  auto secs = us / 1'000'000;
  long rem = static_cast<long>(us % 1'000'000);
  if (rem < 0) {
    rem += 1'000'000;
    --secs;
  }
  Split s;
  std::time_t tt = static_cast<std::time_t>(secs);
  gmtime_r(&tt, &s.tm);
  s.micros = rem;
  return s;
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

// Parses "YYYY-MM-DD?HH:MM:SS" (sep is ' ' or 'T') followed by an optional fraction; returns the position after.
std::optional<std::size_t> parseDateTime(std::string_view s, char sep, std::tm& tm, long& micros) {
  int y, mo, d, h, mi, se;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || s[10] != sep || !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) ||
      s[16] != ':' || !digits(s, 17, 2, se)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  tm = {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  micros = 0;
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int count = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (count < 6) {
        micros = micros * 10 + (s[pos] - '0');
        ++count;
      }
      ++pos;
    }
    if (count == 0) return std::nullopt;
    for (; count < 6; ++count) micros *= 10;
  }
  return pos;
}

TimePoint fromParts(std::tm& tm, long micros, long offsetSeconds) {
  std::time_t secs = timegm(&tm) - offsetSeconds;
  return TimePoint(duration_cast<TimePoint::duration>(seconds(secs) + microseconds(micros)));
}

}  // namespace

std::string formatIsoUtc(TimePoint t, bool micros) {
  Split s = split(t);
  char buf[96];
  if (micros) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", s.tm.tm_year + 1900, s.tm.tm_mon + 1,
                  s.tm.tm_mday, s.tm.tm_hour, s.tm.tm_min, s.tm.tm_sec, s.micros);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", s.tm.tm_year + 1900, s.tm.tm_mon + 1,
                  s.tm.tm_mday, s.tm.tm_hour, s.tm.tm_min, s.tm.tm_sec);
  }
  return buf;
}

std::string formatSqlDateTime(TimePoint t) {
  Split s = split(t);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06ld", s.tm.tm_year + 1900, s.tm.tm_mon + 1,
                s.tm.tm_mday, s.tm.tm_hour, s.tm.tm_min, s.tm.tm_sec, s.micros);
  return buf;
}

std::string sqlToIsoUtc(const std::string& sqlDateTime) {
  auto t = parseSqlDateTime(sqlDateTime);
  return t ? formatIsoUtc(*t) : sqlDateTime;
}

std::optional<TimePoint> parseSqlDateTime(std::string_view text) {
  std::tm tm;
  long micros;
  auto end = parseDateTime(text, ' ', tm, micros);
  if (!end || *end != text.size()) return std::nullopt;
  return fromParts(tm, micros, 0);
}

std::optional<TimePoint> parseIsoUtc(std::string_view text) {
  std::tm tm{};
  if (text.size() == 10) {
    int y, mo, d;
    if (!digits(text, 0, 4, y) || text[4] != '-' || !digits(text, 5, 2, mo) || text[7] != '-' ||
        !digits(text, 8, 2, d) || mo < 1 || mo > 12 || d < 1 || d > 31) {
      return std::nullopt;
    }
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    return fromParts(tm, 0, 0);
  }
  long micros;
  auto end = parseDateTime(text, 'T', tm, micros);
  if (!end) return std::nullopt;
  std::string_view zone = text.substr(*end);
  if (zone == "Z") return fromParts(tm, micros, 0);
  int oh, om;
  if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && digits(zone, 1, 2, oh) && zone[3] == ':' &&
      digits(zone, 4, 2, om) && oh <= 14 && om <= 59) {
    long offset = (oh * 3600L + om * 60L) * (zone[0] == '-' ? -1 : 1);
    return fromParts(tm, micros, offset);
  }
  return std::nullopt;
}

}  // namespace cw::core
