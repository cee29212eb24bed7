#include "cw/credit/scorecard.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <regex>
#include <set>
#include <utility>

#include "cw/core/validation.hpp"

namespace cw::credit {

using core::Error;
using Poco::JSON::Object;

const ScoreItem* Scorecard::item(std::string_view kind, std::string_view severity) const {
  const ScoreItem* any = nullptr;
  for (const auto& i : items) {
    if (i.kind != kind) continue;
    if (i.severity == severity) return &i;
    if (i.severity == "*") any = &i;
  }
  return any;
}

const Band* Scorecard::band(std::string_view grade) const {
  int i = bandIndex(grade);
  return i < 0 ? nullptr : &bands[static_cast<std::size_t>(i)];
}

int Scorecard::bandIndex(std::string_view grade) const {
  for (std::size_t i = 0; i < bands.size(); ++i) {
    if (bands[i].grade == grade) return static_cast<int>(i);
  }
  return -1;
}

namespace {

// Bounds of every configured figure: wide enough for any plausible scorecard, narrow enough that the score
// arithmetic below cannot overflow.
constexpr int kMaxMagnitude = 1000000;

Error problem(const std::string& path, const std::string& message) {
  return Error::invalid("scorecard", "credit scorecard: " + path + ": " + message);
}

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + v;
  return out;
}

// Reads the fields of one JSON object, naming its path in every error.
class Fields {
 public:
  Fields(Object::Ptr object, std::string path) : o_(std::move(object)), path_(std::move(path)) {}

  // Strictness: a misspelt key ("pionts") would otherwise be silently ignored and its default used.
  core::Status onlyKeys(const std::set<std::string>& allowed) const {
    for (const auto& name : o_->getNames()) {
      if (!allowed.count(name)) {
        return problem(at(name), "unknown key (allowed: " + joined({allowed.begin(), allowed.end()}) + ")");
      }
    }
    return core::Ok{};
  }

  bool has(const std::string& key) const { return o_->has(key); }

  core::Result<std::string> text(const std::string& key, std::size_t minChars, std::size_t maxChars) const {
    if (!o_->has(key) || !o_->get(key).isString()) return problem(at(key), "missing or not a string");
    auto v = o_->getValue<std::string>(key);
    if (!core::isValidUtf8(v) || core::utf8Length(v) < minChars || core::utf8Length(v) > maxChars) {
      return problem(at(key), "must be " + std::to_string(minChars) + " to " + std::to_string(maxChars) +
                                  " characters of UTF-8");
    }
    return v;
  }

  core::Result<std::string> matching(const std::string& key, const std::regex& pattern,
                                     const std::string& what) const {
    auto v = text(key, 1, 64);
    if (!v) return v;
    if (!std::regex_match(*v, pattern)) return problem(at(key), "\"" + *v + "\" is not " + what);
    return v;
  }

  core::Result<std::string> oneOf(const std::string& key, const std::vector<std::string>& allowed) const {
    auto v = text(key, 1, 32);
    if (!v) return v;
    if (std::find(allowed.begin(), allowed.end(), *v) != allowed.end()) return v;
    return problem(at(key), "\"" + *v + "\" is not one of " + joined(allowed));
  }

  core::Result<int> integer(const std::string& key, int min, int max) const {
    if (!o_->has(key)) return problem(at(key), "missing or not a whole number");
    return wholeNumber(o_->get(key), at(key), min, max);
  }

  // Poco reports a JSON true/false as an integer too, hence the explicit boolean check.
  static core::Result<int> wholeNumber(const Poco::Dynamic::Var& value, const std::string& path, int min, int max) {
    if (value.isEmpty() || value.isBoolean() || !value.isInteger()) {
      return problem(path, "missing or not a whole number");
    }
    long long v = 0;
    try {
      v = value.convert<Poco::Int64>();
    } catch (const std::exception&) {
      return problem(path, "is too large");
    }
    if (v < min || v > max) {
      return problem(path, std::to_string(v) + " is outside " + std::to_string(min) + ".." + std::to_string(max));
    }
    return static_cast<int>(v);
  }

  core::Result<Poco::JSON::Array::Ptr> array(const std::string& key, bool required) const {
    if (!o_->has(key)) {
      if (required) return problem(at(key), "missing");
      return Poco::JSON::Array::Ptr();
    }
    if (!o_->isArray(key)) return problem(at(key), "not an array");
    auto a = o_->getArray(key);
    if (required && a->size() == 0) return problem(at(key), "empty");
    return a;
  }

