#pragma once
// The rating engine: pure functions from score sheets to a level and the reasons for it. No I/O, so a rating can
// be recomputed from its stored sheets at any time, and every boundary is unit-tested.
//
//   aggregate(sheets)  per item, the median (or mean) of the evaluators' points, rounded half up to a tenth;
//                      a veto item fails when at least half of the evaluators failed it (a tie fails: safety first)
//   evaluate(scores)   the highest level whose total and every per-part floor are met; a failed veto gives the
//                      scheme's veto_result (or no level); plus what the next level up needs

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cw/core/result.hpp"
#include "cw/ratings/scheme.hpp"

namespace cw::ratings {

/// One evaluator's (or the self-assessment's, or the aggregated) scores: points in tenths per scored leaf, and
/// passed/failed per veto item.
struct Sheet {
  std::map<std::string, Tenths> points;
  std::map<std::string, bool> vetoes;
};

enum class Aggregation { Median, Mean };

/// "median" | "mean"; nullopt for anything else.
std::optional<Aggregation> parseAggregation(const std::string& text);
std::string toString(Aggregation a);

/// Checks one line against the scheme: the code is a scored leaf and 0 <= points <= its maximum.
core::Status checkPoints(const Scheme& scheme, const std::string& code, Tenths points);
/// FailedPrecondition naming the first scored item or veto item the sheet has not answered.
core::Status checkComplete(const Scheme& scheme, const Sheet& sheet);

Tenths median(std::vector<Tenths> values);
Tenths mean(const std::vector<Tenths>& values);
/// Combines complete sheets (at least one) item by item.
Sheet aggregate(const Scheme& scheme, const std::vector<Sheet>& sheets, Aggregation how);

/// Something the next level needs: `kind` total (code empty), part (code = part code) or veto (code = veto code,
/// have 0, need 1); amounts in tenths.
struct Shortfall {
  std::string kind;
  std::string code;
  Tenths have = 0;
  Tenths need = 0;
};

struct Outcome {
  Tenths total = 0;
  std::vector<Tenths> parts;  // per scheme part, in order
  std::optional<std::string> level;  // none: below the lowest level (or a failed veto without veto_result)
  std::vector<std::string> failedVetoes;
  /// What kept the result from the next level up: veto | total | part_floor, or top when the highest level is
  /// reached.
  std::string decidedBy;
  std::optional<std::string> nextLevel;
  std::vector<Shortfall> nextNeeds;
};

/// Evaluates a complete sheet (missing items count as zero, missing vetoes as passed).
Outcome evaluate(const Scheme& scheme, const Sheet& scores);

}  // namespace cw::ratings
