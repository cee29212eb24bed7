#pragma once
// The credit scorecard (信用评分卡): no national formula exists, so it is versioned configuration
// (config/credit-scorecard.json): a base (1000), bonus and deduction items by record kind and severity, time decay
// over each record's publication window, caps, the effect of list memberships, and grade bands (default A/B/C/D;
// A+..D- works the same) each mapped to the risk tier the draws use (A..D).
//
// The score of an entity is a pure function of its records, its list memberships, the scorecard and the day:
//   score = clamp(base + capped sum of decayed item points, min, max)
//   grade = the first band (highest first) whose minimum the score reaches, then limited by list effects
//           (e.g. a blacklisted entity is never above D, a red-listed one never below B, as configured); floors
//           apply first, then ceilings, so a blacklist prevails over a red list.
// Every point is explained item by item (computeScore().lines).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cw/core/result.hpp"
#include "cw/core/workdays.hpp"

namespace cw::credit {

struct ScoreItem {
  std::string kind;      // record kind: penalty, commendation, hazard_overdue, ...
  std::string severity;  // minor | general | serious, or "*" for any
  int points = 0;        // negative = deduction, positive = bonus
  std::string label;     // 一般行政处罚
};

struct Band {
  std::string grade;     // "A", "A+", ...
  int minScore = 0;
  std::string drawTier;  // A | B | C | D: the tier the draw ratios are set for
  std::string label;     // 诚信 / 守信 / 基本守信 / 失信
};

struct ListEffect {
  std::string listKind;                 // blacklist | watchlist | redlist
  std::optional<std::string> maxGrade;  // the grade is at most this (by band order)
  std::optional<std::string> minGrade;  // at least this
};

struct Scorecard {
  std::string id;       // "jiujiang-credit"
  std::string version;  // "2026.1"
  std::string title;
  int base = 1000;
  int minScore = 0;
  int maxScore = 1200;
  /// Points decline linearly from full on the decision day to floorPercent at the end of the publication window;
  /// 100 = no decay. A record outside its window counts nothing.
  int decayFloorPercent = 50;
  int maxDeduction = 1000;  // cap of the summed deductions (positive number)
  int maxBonus = 200;       // cap of the summed bonuses
  std::map<std::string, int> kindCaps;  // per-kind cap of the absolute sum
  std::vector<ScoreItem> items;
  std::vector<Band> bands;  // highest first
  std::vector<ListEffect> listEffects;

  /// The item for a record of this kind and severity (exact severity first, then "*"), or null (scores 0).
  const ScoreItem* item(std::string_view kind, std::string_view severity) const;
  const Band* band(std::string_view grade) const;
  /// Index in bands (0 = best), or -1.
  int bandIndex(std::string_view grade) const;
};

/// Strict parse: unknown keys, wrong types, repeated items/grades/lists, unordered bands and unknown grades are
/// refused. InvalidArgument (field "scorecard") naming the path of the first problem ("$.bands[2].min: bands go
/// from highest to lowest: 950 is not below B's 950"). The file's "notes" are checked but not kept.
core::Result<Scorecard> parseScorecard(std::string_view json);

/// What the score engine needs of a record.
struct ScoredRecord {
  std::int64_t id = 0;
  std::string kind;
  std::string severity;
  std::string title;      // for the explanation: kind label + document number
  core::Day decidedOn{};
  core::Day publishUntil{};  // end of the publication window (exclusive)
};

struct ScoreLine {
  std::int64_t recordId = 0;
  std::string kind;
  std::string severity;
  std::string title;
  std::string itemLabel;
  int fullPoints = 0;     // the item's points
  int decayedPoints = 0;  // after decay on the day
  int countedPoints = 0;  // after caps
  int daysLeft = 0;       // until the record leaves its window
  std::string note;       // "capped: deductions limited to 1000", "no scorecard item"
};

struct Score {
  std::string scorecardId;
  std::string scorecardVersion;
  int base = 0;
  int total = 0;
  std::string bandGrade;  // by score alone
  std::string grade;      // after list effects
  std::string drawTier;
  std::string gradeLabel;
  std::vector<ScoreLine> lines;
  std::vector<std::string> listNotes;  // "列入失信联合惩戒对象名单：等级不高于 D（由 A 调整为 D）"
  /// The next day a scored record enters or leaves its window (the earliest publishUntil of a counted record, or
  /// decidedOn of a future one); daily decay aside, the score cannot change before it. Empty when nothing is due.
  std::optional<core::Day> nextChange;
};

/// Pure: the score on `today` of records (any order) with the entity's current list kinds.
/// Records whose window has ended are left out; records decided after `today` are listed and count 0. Lines are
/// ordered by decidedOn descending, then id. Caps (per kind, then maxDeduction, then maxBonus) grant points in
/// that order: the latest records keep theirs and the earliest, which leave their window first, are reduced, with
/// a note on each reduced line. Decay rounds toward zero. Thread-safe: touches nothing but its arguments.
Score computeScore(const Scorecard& card, const std::vector<ScoredRecord>& records,
                   const std::vector<std::string>& listKinds, core::Day today);

}  // namespace cw::credit