  core::Result<Object::Ptr> object(const std::string& key) const {
    if (!o_->has(key)) return Object::Ptr();
    if (!o_->isObject(key)) return problem(at(key), "not an object");
    return o_->getObject(key);
  }

  std::string at(const std::string& key) const { return path_ + "." + key; }

 private:
  Object::Ptr o_;
  std::string path_;
};

core::Result<Fields> element(const Poco::JSON::Array::Ptr& a, std::size_t i, const std::string& path) {
  if (!a->isObject(static_cast<unsigned>(i))) return problem(path, "not an object");
  return Fields(a->getObject(static_cast<unsigned>(i)), path);
}

const std::regex kKind("[a-z][a-z0-9_]{0,47}");

class Parser {
 public:
  core::Result<Scorecard> run(const Object::Ptr& root) {
    Fields f(root, "$");
    if (auto ok = f.onlyKeys({"id", "version", "title", "notes", "base", "min", "max", "decay_floor_percent",
                              "max_deduction", "max_bonus", "kind_caps", "items", "bands", "list_effects"});
        !ok) {
      return ok.error();
    }
    if (auto ok = header(f); !ok) return ok.error();
    if (auto ok = readItems(f); !ok) return ok.error();
    if (auto ok = readKindCaps(f); !ok) return ok.error();
    if (auto ok = readBands(f); !ok) return ok.error();
    if (auto ok = readListEffects(f); !ok) return ok.error();
    return std::move(c_);
  }

 private:
  core::Status header(const Fields& f) {
    static const std::regex kId("[a-z0-9][a-z0-9._-]{0,63}");
    auto id = f.matching("id", kId, "1 to 64 of a-z 0-9 . _ - starting with a letter or digit");
    if (!id) return id.error();
    c_.id = *id;
    auto version = f.text("version", 1, 16);
    if (!version) return version.error();
    c_.version = *version;
    auto title = f.text("title", 1, 128);
    if (!title) return title.error();
    c_.title = *title;
    // The notes explain the figures to a reader of the file; the engine has no use for them.
    if (f.has("notes")) {
      auto notes = f.text("notes", 0, 2000);
      if (!notes) return notes.error();
    }
    auto min = f.integer("min", -kMaxMagnitude, kMaxMagnitude);
    if (!min) return min.error();
    c_.minScore = *min;
    auto max = f.integer("max", -kMaxMagnitude, kMaxMagnitude);
    if (!max) return max.error();
    if (*max <= *min) return problem("$.max", std::to_string(*max) + " is not above min " + std::to_string(*min));
    c_.maxScore = *max;
    auto base = f.integer("base", c_.minScore, c_.maxScore);
    if (!base) return base.error();
    c_.base = *base;
    auto floor = f.integer("decay_floor_percent", 0, 100);
    if (!floor) return floor.error();
    c_.decayFloorPercent = *floor;
    auto maxDeduction = f.integer("max_deduction", 0, kMaxMagnitude);
    if (!maxDeduction) return maxDeduction.error();
    c_.maxDeduction = *maxDeduction;
    auto maxBonus = f.integer("max_bonus", 0, kMaxMagnitude);
    if (!maxBonus) return maxBonus.error();
    c_.maxBonus = *maxBonus;
    return core::Ok{};
  }

  core::Status readItems(const Fields& f) {
    auto items = f.array("items", true);
    if (!items) return items.error();
    std::set<std::pair<std::string, std::string>> seen;
    for (std::size_t i = 0; i < (*items)->size(); ++i) {
      std::string path = "$.items[" + std::to_string(i) + "]";
      auto e = element(*items, i, path);
      if (!e) return e.error();
      if (auto ok = e->onlyKeys({"kind", "severity", "points", "label"}); !ok) return ok.error();
      ScoreItem item;
      auto kind = e->matching("kind", kKind, "1 to 48 of a-z 0-9 _ starting with a letter");
      if (!kind) return kind.error();
      item.kind = *kind;
      auto severity = e->oneOf("severity", {"minor", "general", "serious", "*"});
      if (!severity) return severity.error();
      item.severity = *severity;
      if (!seen.insert({item.kind, item.severity}).second) {
        return problem(path, item.kind + " with severity " + item.severity + " appears twice");
      }
      auto points = e->integer("points", -kMaxMagnitude, kMaxMagnitude);
      if (!points) return points.error();
      item.points = *points;
      auto label = e->text("label", 1, 64);
      if (!label) return label.error();
      item.label = *label;
      c_.items.push_back(std::move(item));
    }
    return core::Ok{};
  }

