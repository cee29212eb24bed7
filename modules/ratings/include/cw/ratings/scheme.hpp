#pragma once
// A rating scheme (评定标准): a versioned indicator tree of parts -> items -> sub-items with maximum points,
// scoring guidance and required evidence, the levels with their total and per-part floors, and the veto (basic)
// items. Schemes are data (config/rating-schemes/*.json), read strictly: a tree whose points do not add up is
// refused with the path of the first inconsistency ("parts[1].items[3]: sub-items add up to 18, max_points is
// 20"), so a rating can never be computed against a broken scheme.
//
// Points are whole numbers in the scheme; scores are kept in tenths of a point (Tenths) so that a mean or a
// median of an even panel is exact enough and never a floating-point sum.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cw/core/result.hpp"

namespace cw::ratings {

using Tenths = long long;

struct Node {
  std::string code;
  std::string name;
  std::string nameEn;
  int maxPoints = 0;
  std::string guidance;  // how to score (leaves; optional on an item with sub-items)
  std::string evidence;  // what the evaluator checks
  std::vector<Node> children;
};

struct Level {
  std::string code;  // "L1".."L5", "D".."A"
  std::string name;
  std::string nameEn;
  int minTotal = 0;        // points
  int minPartPercent = 0;  // every part at least this share of its maximum
};

struct Veto {
  std::string code;
  std::string name;
  std::string nameEn;
  std::string basis;
};

/// A scored leaf (a sub-item, or an item without sub-items), in scheme order.
struct Leaf {
  std::string code;
  std::string name;
  std::size_t part = 0;  // index into Scheme::parts
  int maxPoints = 0;
};

struct Scheme {
  std::string code;     // "GBT37276"
  std::string version;  // "2018.1"
  std::string sector;   // elderly | childcare
  std::string standard;
  std::string title;
  std::string titleEn;
  std::string source;
  std::string thresholdsSource;  // standard | configuration
  int totalPoints = 0;
  std::vector<Level> levels;  // ascending
  std::optional<std::string> vetoResult;  // the level a failed veto gives; none = no level at all
  std::vector<Veto> vetoes;
  std::vector<Node> parts;
  std::vector<Leaf> leaves;

  const Leaf* leaf(std::string_view code) const;
  const Veto* veto(std::string_view code) const;
  const Level* level(std::string_view code) const;
  /// Index of the level in `levels`, or -1.
  int levelIndex(std::string_view code) const;
};

/// Parses a scheme; InvalidArgument (field "scheme") naming the path of the first problem.
core::Result<Scheme> parseScheme(std::string_view json);
/// The floor of a part for a level, in tenths: the smallest score that is at least minPartPercent of maxPoints.
Tenths partFloor(int maxPoints, int minPartPercent);

}  // namespace cw::ratings

namespace cw::ratings {

struct SchemeFile {
  std::string path;
  std::string text;
  Scheme scheme;
};

/// Reads and parses every *.json file of `directory` (in name order); the first problem stops it, its message
/// beginning with the file's path. NotFound when the directory holds no scheme.
core::Result<std::vector<SchemeFile>> loadSchemeDirectory(const std::string& directory);

}  // namespace cw::ratings
