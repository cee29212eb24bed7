#pragma once
// Credit domain types and the pure rules: record kinds, publication windows (信用修复管理办法, in force
// 2026-04-01: minor <= 3 months, general 3..12 months, serious 12..36 months; severe penalties cannot end early),
// the nine blacklist grounds of 民发〔2019〕103号 and the court judgment-defaulter rule, list kinds.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cw/core/result.hpp"
#include "cw/core/workdays.hpp"

namespace cw::credit {

/// A kind of credit record, with the polarity it always has.
struct RecordKind {
  const char* code;
  const char* name;    // Chinese label
  const char* nameEn;
  bool positive;
  bool departmentMayEnter;  // entered through POST /credit/records (the others come from events or imports)
};
const std::vector<RecordKind>& recordKinds();
const RecordKind* recordKind(std::string_view code);

inline const std::vector<std::string> kSeverities{"minor", "general", "serious"};
inline const std::vector<std::string> kListKinds{"blacklist", "watchlist", "redlist"};
std::string listKindName(std::string_view kind);  // 失信联合惩戒对象名单 ...

/// A ground for the blacklist: the nine of 民发〔2019〕103号 plus the court judgment-defaulter (listed by rule).
struct Ground {
  const char* code;
  const char* name;
  const char* basis;
};
const std::vector<Ground>& blacklistGrounds();
const Ground* blacklistGround(std::string_view code);

/// Add months keeping the day of month, clamped to the month's last day (2026-01-31 + 1 month = 2026-02-28).
core::Day addMonths(core::Day day, int months);

struct Window {
  core::Day minUntil;      // publication may end early (repair) from this day
  core::Day publishUntil;  // publication ends automatically on this day (exclusive)
};

/// The publication window of a record decided on `decidedOn`. `months` is the period the department set (default
/// the maximum for negative records, 36 months for positive ones); it must lie within the severity's bounds
/// (minor 0..3, general 3..12, serious 12..36), else InvalidArgument on "publish_months". The minimum is 0, 3 or 12
/// months; for a severe penalty (licence revoked, business suspended ...) the minimum is the whole period.
core::Result<Window> publicationWindow(std::string_view severity, bool positive, core::Day decidedOn,
                                       std::optional<int> months, bool severePenalty);

}  // namespace cw::credit