  core::Status readKindCaps(const Fields& f) {
    auto caps = f.object("kind_caps");
    if (!caps) return caps.error();
    if (!*caps) return core::Ok{};
    for (const auto& kind : (*caps)->getNames()) {
      std::string path = "$.kind_caps." + kind;
      if (!std::regex_match(kind, kKind)) {
        return problem(path, "not a record kind (a-z 0-9 _ starting with a letter)");
      }
      // A cap on a kind no item scores is almost certainly a misspelt kind.
      bool scored =
          std::any_of(c_.items.begin(), c_.items.end(), [&](const ScoreItem& i) { return i.kind == kind; });
      if (!scored) return problem(path, "no item has kind \"" + kind + "\"");
      auto cap = Fields::wholeNumber((*caps)->get(kind), path, 0, kMaxMagnitude);
      if (!cap) return cap.error();
      c_.kindCaps[kind] = *cap;
    }
    return core::Ok{};
  }

  core::Status readBands(const Fields& f) {
    static const std::regex kGrade("[A-Z]{1,3}[+-]?");
    auto bands = f.array("bands", true);
    if (!bands) return bands.error();
    for (std::size_t i = 0; i < (*bands)->size(); ++i) {
      std::string path = "$.bands[" + std::to_string(i) + "]";
      auto e = element(*bands, i, path);
      if (!e) return e.error();
      if (auto ok = e->onlyKeys({"grade", "min", "draw_tier", "label"}); !ok) return ok.error();
      Band b;
      auto grade = e->matching("grade", kGrade, "a grade like A, A+, C- or AAA");
      if (!grade) return grade.error();
      if (c_.band(*grade)) return problem(path + ".grade", "\"" + *grade + "\" appears twice");
      b.grade = *grade;
      // A band above the maximum could never be reached.
      auto min = e->integer("min", -kMaxMagnitude, c_.maxScore);
      if (!min) return min.error();
      b.minScore = *min;
      if (!c_.bands.empty() && b.minScore >= c_.bands.back().minScore) {
        const Band& above = c_.bands.back();
        return problem(path + ".min", "bands go from highest to lowest: " + std::to_string(b.minScore) +
                                          " is not below " + above.grade + "'s " + std::to_string(above.minScore));
      }
      auto tier = e->oneOf("draw_tier", {"A", "B", "C", "D"});
      if (!tier) return tier.error();
      b.drawTier = *tier;
      auto label = e->text("label", 1, 32);
      if (!label) return label.error();
      b.label = *label;
      c_.bands.push_back(std::move(b));
    }
    // Every score from min to max must fall in some band.
    if (c_.bands.back().minScore > c_.minScore) {
      return problem("$.bands[" + std::to_string(c_.bands.size() - 1) + "].min",
                     "the lowest band must start at or below min " + std::to_string(c_.minScore) + ", not at " +
                         std::to_string(c_.bands.back().minScore));
    }
    return core::Ok{};
  }

  core::Result<std::optional<std::string>> grade(const Fields& e, const std::string& path, const std::string& key) {
    if (!e.has(key)) return std::optional<std::string>();
    auto g = e.text(key, 1, 8);
    if (!g) return g.error();
    if (!c_.band(*g)) return problem(path + "." + key, "\"" + *g + "\" is not one of the bands' grades");
    return std::optional<std::string>(*g);
  }

  core::Status readListEffects(const Fields& f) {
    auto effects = f.array("list_effects", false);
    if (!effects) return effects.error();
    if (!*effects) return core::Ok{};
    std::set<std::string> seen;
    for (std::size_t i = 0; i < (*effects)->size(); ++i) {
      std::string path = "$.list_effects[" + std::to_string(i) + "]";
      auto e = element(*effects, i, path);
      if (!e) return e.error();
      if (auto ok = e->onlyKeys({"list", "max_grade", "min_grade"}); !ok) return ok.error();
      ListEffect effect;
      auto list = e->oneOf("list", {"blacklist", "watchlist", "redlist"});
      if (!list) return list.error();
      if (!seen.insert(*list).second) return problem(path + ".list", "\"" + *list + "\" appears twice");
      effect.listKind = *list;
      auto maxGrade = grade(*e, path, "max_grade");
      if (!maxGrade) return maxGrade.error();
      effect.maxGrade = *maxGrade;
      auto minGrade = grade(*e, path, "min_grade");
      if (!minGrade) return minGrade.error();
      effect.minGrade = *minGrade;
      if (!effect.maxGrade && !effect.minGrade) return problem(path, "needs max_grade or min_grade");
      if (effect.maxGrade && effect.minGrade && c_.bandIndex(*effect.minGrade) < c_.bandIndex(*effect.maxGrade)) {
        return problem(path + ".min_grade", *effect.minGrade + " is better than max_grade " + *effect.maxGrade);
      }
      c_.listEffects.push_back(std::move(effect));
    }
    return core::Ok{};
  }

