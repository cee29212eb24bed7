#include "cw/ratings/engine.hpp"

#include <algorithm>
#include <numeric>

namespace cw::ratings {

using core::Error;

std::optional<Aggregation> parseAggregation(const std::string& text) {
  if (text == "median") return Aggregation::Median;
  if (text == "mean") return Aggregation::Mean;
  return std::nullopt;
}

std::string toString(Aggregation a) { return a == Aggregation::Median ? "median" : "mean"; }

namespace {

std::string points(Tenths t) {
  std::string s = std::to_string(t / 10);
  if (t % 10) s += "." + std::to_string(t % 10);
  return s;
}

// Half up, for non-negative numerators.
Tenths divideRounded(Tenths numerator, Tenths denominator) { return (2 * numerator + denominator) / (2 * denominator); }

bool qualifies(const Scheme& s, const Outcome& o, const Level& l) {
  if (o.total < static_cast<Tenths>(l.minTotal) * 10) return false;
  for (std::size_t p = 0; p < s.parts.size(); ++p) {
    if (o.parts[p] < partFloor(s.parts[p].maxPoints, l.minPartPercent)) return false;
  }
  return true;
}

std::vector<Shortfall> shortfalls(const Scheme& s, const Outcome& o, const Level& l) {
  std::vector<Shortfall> out;
  Tenths needTotal = static_cast<Tenths>(l.minTotal) * 10;
  if (o.total < needTotal) out.push_back({"total", "", o.total, needTotal});
  for (std::size_t p = 0; p < s.parts.size(); ++p) {
    Tenths floor = partFloor(s.parts[p].maxPoints, l.minPartPercent);
    if (o.parts[p] < floor) out.push_back({"part", s.parts[p].code, o.parts[p], floor});
  }
  return out;
}

}  // namespace

core::Status checkPoints(const Scheme& scheme, const std::string& code, Tenths value) {
  const Leaf* leaf = scheme.leaf(code);
  if (!leaf) return Error::invalid("item_code", "\"" + code + "\" is not a scored item of " + scheme.code);
  if (value < 0 || value > static_cast<Tenths>(leaf->maxPoints) * 10) {
    return Error::invalid("points", "item " + code + " scores 0 to " + std::to_string(leaf->maxPoints) + " points, not " +
                                        points(value));
  }
  return core::Ok{};
}

core::Status checkComplete(const Scheme& scheme, const Sheet& sheet) {
  for (const auto& v : scheme.vetoes) {
    if (!sheet.vetoes.count(v.code)) return Error::precondition("basic item " + v.code + " " + v.name + " is not judged yet");
  }
  for (const auto& l : scheme.leaves) {
    if (!sheet.points.count(l.code)) return Error::precondition("item " + l.code + " " + l.name + " is not scored yet");
  }
  return core::Ok{};
}

Tenths median(std::vector<Tenths> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  std::size_t n = values.size();
  if (n % 2) return values[n / 2];
  return divideRounded(values[n / 2 - 1] + values[n / 2], 2);
}

Tenths mean(const std::vector<Tenths>& values) {
  if (values.empty()) return 0;
  return divideRounded(std::accumulate(values.begin(), values.end(), Tenths{0}), static_cast<Tenths>(values.size()));
}

Sheet aggregate(const Scheme& scheme, const std::vector<Sheet>& sheets, Aggregation how) {
  Sheet out;
  for (const auto& l : scheme.leaves) {
    std::vector<Tenths> values;
    for (const auto& s : sheets) {
      if (auto it = s.points.find(l.code); it != s.points.end()) values.push_back(it->second);
    }
    if (values.empty()) continue;
    out.points[l.code] = how == Aggregation::Median ? median(values) : mean(values);
  }
  for (const auto& v : scheme.vetoes) {
    std::size_t judged = 0;
    std::size_t failed = 0;
    for (const auto& s : sheets) {
      if (auto it = s.vetoes.find(v.code); it != s.vetoes.end()) {
        ++judged;
        if (!it->second) ++failed;
      }
    }
    if (judged) out.vetoes[v.code] = 2 * failed < judged;
  }
  return out;
}

Outcome evaluate(const Scheme& scheme, const Sheet& scores) {
  Outcome o;
  o.parts.assign(scheme.parts.size(), 0);
  for (const auto& l : scheme.leaves) {
    if (auto it = scores.points.find(l.code); it != scores.points.end()) o.parts[l.part] += it->second;
  }
  o.total = std::accumulate(o.parts.begin(), o.parts.end(), Tenths{0});
  for (const auto& v : scheme.vetoes) {
    if (auto it = scores.vetoes.find(v.code); it != scores.vetoes.end() && !it->second) o.failedVetoes.push_back(v.code);
  }

  int reached = -1;
  if (!o.failedVetoes.empty()) {
    if (scheme.vetoResult) reached = scheme.levelIndex(*scheme.vetoResult);
    o.level = scheme.vetoResult;
    o.decidedBy = "veto";
  } else {
    for (std::size_t i = 0; i < scheme.levels.size(); ++i) {
      if (qualifies(scheme, o, scheme.levels[i])) reached = static_cast<int>(i);
    }
    if (reached >= 0) o.level = scheme.levels[static_cast<std::size_t>(reached)].code;
  }
  std::size_t next = static_cast<std::size_t>(reached + 1);
  if (next >= scheme.levels.size()) {
    o.decidedBy = "top";
    return o;
  }
  const Level& up = scheme.levels[next];
  o.nextLevel = up.code;
  for (const auto& v : o.failedVetoes) o.nextNeeds.push_back({"veto", v, 0, 1});
  auto more = shortfalls(scheme, o, up);
  o.nextNeeds.insert(o.nextNeeds.end(), more.begin(), more.end());
  if (o.decidedBy.empty()) {
    bool totalShort = std::any_of(more.begin(), more.end(), [](const Shortfall& s) { return s.kind == "total"; });
    o.decidedBy = totalShort ? "total" : "part_floor";
  }
  return o;
}

}  // namespace cw::ratings
