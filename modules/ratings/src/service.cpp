#include "cw/ratings/service.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <functional>
#include <set>

#include "cw/core/crypto.hpp"
#include "cw/core/time.hpp"
#include "cw/core/validation.hpp"
#include "cw/db/outbox.hpp"
#include "cw/draws/recusal.hpp"
#include "cw/http/json.hpp"
#include "repository.hpp"

namespace cw::ratings {

using core::Error;

namespace {

constexpr const char* kInProgress = "('self_assessment', 'panel', 'scoring', 'draft')";
constexpr const char* kConsumer = "ratings";

using http::jsonText;

Poco::Dynamic::Var opt(const std::optional<std::string>& v) { return v ? Poco::Dynamic::Var(*v) : Poco::Dynamic::Var(); }

Error notFound(std::int64_t id) { return Error::notFound("rating " + std::to_string(id) + " does not exist"); }

bool isPanelMember(db::Connection& c, const http::Principal& who, std::int64_t ratingId) {
  return who.role == "inspector" && repo::panelSheetOf(c, ratingId, who.userId).has_value();
}

bool visible(db::Connection& c, const http::Principal& who, const Rating& g) {
  if (who.role == "admin") return true;
  if (who.role == "officer") return who.departmentCode && *who.departmentCode == g.departmentCode;
  if (who.role == "institution") return who.institutionId && *who.institutionId == g.institutionId;
  if (who.role == "bureau") return g.state == "published" || g.state == "superseded";
  return isPanelMember(c, who, g.id);
}

bool isDepartmentStaff(const http::Principal& who, const Rating& g) {
  return who.role == "admin" || (who.role == "officer" && who.departmentCode && *who.departmentCode == g.departmentCode);
}

core::Status needInstitution(const http::Principal& who, const Rating& g, const std::string& what) {
  if (who.role == "institution" && who.institutionId && *who.institutionId == g.institutionId) return core::Ok{};
  return Error::denied("only the institution may " + what);
}

core::Status needState(const Rating& g, const std::string& state, const std::string& what) {
  if (g.state == state) return core::Ok{};
  return Error::precondition(what + " only while the rating is " + state + " (it is " + g.state + ")");
}

std::string levelName(const Scheme& s, const std::optional<std::string>& code) {
  if (!code) return "";
  const Level* l = s.level(*code);
  return l ? l->name : *code;
}

// Adds years to a calendar day; 29 February becomes 28 February in a common year.
core::Day addYears(core::Day day, int years) {
  std::chrono::year_month_day ymd{day};
  auto target = ymd.year() + std::chrono::years(years);
  auto m = ymd.month();
  auto d = ymd.day();
  std::chrono::year_month_day out{target, m, d};
  if (!out.ok()) out = std::chrono::year_month_day_last{target, std::chrono::month_day_last{m}};
  return std::chrono::sys_days{out};
}

core::Status checkLines(const Scheme& scheme, const SheetInput& input) {
  std::set<std::string> seen;
  for (const auto& l : input.lines) {
    if (!seen.insert(l.code).second) return Error::invalid("lines", "item " + l.code + " appears twice");
    if (scheme.veto(l.code)) {
      if (!l.passed || l.points) return Error::invalid("lines", "basic item " + l.code + " is judged with passed true/false, not points");
    } else {
      if (!l.points || l.passed) {
        if (!scheme.leaf(l.code)) return Error::invalid("item_code", "\"" + l.code + "\" is not an item of " + scheme.code);
        return Error::invalid("lines", "item " + l.code + " needs points");
      }
      if (auto ok = checkPoints(scheme, l.code, *l.points); !ok) return ok;
    }
    if (auto ok = core::checkText("note", l.note, 0, 1000); !ok) return ok;
    if (auto ok = core::checkText("evidence", l.evidence, 0, 500); !ok) return ok;
  }
  return core::Ok{};
}

// The final scores of a rating: the panel's submitted sheets combined item by item, with each upheld
// challenge's correction in place of the combined score.
Sheet finalScores(const Scheme& scheme, const Rating& g, const std::map<std::string, std::vector<SheetLine>>& panel,
                  const std::vector<Challenge>& challenges) {
  std::vector<Sheet> sheets;
  for (const auto& [code, lines] : panel) sheets.push_back(repo::toSheet(lines));
  Sheet out = aggregate(scheme, sheets, parseAggregation(g.aggregation).value_or(Aggregation::Median));
  for (const auto& k : challenges) {
    if (k.decision != "upheld") continue;
    if (k.correctedPoints) out.points[k.itemCode] = *k.correctedPoints;
    if (k.correctedPassed) out.vetoes[k.itemCode] = *k.correctedPassed;
  }
  return out;
}

// Recomputes the stored result of a rating from its sheets; returns the outcome.
Outcome recompute(db::Connection& c, const Scheme& scheme, const Rating& g, const std::string& now) {
  Outcome o = evaluate(scheme, finalScores(scheme, g, repo::panelSheets(c, g.id), repo::challenges(c, g.id)));
  c.execute("UPDATE ratings SET total_tenths = ?, level_code = ?, updated_at = ? WHERE id = ?", o.total, o.level, now,
            g.id);
  return o;
}

}  // namespace

RatingService::RatingService(db::Pool& pool, audit::AuditLog& audit, const core::Clock& clock,
                             core::RandomSource& random, const core::WorkCalendar& calendar, RatingsConfig config)
    : pool_(pool), audit_(audit), clock_(clock), random_(random), calendar_(calendar), config_(config) {}

// ----- schemes ----------------------------------------------------------------------------------------------

core::Status RatingService::installSchemes(const std::vector<SchemeFile>& files) {
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  std::string now = core::formatSqlDateTime(clock_.now());
  std::vector<std::int64_t> installed;
  for (const auto& f : files) {
    const Scheme& s = f.scheme;
    std::string sha = core::sha256Hex(f.text);
    auto rows = c.query("SELECT id, body_sha256 FROM rating_schemes WHERE code = ? AND version = ? FOR UPDATE", s.code,
                        s.version);
    if (rows.empty()) {
      c.execute("INSERT INTO rating_schemes (code, version, sector, standard, title, body, body_sha256, active,"
                " installed_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)",
                s.code, s.version, s.sector, s.standard, s.title, f.text, sha, now);
      installed.push_back(c.query("SELECT LAST_INSERT_ID() AS id")[0].i64("id"));
      continue;
    }
    std::int64_t id = rows[0].i64("id");
    installed.push_back(id);
    if (rows[0].str("body_sha256") != sha) {
      if (c.query("SELECT COUNT(*) AS n FROM ratings WHERE scheme_id = ?", id)[0].i64("n") > 0) {
        return Error::precondition(f.path + ": " + s.code + " version " + s.version +
                                   " has been used by ratings and its text has changed; a scheme version never "
                                   "changes once used: give the file a new version");
      }
      c.execute("UPDATE rating_schemes SET sector = ?, standard = ?, title = ?, body = ?, body_sha256 = ?,"
                " installed_at = ? WHERE id = ?",
                s.sector, s.standard, s.title, f.text, sha, now, id);
    }
    c.execute("UPDATE rating_schemes SET active = 1 WHERE id = ?", id);
  }
  std::string placeholders = "0";
  for (std::size_t i = 0; i < installed.size(); ++i) placeholders += ", ?";
  c.executeWith("UPDATE rating_schemes SET active = 0 WHERE id NOT IN (" + placeholders + ")", [&](db::Binder& b) {
    unsigned i = 1;
    for (auto id : installed) b.bind(i++, id);
  });
  tx.commit();
  return core::Ok{};
}

std::shared_ptr<const Scheme> RatingService::parsed(std::int64_t schemeId, db::Connection& c) {
  // The hash is enough to find a parsed copy; the text (tens of kilobytes) is read only when there is none.
  auto rows = c.query("SELECT body_sha256 FROM rating_schemes WHERE id = ?", schemeId);
  if (rows.empty()) throw std::runtime_error("rating scheme " + std::to_string(schemeId) + " is missing");
  auto key = std::make_pair(schemeId, rows[0].str("body_sha256"));
  {
    std::lock_guard lock(cacheMutex_);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  }
  auto body = c.query("SELECT body FROM rating_schemes WHERE id = ? AND body_sha256 = ?", schemeId, key.second);
  if (body.empty()) throw std::runtime_error("rating scheme " + std::to_string(schemeId) + " changed while being read");
  auto scheme = parseScheme(body[0].str("body"));
  if (!scheme) throw std::runtime_error("stored rating scheme " + std::to_string(schemeId) + ": " + scheme.error().message);
  auto shared = std::make_shared<const Scheme>(std::move(*scheme));
  std::lock_guard lock(cacheMutex_);
  cache_.emplace(key, shared);
  return shared;
}

std::vector<SchemeInfo> RatingService::schemes() {
  auto lease = pool_.acquire();
  std::vector<SchemeInfo> out;
  for (const auto& r : lease->query("SELECT id, code, version, sector, standard, title, active, installed_at"
                                    " FROM rating_schemes ORDER BY active DESC, code, id DESC")) {
    out.push_back({r.i64("id"), r.str("code"), r.str("version"), r.str("sector"), r.str("standard"), r.str("title"),
                   r.boolean("active"), core::sqlToIsoUtc(r.str("installed_at")), parsed(r.i64("id"), *lease)});
  }
  return out;
}

core::Result<SchemeInfo> RatingService::scheme(std::int64_t id) {
  for (auto& s : schemes()) {
    if (s.id == id) return s;
  }
  return Error::notFound("rating scheme " + std::to_string(id) + " does not exist");
}

// ----- opening and reading -----------------------------------------------------------------------------------

core::Result<Rating> RatingService::open(const audit::Actor& actor, const http::Principal& who,
                                         std::optional<std::int64_t> institutionId,
                                         std::optional<std::int64_t> schemeId) {
  if (who.role == "institution") {
    if (!who.institutionId) return Error::denied("this account is not linked to an institution");
    if (institutionId && *institutionId != *who.institutionId) {
      return Error::denied("an institution can apply for its own rating only");
    }
    institutionId = who.institutionId;
  } else if (who.role != "officer" && who.role != "admin") {
    return Error::denied("a rating is applied for by the institution or opened by its department");
  }
  if (!institutionId) return Error::invalid("institution_id", "name the institution to rate");
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  auto inst = c.query("SELECT i.id, i.name, i.region_code, i.sector, d.code AS department_code FROM institutions i"
                      " JOIN departments d ON d.sector = i.sector WHERE i.id = ? FOR UPDATE",
                      *institutionId);
  if (inst.empty() || (who.role == "officer" && inst[0].str("department_code") != who.departmentCode.value_or(""))) {
    return Error::invalid("institution_id", "no institution " + std::to_string(*institutionId) + " in your department");
  }
  std::string sector = inst[0].str("sector");
  auto scheme = schemeId ? c.query("SELECT id, sector, active FROM rating_schemes WHERE id = ?", *schemeId)
                         : c.query("SELECT id, sector, active FROM rating_schemes WHERE sector = ? AND active = 1"
                                   " ORDER BY id DESC LIMIT 1",
                                   sector);
  if (scheme.empty()) {
    return schemeId ? Error::invalid("scheme_id", "rating scheme " + std::to_string(*schemeId) + " does not exist")
                    : Error::precondition("no rating scheme is installed for " + sector + " institutions");
  }
  if (scheme[0].str("sector") != sector) {
    return Error::invalid("scheme_id", "that scheme rates " + scheme[0].str("sector") + " institutions, this one is " + sector);
  }
  if (!scheme[0].boolean("active")) return Error::invalid("scheme_id", "that scheme version is no longer in use");
  auto busy = c.query(std::string("SELECT reference FROM ratings WHERE institution_id = ? AND state IN ") + kInProgress,
                      *institutionId);
  if (!busy.empty()) {
    return Error::conflict("institution " + inst[0].str("name") + " already has rating " + busy[0].str("reference") +
                           " in progress");
  }
  std::string now = core::formatSqlDateTime(clock_.now());
  std::string reference = "PJ" + core::randomCode(random_, 10);
  c.execute("INSERT INTO ratings (reference, institution_id, scheme_id, department_code, region_code, state, aggregation,"
            " opened_by, opened_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'self_assessment', ?, ?, ?, ?, ?)",
            reference, *institutionId, scheme[0].i64("id"), inst[0].str("department_code"), inst[0].str("region_code"),
            toString(config_.aggregation), who.userId, now, now, now);
  std::int64_t id = c.query("SELECT LAST_INSERT_ID() AS id")[0].i64("id");
  c.execute("INSERT INTO rating_sheets (rating_id, kind, user_id, updated_at) VALUES (?, 'self', NULL, ?)", id, now);
  repo::addEvent(c, id, who.userId, who.role == "institution" ? "applied" : "opened", std::nullopt, std::nullopt, "", now);
  audit_.append(c, actor, {"rating.open", "rating", reference,
                           jsonText({{"institution_id", *institutionId}, {"scheme_id", scheme[0].i64("id")}})});
  tx.commit();
  auto g = repo::load(c, id, core::shanghaiDay(clock_.now()));
  return *g;
}

core::Result<RatingPage> RatingService::list(const http::Principal& who, const RatingFilter& filter) {
  std::vector<std::string> params;
  auto scope = repo::scopeClause(who, params);
  if (!scope) return Error::denied("this role sees no ratings");
  if (filter.state && std::find(kStates.begin(), kStates.end(), *filter.state) == kStates.end()) {
    return Error::invalid("state", "unknown state \"" + *filter.state + "\"");
  }
  if (filter.region) {
    if (auto ok = core::checkRegionCode("region", *filter.region); !ok) return ok.error();
  }
  auto lease = pool_.acquire();
  auto page = repo::list(*lease, *scope, params, filter, core::shanghaiDay(clock_.now()));
  for (auto& g : page.items) {
    g.levelName = levelName(*parsed(g.schemeId, *lease), g.state == "published" ? g.currentLevel : g.level);
  }
  return page;
}

core::Result<RatingDetail> RatingService::get(const http::Principal& who, std::int64_t id) {
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  auto g = repo::load(c, id, core::shanghaiDay(clock_.now()));
  if (!g || !visible(c, who, *g)) return notFound(id);
  auto scheme = parsed(g->schemeId, c);
  RatingDetail d;
  d.rating = *g;
  bool resultShown = g->draftAt.has_value();
  // Before the draft the panel's work is its own: nobody sees a result, and evaluators score independently.
  if (!resultShown && !isDepartmentStaff(who, *g)) {
    d.rating.total.reset();
    d.rating.level.reset();
  }
  d.rating.levelName = levelName(*scheme, g->state == "published" ? g->currentLevel : d.rating.level);
  d.panel = repo::panel(c, id);
  if (who.role != "bureau") {
    if (auto self = repo::selfSheet(c, id)) d.selfAssessment = repo::lines(c, *self);
  }
  d.isEvaluator = isPanelMember(c, who, id);
  if (d.isEvaluator) d.mySheet = repo::lines(c, *repo::panelSheetOf(c, id, who.userId));
  if (isDepartmentStaff(who, *g) && resultShown) d.panelSheets = repo::panelSheets(c, id);
  d.challenges = repo::challenges(c, id);
  for (auto& k : d.challenges) {
    if (const Leaf* l = scheme->leaf(k.itemCode)) k.itemName = l->name;
    if (const Veto* v = scheme->veto(k.itemCode)) k.itemName = v->name;
  }
  d.events = repo::events(c, id);
  return d;
}

// ----- changes ------------------------------------------------------------------------------------------------

struct RatingService::Change {
  db::Connection& c;
  const Rating& g;
  const Scheme& scheme;
  core::Day today;
  std::string now;
};

// One change to one rating: `apply` checks it against the locked row and writes it with its history and audit
// rows; everything commits together (or nothing, when apply fails) and the rating is read back for `who`.
core::Result<RatingDetail> RatingService::change(const http::Principal& who, std::int64_t id,
                                                 const std::function<core::Status(const Change&)>& apply) {
  core::Day today = core::shanghaiDay(clock_.now());
  {
    auto lease = pool_.acquire();
    db::Connection& c = *lease;
    db::Transaction tx(c);
    auto g = repo::load(c, id, today, true);
    if (!g || !visible(c, who, *g)) return notFound(id);
    auto scheme = parsed(g->schemeId, c);
    if (auto ok = apply(Change{c, *g, *scheme, today, core::formatSqlDateTime(clock_.now())}); !ok) return ok.error();
    tx.commit();
  }
  return get(who, id);
}

core::Result<RatingDetail> RatingService::saveSelfAssessment(const audit::Actor& actor, const http::Principal& who,
                                                             std::int64_t id, const SheetInput& input) {
  return change(who, id, [&](const Change& x) -> core::Status {
    if (auto ok = needInstitution(who, x.g, "fill in its self-assessment"); !ok) return ok;
    if (auto ok = needState(x.g, "self_assessment", "the self-assessment can be changed"); !ok) return ok;
    if (auto ok = checkLines(x.scheme, input); !ok) return ok;
    std::int64_t sheet = *repo::selfSheet(x.c, id);
    repo::saveLines(x.c, sheet, input.lines);
    x.c.execute("UPDATE rating_sheets SET updated_at = ? WHERE id = ?", x.now, sheet);
    if (input.submit) {
      if (auto ok = checkComplete(x.scheme, repo::toSheet(repo::lines(x.c, sheet))); !ok) return ok;
      Outcome self = evaluate(x.scheme, repo::toSheet(repo::lines(x.c, sheet)));
      x.c.execute("UPDATE rating_sheets SET submitted_at = ? WHERE id = ?", x.now, sheet);
      x.c.execute("UPDATE ratings SET state = 'panel', self_submitted_at = ?, updated_at = ? WHERE id = ?", x.now, x.now, id);
      repo::addEvent(x.c, id, who.userId, "self_assessed", std::nullopt, self.level,
                     "自评总分 " + std::to_string(self.total / 10) + (self.total % 10 ? "." + std::to_string(self.total % 10) : ""),
                     x.now);
      audit_.append(x.c, actor, {"rating.self_assess", "rating", x.g.reference, jsonText({{"total_tenths", self.total}})});
    } else {
      x.c.execute("UPDATE ratings SET updated_at = ? WHERE id = ?", x.now, id);
    }
    return core::Ok{};
  });
}

core::Result<std::vector<Candidate>> RatingService::panelCandidates(const http::Principal& who, std::int64_t id) {
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  auto g = repo::load(c, id, core::shanghaiDay(clock_.now()));
  if (!g || !visible(c, who, *g)) return notFound(id);
  if (!isDepartmentStaff(who, *g)) return Error::denied("only the department's officers choose a panel");
  auto conflicts = draws::conflictedInspectors(c, g->institutionId, core::formatDay(core::shanghaiDay(clock_.now())));
  std::vector<Candidate> out;
  for (const auto& r : c.query("SELECT id, code, name, member_kind, expertise, region_code, user_id FROM inspectors"
                               " WHERE department_code = ? AND status = 'active' ORDER BY member_kind DESC, code",
                               g->departmentCode)) {
    Candidate k{r.i64("id"), r.str("code"), r.str("name"), r.str("member_kind"), r.str("expertise"),
                r.str("region_code"), !r.isNull("user_id"), std::nullopt};
    if (auto it = conflicts.find(k.inspectorId); it != conflicts.end()) k.conflict = it->second;
    out.push_back(std::move(k));
  }
  return out;
}

core::Result<RatingDetail> RatingService::assignPanel(const audit::Actor& actor, const http::Principal& who,
                                                      std::int64_t id, const std::vector<std::int64_t>& inspectorIds,
                                                      std::optional<int> drawCount) {
  int wanted = drawCount ? *drawCount : static_cast<int>(inspectorIds.size());
  if (drawCount && !inspectorIds.empty()) return Error::invalid("inspector_ids", "either name the members or draw them, not both");
  if (wanted < config_.minPanel || wanted > config_.maxPanel) {
    return Error::invalid(drawCount ? "draw" : "inspector_ids", "a panel has " + std::to_string(config_.minPanel) +
                                                                    " to " + std::to_string(config_.maxPanel) + " members");
  }
  if (std::set<std::int64_t>(inspectorIds.begin(), inspectorIds.end()).size() != inspectorIds.size()) {
    return Error::invalid("inspector_ids", "a member is named twice");
  }
  return change(who, id, [&](const Change& x) -> core::Status {
    if (!isDepartmentStaff(who, x.g)) return Error::denied("only the department's officers choose a panel");
    if (auto ok = needState(x.g, "panel", "a panel can be assigned"); !ok) return ok;
    auto conflicts = draws::conflictedInspectors(x.c, x.g.institutionId, core::formatDay(x.today));
    struct Member {
      std::int64_t id;
      std::string code;
      std::int64_t userId;
    };
    std::vector<Member> eligible;
    std::map<std::int64_t, std::string> refusal;
    for (const auto& r : x.c.query("SELECT id, code, name, user_id, status FROM inspectors WHERE department_code = ?",
                                   x.g.departmentCode)) {
      std::int64_t mid = r.i64("id");
      std::string who = r.str("code") + " " + r.str("name");
      if (auto it = conflicts.find(mid); it != conflicts.end()) {
        refusal[mid] = who + (it->second == "declared" ? " has declared a conflict with this institution"
                                                       : " has declared a conflict with an institution related to this one");
      } else if (r.str("status") != "active") {
        refusal[mid] = who + " is not active (" + r.str("status") + ")";
      } else if (r.isNull("user_id")) {
        refusal[mid] = who + " has no sign-in account to score with";
      } else {
        eligible.push_back({mid, r.str("code"), r.i64("user_id")});
      }
    }
    std::vector<Member> chosen;
    std::string how = drawCount ? "drawn" : "assigned";
    if (drawCount) {
      if (static_cast<int>(eligible.size()) < wanted) {
        return Error::precondition("only " + std::to_string(eligible.size()) +
                                   " members of the department can sit on this panel without a conflict");
      }
      // Fisher-Yates with unbiased draws from the CSPRNG.
      for (std::size_t i = eligible.size(); i > 1; --i) {
        std::swap(eligible[i - 1], eligible[core::uniformBelow(random_, i)]);
      }
      chosen.assign(eligible.begin(), eligible.begin() + wanted);
    } else {
      for (auto mid : inspectorIds) {
        if (auto it = refusal.find(mid); it != refusal.end()) {
          return Error::invalid("inspector_ids", it->second + "; they cannot sit on this panel");
        }
        auto e = std::find_if(eligible.begin(), eligible.end(), [&](const Member& m) { return m.id == mid; });
        if (e == eligible.end()) {
          return Error::invalid("inspector_ids", "inspector " + std::to_string(mid) + " is not in the " +
                                                     x.g.departmentCode + " directory");
        }
        chosen.push_back(*e);
      }
    }
    std::string codes;
    for (const auto& m : chosen) {
      x.c.execute("INSERT INTO rating_sheets (rating_id, kind, inspector_id, user_id, assigned_how, updated_at)"
                  " VALUES (?, 'panel', ?, ?, ?, ?)",
                  id, m.id, m.userId, how, x.now);
      codes += (codes.empty() ? "" : ", ") + m.code;
    }
    x.c.execute("UPDATE ratings SET state = 'scoring', panel_assigned_at = ?, updated_at = ? WHERE id = ?", x.now, x.now, id);
    repo::addEvent(x.c, id, who.userId, "panel_" + how, std::nullopt, std::nullopt, "评审组：" + codes, x.now);
    audit_.append(x.c, actor, {"rating.panel", "rating", x.g.reference, jsonText({{"members", codes}, {"how", how}})});
    return core::Ok{};
  });
}

core::Result<RatingDetail> RatingService::saveScores(const audit::Actor& actor, const http::Principal& who,
                                                     std::int64_t id, const SheetInput& input) {
  return change(who, id, [&](const Change& x) -> core::Status {
    auto sheet = who.role == "inspector" ? repo::panelSheetOf(x.c, id, who.userId) : std::nullopt;
    if (!sheet) return Error::denied("only an evaluator on this rating's panel scores it");
    if (auto ok = needState(x.g, "scoring", "scores can be entered"); !ok) return ok;
    if (!x.c.query("SELECT id FROM rating_sheets WHERE id = ? AND submitted_at IS NOT NULL", *sheet).empty()) {
      return Error::precondition("your score sheet has been submitted and can no longer change");
    }
    if (auto ok = checkLines(x.scheme, input); !ok) return ok;
    repo::saveLines(x.c, *sheet, input.lines);
    x.c.execute("UPDATE rating_sheets SET updated_at = ? WHERE id = ?", x.now, *sheet);
    x.c.execute("UPDATE ratings SET updated_at = ? WHERE id = ?", x.now, id);
    if (!input.submit) return core::Ok{};
    if (auto ok = checkComplete(x.scheme, repo::toSheet(repo::lines(x.c, *sheet))); !ok) return ok;
    x.c.execute("UPDATE rating_sheets SET submitted_at = ? WHERE id = ?", x.now, *sheet);
    repo::addEvent(x.c, id, who.userId, "scored", std::nullopt, std::nullopt, "", x.now);
    audit_.append(x.c, actor, {"rating.score", "rating", x.g.reference, "{}"});
    auto open = x.c.query("SELECT COUNT(*) AS n FROM rating_sheets WHERE rating_id = ? AND kind = 'panel'"
                          " AND submitted_at IS NULL",
                          id)[0].i64("n");
    if (open > 0) return core::Ok{};
    // The last sheet: the draft result, and the institution's window to challenge it.
    Outcome o = recompute(x.c, x.scheme, x.g, x.now);
    std::string deadline = core::formatDay(calendar_.addWorkingDays(x.today, config_.challengeWorkingDays));
    x.c.execute("UPDATE ratings SET state = 'draft', draft_at = ?, challenge_deadline = ?, updated_at = ? WHERE id = ?",
                x.now, deadline, x.now, id);
    repo::addEvent(x.c, id, std::nullopt, "draft", std::nullopt, o.level,
                   "评审结果草案；异议期至 " + deadline, x.now);
    audit_.append(x.c, actor, {"rating.draft", "rating", x.g.reference,
                               jsonText({{"total_tenths", o.total}, {"level", opt(o.level)}, {"challenge_deadline", deadline}})});
    return core::Ok{};
  });
}

core::Result<RatingDetail> RatingService::fileChallenge(const audit::Actor& actor, const http::Principal& who,
                                                        std::int64_t id, const ChallengeInput& input) {
  if (auto ok = core::checkText("claim", input.claim, 5, 2000); !ok) return ok.error();
  if (auto ok = core::checkText("evidence", input.evidence, 2, 1000); !ok) return ok.error();
  return change(who, id, [&](const Change& x) -> core::Status {
    if (auto ok = needInstitution(who, x.g, "challenge its draft"); !ok) return ok;
    if (auto ok = needState(x.g, "draft", "items can be challenged"); !ok) return ok;
    if (!x.g.challengeWindowOpen) {
      return Error::precondition(x.g.confirmedAt ? "the draft was confirmed; no further challenges"
                                                 : "the challenge window closed on " + x.g.challengeDeadline.value_or(""));
    }
    if (!x.scheme.leaf(input.itemCode) && !x.scheme.veto(input.itemCode)) {
      return Error::invalid("item_code", "\"" + input.itemCode + "\" is not an item of " + x.scheme.code);
    }
    if (!x.c.query("SELECT id FROM rating_challenges WHERE rating_id = ? AND item_code = ?", id, input.itemCode).empty()) {
      return Error::conflict("item " + input.itemCode + " has already been challenged");
    }
    x.c.execute("INSERT INTO rating_challenges (rating_id, item_code, claim, evidence, filed_by, filed_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                id, input.itemCode, core::trim(input.claim), core::trim(input.evidence), who.userId, x.now);
    x.c.execute("UPDATE ratings SET updated_at = ? WHERE id = ?", x.now, id);
    repo::addEvent(x.c, id, who.userId, "challenged", std::nullopt, std::nullopt, "异议事项 " + input.itemCode, x.now);
    audit_.append(x.c, actor, {"rating.challenge", "rating", x.g.reference, jsonText({{"item", input.itemCode}})});
    return core::Ok{};
  });
}

core::Result<RatingDetail> RatingService::answerChallenge(const audit::Actor& actor, const http::Principal& who,
                                                          std::int64_t id, std::int64_t challengeId,
                                                          const AnswerInput& input) {
  if (input.decision != "upheld" && input.decision != "dismissed") {
    return Error::invalid("decision", "decision is upheld or dismissed");
  }
  if (auto ok = core::checkText("answer", input.answer, 2, 2000); !ok) return ok.error();
  return change(who, id, [&](const Change& x) -> core::Status {
    if (!isPanelMember(x.c, who, id)) return Error::denied("only an evaluator on this rating's panel answers challenges");
    if (auto ok = needState(x.g, "draft", "challenges can be answered"); !ok) return ok;
    auto rows = x.c.query("SELECT item_code, decision FROM rating_challenges WHERE id = ? AND rating_id = ? FOR UPDATE",
                          challengeId, id);
    if (rows.empty()) return Error::notFound("challenge " + std::to_string(challengeId) + " of this rating does not exist");
    if (!rows[0].isNull("decision")) return Error::precondition("this challenge has been answered already");
    std::string item = rows[0].str("item_code");
    std::optional<Tenths> points;
    std::optional<std::int64_t> passed;
    if (input.decision == "upheld") {
      if (x.scheme.veto(item)) {
        if (!input.passed || input.points) return Error::invalid("passed", "an upheld challenge of basic item " + item + " gives passed true/false");
        passed = *input.passed ? 1 : 0;
      } else {
        if (!input.points || input.passed) return Error::invalid("points", "an upheld challenge of item " + item + " gives the corrected points");
        if (auto ok = checkPoints(x.scheme, item, *input.points); !ok) return ok;
        points = *input.points;
      }
    } else if (input.points || input.passed) {
      return Error::invalid("decision", "a dismissed challenge changes no score");
    }
    x.c.execute("UPDATE rating_challenges SET decision = ?, answer = ?, corrected_points = ?, corrected_passed = ?,"
                " answered_by = ?, answered_at = ? WHERE id = ?",
                input.decision, core::trim(input.answer), points, passed, who.userId, x.now, challengeId);
    Outcome o = recompute(x.c, x.scheme, x.g, x.now);
    repo::addEvent(x.c, id, who.userId, "challenge_" + input.decision, x.g.level, o.level, "异议事项 " + item, x.now);
    audit_.append(x.c, actor, {"rating.answer", "rating", x.g.reference,
                               jsonText({{"item", item}, {"decision", input.decision}, {"level", opt(o.level)}})});
    return core::Ok{};
  });
}

core::Result<RatingDetail> RatingService::confirmDraft(const audit::Actor& actor, const http::Principal& who,
                                                       std::int64_t id) {
  return change(who, id, [&](const Change& x) -> core::Status {
    if (auto ok = needInstitution(who, x.g, "confirm its draft"); !ok) return ok;
    if (auto ok = needState(x.g, "draft", "the draft can be confirmed"); !ok) return ok;
    if (x.g.confirmedAt) return Error::precondition("the draft has been confirmed already");
    x.c.execute("UPDATE ratings SET confirmed_at = ?, updated_at = ? WHERE id = ?", x.now, x.now, id);
    repo::addEvent(x.c, id, who.userId, "confirmed", std::nullopt, std::nullopt, "机构确认评审结果，放弃剩余异议期", x.now);
    audit_.append(x.c, actor, {"rating.confirm", "rating", x.g.reference, "{}"});
    return core::Ok{};
  });
}

core::Result<RatingDetail> RatingService::approve(const audit::Actor& actor, const http::Principal& who,
                                                  std::int64_t id, const std::string& note) {
  if (auto ok = core::checkText("note", note, 0, 1000); !ok) return ok.error();
  return change(who, id, [&](const Change& x) -> core::Status {
    if (!isDepartmentStaff(who, x.g)) return Error::denied("only an officer of the department approves a rating");
    if (isPanelMember(x.c, who, id)) return Error::denied("a member of the panel cannot approve its own rating");
    if (auto ok = needState(x.g, "draft", "a rating can be approved"); !ok) return ok;
    auto open = x.c.query("SELECT item_code FROM rating_challenges WHERE rating_id = ? AND decision IS NULL", id);
    if (!open.empty()) return Error::precondition("the challenge of item " + open[0].str("item_code") + " is not answered yet");
    if (x.g.challengeWindowOpen) {
      return Error::precondition("the institution may challenge the draft until " + x.g.challengeDeadline.value_or("") +
                                 " unless it confirms it first");
    }
    Outcome o = recompute(x.c, x.scheme, x.g, x.now);
    std::string validUntil = core::formatDay(addYears(x.today, config_.validityYears));
    x.c.execute("UPDATE ratings SET state = 'superseded', updated_at = ? WHERE institution_id = ? AND state = 'published'",
                x.now, x.g.institutionId);
    x.c.execute("UPDATE ratings SET state = 'published', approved_by = ?, published_at = ?, valid_until = ?,"
                " current_level = level_code, review_state = 'none', updated_at = ? WHERE id = ?",
                who.userId, x.now, validUntil, x.now, id);
    repo::addEvent(x.c, id, who.userId, "published", std::nullopt, o.level, core::trim(note), x.now);
    int rank = o.level ? x.scheme.levelIndex(*o.level) + 1 : 0;
    db::emitEvent(x.c, {0, "rating.published", "rating", id, x.g.institutionId, "rating:" + std::to_string(id) + ":published",
                        jsonText({{"scheme", x.scheme.code}, {"sector", x.scheme.sector}, {"level", opt(o.level)},
                              {"level_rank", rank}, {"levels", static_cast<int>(x.scheme.levels.size())},
                              {"total_tenths", o.total}, {"valid_until", validUntil}}),
                        ""},
                  x.now);
    audit_.append(x.c, actor, {"rating.approve", "rating", x.g.reference,
                               jsonText({{"level", opt(o.level)}, {"valid_until", validUntil}})});
    return core::Ok{};
  });
}

core::Result<RatingDetail> RatingService::withdraw(const audit::Actor& actor, const http::Principal& who,
                                                   std::int64_t id, const std::string& reason) {
  if (auto ok = core::checkText("reason", reason, 2, 512); !ok) return ok.error();
  return change(who, id, [&](const Change& x) -> core::Status {
    bool own = who.role == "institution";
    if (own ? !needInstitution(who, x.g, "withdraw").ok() : !isDepartmentStaff(who, x.g)) {
      return Error::denied("the institution or its department may withdraw a rating");
    }
    if (x.g.state == "published" || x.g.state == "superseded" || x.g.state == "withdrawn") {
      return Error::precondition("a " + x.g.state + " rating cannot be withdrawn");
    }
    x.c.execute("UPDATE ratings SET state = 'withdrawn', updated_at = ? WHERE id = ?", x.now, id);
    repo::addEvent(x.c, id, who.userId, "withdrawn", std::nullopt, std::nullopt, core::trim(reason), x.now);
    audit_.append(x.c, actor, {"rating.withdraw", "rating", x.g.reference, jsonText({{"reason", core::trim(reason)}})});
    return core::Ok{};
  });
}

core::Result<RatingDetail> RatingService::changeLevel(const audit::Actor& actor, const http::Principal& who,
                                                      std::int64_t id, bool downgrade, const std::string& toLevel,
                                                      const std::string& reason) {
  if (auto ok = core::checkText("reason", reason, 5, 512); !ok) return ok.error();
  return change(who, id, [&](const Change& x) -> core::Status {
    if (!isDepartmentStaff(who, x.g)) return Error::denied("only an officer of the department changes a rating's level");
    if (auto ok = needState(x.g, "published", "the level in force can change"); !ok) return ok;
    if (!downgrade) {
      if (x.g.reviewState != "required") return Error::precondition("this rating has no review to close");
      x.c.execute("UPDATE ratings SET review_state = 'none', updated_at = ? WHERE id = ?", x.now, id);
      repo::addEvent(x.c, id, who.userId, "review_closed", x.g.currentLevel, x.g.currentLevel, core::trim(reason), x.now);
      audit_.append(x.c, actor, {"rating.review_close", "rating", x.g.reference, jsonText({{"reason", core::trim(reason)}})});
      return core::Ok{};
    }
    int from = x.g.currentLevel ? x.scheme.levelIndex(*x.g.currentLevel) : -1;
    int to = toLevel.empty() ? -1 : x.scheme.levelIndex(toLevel);
    if (!toLevel.empty() && to < 0) return Error::invalid("level", "\"" + toLevel + "\" is not a level of " + x.scheme.code);
    if (to >= from) return Error::invalid("level", "a downgrade goes below the level in force (" + x.g.currentLevel.value_or("none") + ")");
    std::optional<std::string> target = toLevel.empty() ? std::nullopt : std::optional<std::string>(toLevel);
    x.c.execute("UPDATE ratings SET current_level = ?, review_state = 'none', updated_at = ? WHERE id = ?", target, x.now, id);
    repo::addEvent(x.c, id, who.userId, "downgraded", x.g.currentLevel, target, core::trim(reason), x.now);
    db::emitEvent(x.c, {0, "rating.downgraded", "rating", id, x.g.institutionId,
                        "rating:" + std::to_string(id) + ":downgraded:" + x.now,
                        jsonText({{"scheme", x.scheme.code}, {"from", opt(x.g.currentLevel)}, {"to", opt(target)},
                              {"level_rank", to + 1}, {"reason", core::trim(reason)}}),
                        ""},
                  x.now);
    audit_.append(x.c, actor, {"rating.downgrade", "rating", x.g.reference,
                               jsonText({{"from", opt(x.g.currentLevel)}, {"to", opt(target)}, {"reason", core::trim(reason)}})});
    return core::Ok{};
  });
}


// ----- explanations -------------------------------------------------------------------------------------------

namespace {

Explanation explanationOf(db::Connection& c, const Rating& g, std::shared_ptr<const Scheme> scheme, bool withNotes) {
  Explanation e;
  e.rating = g;
  e.rating.levelName = levelName(*scheme, g.state == "published" ? g.currentLevel : g.level);
  e.scheme = scheme;
  auto panel = repo::panelSheets(c, g.id);
  auto challenges = repo::challenges(c, g.id);
  e.scores = finalScores(*scheme, g, panel, challenges);
  e.outcome = evaluate(*scheme, e.scores);
  if (!withNotes) return e;
  if (auto self = repo::selfSheet(c, g.id)) e.selfAssessment = repo::toSheet(repo::lines(c, *self));
  for (const auto& [code, lines] : panel) {
    for (const auto& l : lines) {
      if (!l.note.empty()) e.notes[l.code].push_back(l.note);
    }
  }
  for (const auto& k : challenges) {
    if (k.decision == "upheld" && k.answer) e.corrections[k.itemCode] = *k.answer;
  }
  return e;
}

}  // namespace

core::Result<Explanation> RatingService::explain(const http::Principal& who, std::int64_t id) {
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  auto g = repo::load(c, id, core::shanghaiDay(clock_.now()));
  if (!g || !visible(c, who, *g)) return notFound(id);
  if (!g->draftAt) return Error::precondition("the rating has no result until every evaluator has scored");
  return explanationOf(c, *g, parsed(g->schemeId, c), true);
}

core::Result<Explanation> RatingService::whatIf(const http::Principal& who, std::int64_t id, const Sheet& changes) {
  auto base = explain(who, id);
  if (!base) return base.error();
  const Scheme& s = *base->scheme;
  for (const auto& [code, points] : changes.points) {
    if (auto ok = checkPoints(s, code, points); !ok) return ok.error();
    base->scores.points[code] = points;
  }
  for (const auto& [code, passed] : changes.vetoes) {
    if (!s.veto(code)) return Error::invalid("item_code", "\"" + code + "\" is not a basic item of " + s.code);
    base->scores.vetoes[code] = passed;
  }
  base->outcome = evaluate(s, base->scores);
  return base;
}

core::Result<std::vector<LevelCount>> RatingService::distribution(const http::Principal& who) {
  std::string where = "g.state = 'published'";
  std::vector<std::string> params;
  if (who.role == "officer" && who.departmentCode) {
    where += " AND g.department_code = ?";
    params.push_back(*who.departmentCode);
  } else if (who.role != "admin" && who.role != "bureau") {
    return Error::denied("the distribution of levels is for departments and the bureau");
  }
  auto lease = pool_.acquire();
  std::vector<LevelCount> out;
  for (const auto& r : lease->queryWith("SELECT g.region_code, r.name AS region_name, s.code AS scheme_code,"
                                        " g.current_level, COUNT(*) AS n FROM ratings g"
                                        " JOIN regions r ON r.code = g.region_code JOIN rating_schemes s ON s.id = g.scheme_id"
                                        " WHERE " + where +
                                            " GROUP BY g.region_code, r.name, s.code, g.current_level"
                                            " ORDER BY g.region_code, s.code, g.current_level",
                                        [&](db::Binder& b) {
                                          unsigned i = 1;
                                          for (const auto& p : params) b.bind(i++, p);
                                        })) {
    out.push_back({r.str("region_code"), r.str("region_name"), r.str("scheme_code"),
                   r.optStr("current_level").value_or(""), r.i64("n")});
  }
  return out;
}

core::Result<PublicRating> RatingService::publicRating(std::int64_t institutionId) {
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  auto inst = c.query("SELECT i.name, r.name AS region_name FROM institutions i JOIN regions r ON r.code = i.region_code"
                      " WHERE i.id = ?",
                      institutionId);
  if (inst.empty()) return Error::notFound("institution " + std::to_string(institutionId) + " does not exist");
  auto rows = c.query("SELECT id FROM ratings WHERE institution_id = ? AND state = 'published'", institutionId);
  if (rows.empty()) return Error::notFound(inst[0].str("name") + " has no rating in force");
  auto g = repo::load(c, rows[0].i64("id"), core::shanghaiDay(clock_.now()));
  PublicRating p{institutionId, inst[0].str("name"), inst[0].str("region_name"), *g, std::nullopt};
  p.explanation = explanationOf(c, *g, parsed(g->schemeId, c), false);
  p.rating.levelName = p.explanation->rating.levelName;
  return p;
}

std::pair<std::vector<PublicRating>, std::int64_t> RatingService::publicRatings(const std::optional<std::string>& name,
                                                                                const std::optional<std::string>& region,
                                                                                std::int64_t offset, std::int64_t limit) {
  RatingFilter f;
  f.state = "published";
  f.region = region;
  f.offset = offset;
  f.limit = limit;
  std::vector<std::string> params;
  std::string scope = "1 = 1";
  if (name) {
    scope = "g.institution_id IN (SELECT id FROM institutions WHERE name LIKE ?)";
    params.push_back("%" + *name + "%");
  }
  auto lease = pool_.acquire();
  auto page = repo::list(*lease, scope, params, f, core::shanghaiDay(clock_.now()));
  std::vector<PublicRating> out;
  for (auto& g : page.items) {
    g.levelName = levelName(*parsed(g.schemeId, *lease), g.currentLevel);
    out.push_back({g.institutionId, g.institutionName, g.regionName, g, std::nullopt});
  }
  return {out, page.total};
}

// ----- reviews from the outbox --------------------------------------------------------------------------------

FollowReport RatingService::followEvents() {
  FollowReport report;
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  std::int64_t cursor = db::lockCursor(c, kConsumer);
  auto settled = core::formatSqlDateTime(clock_.now() - std::chrono::seconds(db::kOutboxSettleSeconds));
  std::string now = core::formatSqlDateTime(clock_.now());
  auto events = db::readEvents(c, cursor, {"hazard.overdue", "credit.blacklisted"}, settled, 500);
  for (const auto& e : events) {
    ++report.events;
    cursor = e.id;
    if (!e.institutionId) continue;
    std::string reason;
    try {
      auto payload = Poco::JSON::Parser().parse(e.payload).extract<Poco::JSON::Object::Ptr>();
      if (e.topic == "hazard.overdue") {
        if (payload->optValue<std::string>("severity", "") != "major") continue;
        reason = "重大隐患逾期未整改（" + payload->optValue<std::string>("catalogue_code", "") + "，期限 " +
                 payload->optValue<std::string>("deadline", "") + "）";
      } else {
        reason = "列入失信联合惩戒对象名单（" + payload->optValue<std::string>("ground", "") + "）";
      }
    } catch (const std::exception&) {
      continue;  // a payload this consumer cannot read is not a reason to review anything
    }
    auto rating = c.query("SELECT id, reference FROM ratings WHERE institution_id = ? AND state = 'published' FOR UPDATE",
                          *e.institutionId);
    if (rating.empty()) continue;
    std::int64_t ratingId = rating[0].i64("id");
    if (!c.query("SELECT id FROM rating_events WHERE rating_id = ? AND source_event_id = ?", ratingId, e.id).empty()) continue;
    c.execute("UPDATE ratings SET review_state = 'required', review_reason = ?, updated_at = ? WHERE id = ?", reason, now,
              ratingId);
    repo::addEvent(c, ratingId, std::nullopt, "review_required", std::nullopt, std::nullopt, reason, now, e.id);
    audit_.append(c, audit::Actor::system("rating-reviews", ""),
                  {"rating.review_required", "rating", rating[0].str("reference"),
                   jsonText({{"event", e.id}, {"topic", e.topic}})});
    ++report.reviews;
  }
  if (!events.empty()) db::advanceCursor(c, kConsumer, cursor, now);
  tx.commit();
  return report;
}

}  // namespace cw::ratings