  Scorecard c_;
};

// ---- scoring ----

std::string listName(const std::string& kind) {
  if (kind == "blacklist") return "失信联合惩戒对象名单";
  if (kind == "watchlist") return "重点关注名单";
  if (kind == "redlist") return "守信激励名单（红名单）";
  return kind;
}

void addNote(ScoreLine& line, const std::string& note) {
  line.note += (line.note.empty() ? "" : "; ") + note;
}

// Points decline linearly from full on the decision day to floorPercent on publishUntil, computed with one
// integer division so that the result is exact and rounds toward zero:
//   points * (100 * length - (100 - floor) * elapsed) / (100 * length)
int decayed(int points, int floorPercent, long long elapsed, long long length) {
  long long numerator = static_cast<long long>(points) * (100 * length - (100 - floorPercent) * elapsed);
  return static_cast<int>(numerator / (100 * length));
}

// Limits the sum of `lines` (all of one sign, in display order: latest decided first) to `cap` in absolute value.
// The lines are granted their points in order until the cap is used up: the latest records keep their points and
// the reduction falls on the earliest ones, which leave their window first. Lines of the opposite sign in the
// same group (`offset`, their absolute sum) widen the budget, so the net sum lands exactly on the cap.
void grant(const std::vector<ScoreLine*>& lines, long long cap, long long offset, const std::string& note) {
  long long budget = cap + offset;
  for (ScoreLine* line : lines) {
    long long want = line->countedPoints < 0 ? -static_cast<long long>(line->countedPoints) : line->countedPoints;
    long long given = std::max(0LL, std::min(want, budget));
    budget -= given;
    if (given == want) continue;
    line->countedPoints = static_cast<int>(line->countedPoints < 0 ? -given : given);
    addNote(*line, note);
  }
}

// Applies a cap on the absolute net sum of `lines` (display order).
void capGroup(const std::vector<ScoreLine*>& lines, long long cap, const std::string& note) {
  long long sum = 0;
  for (const ScoreLine* l : lines) sum += l->countedPoints;
  if ((sum < 0 ? -sum : sum) <= cap) return;
  bool negative = sum < 0;
  std::vector<ScoreLine*> same;
  long long opposite = 0;
  for (ScoreLine* l : lines) {
    if (l->countedPoints == 0) continue;
    if ((l->countedPoints < 0) == negative) {
      same.push_back(l);
    } else {
      opposite += l->countedPoints < 0 ? -static_cast<long long>(l->countedPoints) : l->countedPoints;
    }
  }
  grant(same, cap, opposite, note);
}

}  // namespace

core::Result<Scorecard> parseScorecard(std::string_view json) {
  Object::Ptr root;
  try {
    Poco::JSON::Parser parser;
    auto parsed = parser.parse(std::string(json));
    if (parsed.type() != typeid(Object::Ptr)) return problem("$", "not a JSON object");
    root = parsed.extract<Object::Ptr>();
  } catch (const std::exception& e) {
    return problem("$", std::string("not a JSON object: ") + e.what());
  }
  if (!root) return problem("$", "not a JSON object");
  return Parser().run(root);
}

