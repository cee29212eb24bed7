#include "repository.hpp"

#include "cw/core/time.hpp"
#include "cw/core/validation.hpp"

namespace cw::ratings::repo {

namespace {

constexpr const char* kSelect =
    "SELECT g.id, g.reference, g.institution_id, i.name AS institution_name, i.credit_code, g.region_code,"
    " r.name AS region_name, g.department_code, g.scheme_id, s.code AS scheme_code, s.version AS scheme_version,"
    " s.title AS scheme_title, s.sector, g.state, g.aggregation, g.opened_at, g.self_submitted_at,"
    " g.panel_assigned_at, g.draft_at, g.challenge_deadline, g.confirmed_at, g.published_at, g.valid_until,"
    " g.total_tenths, g.level_code, g.current_level, g.review_state, g.review_reason, g.updated_at"
    " FROM ratings g"
    " JOIN institutions i ON i.id = g.institution_id"
    " JOIN regions r ON r.code = g.region_code"
    " JOIN rating_schemes s ON s.id = g.scheme_id";

std::optional<std::string> iso(const std::optional<std::string>& sql) {
  if (!sql) return std::nullopt;
  return core::sqlToIsoUtc(*sql);
}

Rating fromRow(const db::Row& r, core::Day today) {
  Rating g;
  g.id = r.i64("id");
  g.reference = r.str("reference");
  g.institutionId = r.i64("institution_id");
  g.institutionName = r.str("institution_name");
  g.creditCode = r.str("credit_code");
  g.regionCode = r.str("region_code");
  g.regionName = r.str("region_name");
  g.departmentCode = r.str("department_code");
  g.schemeId = r.i64("scheme_id");
  g.schemeCode = r.str("scheme_code");
  g.schemeVersion = r.str("scheme_version");
  g.schemeTitle = r.str("scheme_title");
  g.sector = r.str("sector");
  g.state = r.str("state");
  g.aggregation = r.str("aggregation");
  g.openedAt = core::sqlToIsoUtc(r.str("opened_at"));
  g.selfSubmittedAt = iso(r.optStr("self_submitted_at"));
  g.panelAssignedAt = iso(r.optStr("panel_assigned_at"));
  g.draftAt = iso(r.optStr("draft_at"));
  g.challengeDeadline = r.optStr("challenge_deadline");
  g.confirmedAt = iso(r.optStr("confirmed_at"));
  g.publishedAt = iso(r.optStr("published_at"));
  g.validUntil = r.optStr("valid_until");
  g.total = r.optI64("total_tenths");
  g.level = r.optStr("level_code");
  g.currentLevel = r.optStr("current_level");
  g.reviewState = r.str("review_state");
  g.reviewReason = r.optStr("review_reason");
  g.updatedAt = core::sqlToIsoUtc(r.str("updated_at"));
  if (g.state == "draft" && !g.confirmedAt && g.challengeDeadline) {
    auto deadline = core::parseDay(*g.challengeDeadline);
    g.challengeWindowOpen = deadline && today <= *deadline;
  }
  if (auto published = r.optStr("published_at")) {
    auto t = core::parseSqlDateTime(*published);
    if (t) g.ageDays = static_cast<int>((today - core::shanghaiDay(*t)).count());
  }
  if (g.validUntil) {
    if (auto until = core::parseDay(*g.validUntil)) {
      g.daysToExpiry = static_cast<int>((*until - today).count());
      g.expired = *until < today;
    }
  }
  return g;
}

}  // namespace

std::optional<std::string> scopeClause(const http::Principal& who, std::vector<std::string>& params) {
  if (who.role == "admin") return std::string("1 = 1");
  if (who.role == "officer" && who.departmentCode) {
    params.push_back(*who.departmentCode);
    return std::string("g.department_code = ?");
  }
  if (who.role == "inspector") {
    params.push_back(std::to_string(who.userId));
    return std::string("EXISTS (SELECT 1 FROM rating_sheets x WHERE x.rating_id = g.id AND x.kind = 'panel'"
                       " AND x.user_id = ?)");
  }
  if (who.role == "institution" && who.institutionId) {
    params.push_back(std::to_string(*who.institutionId));
    return std::string("g.institution_id = ?");
  }
  if (who.role == "bureau") return std::string("g.state IN ('published', 'superseded')");
  return std::nullopt;
}

std::optional<Rating> load(db::Connection& c, std::int64_t id, core::Day today, bool forUpdate) {
  if (forUpdate) c.query("SELECT id FROM ratings WHERE id = ? FOR UPDATE", id);
  auto rows = c.query(std::string(kSelect) + " WHERE g.id = ?", id);
  if (rows.empty()) return std::nullopt;
  return fromRow(rows[0], today);
}

RatingPage list(db::Connection& c, const std::string& scope, const std::vector<std::string>& scopeParams,
                const RatingFilter& f, core::Day today) {
  std::string where = scope;
  std::vector<std::string> params = scopeParams;
  if (f.state) {
    where += " AND g.state = ?";
    params.push_back(*f.state);
  }
  if (f.region) {
    where += " AND g.region_code LIKE ?";
    params.push_back(core::regionPrefix(*f.region));
  }
  if (f.institutionId) {
    where += " AND g.institution_id = ?";
    params.push_back(std::to_string(*f.institutionId));
  }
  if (f.expiringWithinDays) {
    where += " AND g.state = 'published' AND g.valid_until <= ?";
    params.push_back(core::formatDay(today + std::chrono::days(*f.expiringWithinDays)));
  }
  if (f.reviewRequired) where += " AND g.review_state = 'required'";
  auto bind = db::bindAll(params);
  RatingPage page;
  page.total = c.queryWith("SELECT COUNT(*) AS n FROM ratings g WHERE " + where, bind)[0].i64("n");
  std::string order = f.expiringWithinDays ? " ORDER BY g.valid_until, g.id" : " ORDER BY g.updated_at DESC, g.id DESC";
  for (const auto& r : c.queryWith(std::string(kSelect) + " WHERE " + where + order + " LIMIT ? OFFSET ?",
                                   db::bindPage(params, f.limit, f.offset))) {
    page.items.push_back(fromRow(r, today));
  }
  return page;
}

std::optional<std::int64_t> selfSheet(db::Connection& c, std::int64_t ratingId) {
  auto rows = c.query("SELECT id FROM rating_sheets WHERE rating_id = ? AND kind = 'self'", ratingId);
  if (rows.empty()) return std::nullopt;
  return rows[0].i64("id");
}

std::optional<std::int64_t> panelSheetOf(db::Connection& c, std::int64_t ratingId, std::int64_t userId) {
  auto rows = c.query("SELECT id FROM rating_sheets WHERE rating_id = ? AND kind = 'panel' AND user_id = ?", ratingId,
                      userId);
  if (rows.empty()) return std::nullopt;
  return rows[0].i64("id");
}

std::vector<SheetLine> lines(db::Connection& c, std::int64_t sheetId) {
  std::vector<SheetLine> out;
  for (const auto& r : c.query("SELECT item_code, points, passed, note, evidence FROM rating_scores WHERE sheet_id = ?"
                               " ORDER BY item_code",
                               sheetId)) {
    SheetLine l;
    l.code = r.str("item_code");
    l.points = r.optI64("points");
    if (!r.isNull("passed")) l.passed = r.boolean("passed");
    l.note = r.str("note");
    l.evidence = r.str("evidence");
    out.push_back(std::move(l));
  }
  return out;
}

void saveLines(db::Connection& c, std::int64_t sheetId, const std::vector<SheetLine>& lines) {
  for (const auto& l : lines) {
    std::optional<std::int64_t> passed;
    if (l.passed) passed = *l.passed ? 1 : 0;
    c.execute("INSERT INTO rating_scores (sheet_id, item_code, points, passed, note, evidence) VALUES (?, ?, ?, ?, ?, ?)"
              " ON DUPLICATE KEY UPDATE points = VALUES(points), passed = VALUES(passed), note = VALUES(note),"
              " evidence = VALUES(evidence)",
              sheetId, l.code, l.points, passed, l.note, l.evidence);
  }
}

Sheet toSheet(const std::vector<SheetLine>& lines) {
  Sheet s;
  for (const auto& l : lines) {
    if (l.points) s.points[l.code] = *l.points;
    if (l.passed) s.vetoes[l.code] = *l.passed;
  }
  return s;
}

std::vector<PanelMember> panel(db::Connection& c, std::int64_t ratingId) {
  std::vector<PanelMember> out;
  for (const auto& r : c.query("SELECT x.inspector_id, n.code, n.name, n.member_kind, n.expertise, x.assigned_how,"
                               " x.submitted_at, (SELECT COUNT(*) FROM rating_scores y WHERE y.sheet_id = x.id) AS answered"
                               " FROM rating_sheets x JOIN inspectors n ON n.id = x.inspector_id"
                               " WHERE x.rating_id = ? AND x.kind = 'panel' ORDER BY n.code",
                               ratingId)) {
    out.push_back({r.i64("inspector_id"), r.str("code"), r.str("name"), r.str("member_kind"), r.str("expertise"),
                   r.str("assigned_how"), iso(r.optStr("submitted_at")), static_cast<int>(r.i64("answered"))});
  }
  return out;
}

std::map<std::string, std::vector<SheetLine>> panelSheets(db::Connection& c, std::int64_t ratingId) {
  std::map<std::string, std::vector<SheetLine>> out;
  for (const auto& r : c.query("SELECT x.id, n.code FROM rating_sheets x JOIN inspectors n ON n.id = x.inspector_id"
                               " WHERE x.rating_id = ? AND x.kind = 'panel' AND x.submitted_at IS NOT NULL",
                               ratingId)) {
    out[r.str("code")] = lines(c, r.i64("id"));
  }
  return out;
}

std::vector<Challenge> challenges(db::Connection& c, std::int64_t ratingId) {
  std::vector<Challenge> out;
  for (const auto& r : c.query("SELECT k.id, k.item_code, k.claim, k.evidence, k.filed_at, k.decision, k.answer,"
                               " k.corrected_points, k.corrected_passed, u.display_name AS answered_by, k.answered_at"
                               " FROM rating_challenges k LEFT JOIN users u ON u.id = k.answered_by"
                               " WHERE k.rating_id = ? ORDER BY k.id",
                               ratingId)) {
    Challenge k;
    k.id = r.i64("id");
    k.itemCode = r.str("item_code");
    k.claim = r.str("claim");
    k.evidence = r.str("evidence");
    k.filedAt = core::sqlToIsoUtc(r.str("filed_at"));
    k.decision = r.optStr("decision");
    k.answer = r.optStr("answer");
    k.correctedPoints = r.optI64("corrected_points");
    if (!r.isNull("corrected_passed")) k.correctedPassed = r.boolean("corrected_passed");
    k.answeredBy = r.optStr("answered_by");
    k.answeredAt = iso(r.optStr("answered_at"));
    out.push_back(std::move(k));
  }
  return out;
}

std::vector<RatingEvent> events(db::Connection& c, std::int64_t ratingId) {
  std::vector<RatingEvent> out;
  for (const auto& r : c.query("SELECT e.id, e.action, u.display_name AS actor, e.from_level, e.to_level, e.note,"
                               " e.created_at FROM rating_events e LEFT JOIN users u ON u.id = e.actor_id"
                               " WHERE e.rating_id = ? ORDER BY e.id",
                               ratingId)) {
    out.push_back({r.i64("id"), r.str("action"), r.optStr("actor"), r.optStr("from_level"), r.optStr("to_level"),
                   r.str("note"), core::sqlToIsoUtc(r.str("created_at"))});
  }
  return out;
}

void addEvent(db::Connection& c, std::int64_t ratingId, std::optional<std::int64_t> actorId, const std::string& action,
              const std::optional<std::string>& fromLevel, const std::optional<std::string>& toLevel,
              const std::string& note, const std::string& at, std::optional<std::int64_t> sourceEventId) {
  c.execute("INSERT INTO rating_events (rating_id, action, actor_id, from_level, to_level, note, source_event_id,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ratingId, action, actorId, fromLevel, toLevel, note, sourceEventId, at);
}

}  // namespace cw::ratings::repo