Score computeScore(const Scorecard& card, const std::vector<ScoredRecord>& records,
                   const std::vector<std::string>& listKinds, core::Day today) {
  Score score;
  score.scorecardId = card.id;
  score.scorecardVersion = card.version;
  score.base = card.base;

  // Records whose window has ended are history and are not listed; records decided in the future are listed
  // with nothing counted, so that a reader sees why they do not count yet.
  std::vector<std::pair<const ScoredRecord*, const ScoreItem*>> kept;
  for (const auto& r : records) {
    if (today >= r.publishUntil) continue;
    ScoreLine line;
    line.recordId = r.id;
    line.kind = r.kind;
    line.severity = r.severity;
    line.title = r.title;
    line.daysLeft = static_cast<int>((r.publishUntil - today).count());
    const ScoreItem* item = card.item(r.kind, r.severity);
    if (item) {
      line.itemLabel = item->label;
      line.fullPoints = item->points;
    }
    if (today < r.decidedOn) {
      line.note = "outside its publication window: counts from " + core::formatDay(r.decidedOn);
      if (item && (!score.nextChange || r.decidedOn < *score.nextChange)) score.nextChange = r.decidedOn;
    } else if (!item) {
      line.note = "no scorecard item for " + r.kind + " / " + r.severity;
    } else {
      long long length = (r.publishUntil - r.decidedOn).count();  // >= 1: decidedOn <= today < publishUntil
      long long elapsed = (today - r.decidedOn).count();
      line.decayedPoints = decayed(item->points, card.decayFloorPercent, elapsed, length);
      line.countedPoints = line.decayedPoints;
      if (!score.nextChange || r.publishUntil < *score.nextChange) score.nextChange = r.publishUntil;
    }
    score.lines.push_back(std::move(line));
    kept.emplace_back(&r, item);
  }
  // Display order, which is also the order in which caps grant points: latest decided first, then by id.
  std::vector<std::size_t> order(score.lines.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const ScoredRecord& x = *kept[a].first;
    const ScoredRecord& y = *kept[b].first;
    if (x.decidedOn != y.decidedOn) return x.decidedOn > y.decidedOn;
    return x.id < y.id;
  });
  std::vector<ScoreLine> sorted;
  sorted.reserve(order.size());
  for (std::size_t i : order) sorted.push_back(std::move(score.lines[i]));
  score.lines = std::move(sorted);

  // Caps: first per kind, then the summed deductions and bonuses.
  for (const auto& [kind, cap] : card.kindCaps) {
    std::vector<ScoreLine*> group;
    for (auto& l : score.lines) {
      if (l.kind == kind) group.push_back(&l);
    }
    capGroup(group, std::max(0, cap), "capped: " + kind + " limited to " + std::to_string(cap) + " in all");
  }
  std::vector<ScoreLine*> deductions;
  std::vector<ScoreLine*> bonuses;
  for (auto& l : score.lines) {
    if (l.countedPoints < 0) deductions.push_back(&l);
    if (l.countedPoints > 0) bonuses.push_back(&l);
  }
  capGroup(deductions, std::max(0, card.maxDeduction),
           "capped: deductions limited to " + std::to_string(card.maxDeduction));
  capGroup(bonuses, std::max(0, card.maxBonus), "capped: bonuses limited to " + std::to_string(card.maxBonus));

  long long total = card.base;
  for (const auto& l : score.lines) total += l.countedPoints;
  total = std::clamp<long long>(total, card.minScore, std::max(card.minScore, card.maxScore));
  score.total = static_cast<int>(total);

  auto reached = std::find_if(card.bands.begin(), card.bands.end(),
                              [&](const Band& b) { return score.total >= b.minScore; });
  if (reached == card.bands.end() && !card.bands.empty()) reached = card.bands.end() - 1;  // unparsed card only
  if (reached != card.bands.end()) score.bandGrade = reached->grade;
  score.grade = score.bandGrade;

  // List effects: floors (red list) first, then ceilings (blacklist, watch list), so that when an entity is on
  // both kinds of list the ceiling prevails: a red list never shields a blacklisted entity.
  std::set<std::string> onLists(listKinds.begin(), listKinds.end());
  for (bool ceilings : {false, true}) {
    for (const auto& effect : card.listEffects) {
      if (!onLists.count(effect.listKind)) continue;
      const auto& bound = ceilings ? effect.maxGrade : effect.minGrade;
      if (!bound) continue;
      int limit = card.bandIndex(*bound);
      int now = card.bandIndex(score.grade);
      if (limit < 0) continue;
      std::string note = "列入" + listName(effect.listKind) + "：等级" + (ceilings ? "不高于 " : "不低于 ") + *bound;
      if (now >= 0 && (ceilings ? now < limit : now > limit)) {
        note += "（由 " + score.grade + " 调整为 " + *bound + "）";
        score.grade = *bound;
      }
      score.listNotes.push_back(std::move(note));
    }
  }
  if (const Band* b = card.band(score.grade)) {
    score.drawTier = b->drawTier;
    score.gradeLabel = b->label;
  }
  return score;
}

}  // namespace cw::credit
