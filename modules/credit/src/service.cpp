#include "cw/credit/service.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <sstream>

#include "cw/core/crypto.hpp"
#include "cw/credit/court_list.hpp"
#include "cw/core/time.hpp"
#include "cw/core/validation.hpp"
#include "cw/db/outbox.hpp"
#include "cw/db/statement_text.hpp"
#include "cw/http/json.hpp"
#include "cw/registry/codes.hpp"
#include "repository.hpp"
#include "service_internal.hpp"

namespace cw::credit {

using core::Error;

// ----- the draws' grade provider -------------------------------------------------------------------------------

class CreditService::Grades final : public draws::GradeProvider {
 public:
  explicit Grades(std::string fallback) : fallback_(std::move(fallback)) {}
  std::unordered_map<std::int64_t, std::string> grades(db::Connection& c,
                                                       const std::vector<std::int64_t>& ids) override {
    std::unordered_map<std::int64_t, std::string> out;
    db::forEachRowWithIds(c, "SELECT institution_id, draw_tier FROM credit_scores WHERE institution_id IN (", ")",
                          ids, [&](const db::Row& r) { out[r.i64("institution_id")] = r.str("draw_tier"); });
    return out;
  }
  std::string defaultGrade() const override { return fallback_; }

 private:
  std::string fallback_;
};

CreditService::CreditService(db::Pool& pool, audit::AuditLog& audit, const core::Clock& clock,
                             core::RandomSource& random, const core::WorkCalendar& calendar, CreditConfig config,
                             std::function<std::optional<std::string>(const std::string&)> personIndex)
    : pool_(pool),
      audit_(audit),
      clock_(clock),
      random_(random),
      calendar_(calendar),
      config_(std::move(config)),
      personIndex_(std::move(personIndex)),
      grades_(std::make_unique<Grades>(config_.defaultDrawTier)) {}

CreditService::~CreditService() = default;

draws::GradeProvider& CreditService::gradeProvider() { return *grades_; }

// ----- scorecard ---------------------------------------------------------------------------------------------

core::Status CreditService::installScorecard(const std::string& text) {
  auto card = parseScorecard(text);
  if (!card) return card.error();
  std::string hash = core::sha256Hex(text);
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  std::string now = core::formatSqlDateTime(clock_.now());
  auto existing = c.query("SELECT sha256 FROM credit_scorecards WHERE id = ? AND version = ? FOR UPDATE", card->id,
                          card->version);
  if (!existing.empty() && existing[0].str("sha256") != hash) {
    bool used = !c.query("SELECT 1 FROM credit_scores WHERE scorecard_id = ? AND scorecard_version = ? LIMIT 1",
                         card->id, card->version)
                     .empty();
    if (used) {
      return Error::precondition("scorecard " + card->id + " " + card->version +
                                 " has been used for scores and its text changed: give the file a new version");
    }
    c.execute("UPDATE credit_scorecards SET body = ?, sha256 = ?, loaded_at = ? WHERE id = ? AND version = ?", text,
              hash, now, card->id, card->version);
  } else if (existing.empty()) {
    c.execute("INSERT INTO credit_scorecards (id, version, body, sha256, active, loaded_at) VALUES (?, ?, ?, ?, 0, ?)",
              card->id, card->version, text, hash, now);
  }
  c.execute("UPDATE credit_scorecards SET active = (id = ? AND version = ?)", card->id, card->version);
  tx.commit();
  std::lock_guard lock(cardMutex_);
  card_ = std::make_shared<const Scorecard>(std::move(*card));
  return core::Ok{};
}

std::shared_ptr<const Scorecard> CreditService::scorecard() const {
  std::lock_guard lock(cardMutex_);
  return card_;
}

// ----- transactions on one entity ----------------------------------------------------------------------------

void CreditService::rescore(db::Connection& c, const std::string& code, const std::string& reason,
                            const std::string& now) {
  auto card = scorecard();
  if (!card) return;
  core::Day today = core::shanghaiDay(clock_.now());
  std::vector<ScoredRecord> records;
  for (const auto& r : c.query("SELECT id, kind, severity, title, decided_on, publish_until FROM credit_records"
                               " WHERE entity_code = ? AND state = 'active'",
                               code)) {
    records.push_back({r.i64("id"), r.str("kind"), r.str("severity"), r.str("title"),
                       *core::parseDay(r.str("decided_on")), *core::parseDay(r.str("publish_until"))});
  }
  std::vector<std::string> lists;
  for (const auto& r : c.query("SELECT DISTINCT list_kind FROM credit_list_entries WHERE entity_code = ? AND state = 'listed'",
                               code)) {
    lists.push_back(r.str("list_kind"));
  }
  Score s = computeScore(*card, records, lists, today);
  auto institution = c.query("SELECT institution_id FROM credit_entities WHERE code = ?", code);
  std::optional<std::int64_t> institutionId = institution.empty() ? std::nullopt : institution[0].optI64("institution_id");
  auto previous = c.query("SELECT grade, score FROM credit_scores WHERE entity_code = ?", code);
  std::string day = core::formatDay(today);
  if (previous.empty()) {
    c.execute("INSERT INTO credit_scores (entity_code, institution_id, score, grade, draw_tier, scorecard_id,"
              " scorecard_version, computed_on, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              code, institutionId, s.total, s.grade, s.drawTier, card->id, card->version, day, now);
  } else {
    c.execute("UPDATE credit_scores SET institution_id = ?, score = ?, grade = ?, draw_tier = ?, scorecard_id = ?,"
              " scorecard_version = ?, computed_on = ?, computed_at = ? WHERE entity_code = ?",
              institutionId, s.total, s.grade, s.drawTier, card->id, card->version, day, now, code);
  }
  std::optional<std::string> before = previous.empty() ? std::nullopt : std::optional(previous[0].str("grade"));
  if (!before || *before != s.grade) {
    c.execute("INSERT INTO credit_grade_history (entity_code, grade, previous_grade, score, reason, scorecard_version,"
              " changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
              code, s.grade, before, s.total, reason.substr(0, 255), card->version, now);
  }
}

void CreditService::createTasks(db::Connection& c, std::int64_t entryId, const std::string& listKind,
                                const std::string& department, const std::string& kind, const std::string& now) {
  core::Day today = core::shanghaiDay(clock_.now());
  std::string due = core::formatDay(calendar_.addWorkingDays(today, config_.feedbackWorkingDays));
  std::map<std::string, std::vector<MeasureSpec>> byDepartment;
  if (kind == "apply") {
    for (const auto& m : repo::loadMemoranda(c, true)) {
      if (std::find(m.lists.begin(), m.lists.end(), listKey(department, listKind)) == m.lists.end()) continue;
      for (const auto& x : m.measures) byDepartment[x.department].push_back(x);
    }
  } else {
    for (const auto& r : c.query("SELECT department_code, measures FROM credit_tasks WHERE list_entry_id = ? AND"
                                 " kind = 'apply'",
                                 entryId)) {
      byDepartment[r.str("department_code")] = repo::measuresFromJson(r.str("measures"));
    }
  }
  for (const auto& [dept, measures] : byDepartment) {
    c.execute("INSERT IGNORE INTO credit_tasks (list_entry_id, department_code, kind, measures, state, due_on,"
              " created_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)",
              entryId, dept, kind, repo::measuresJson(measures), due, now);
  }
}

void CreditService::refreshEntity(db::Connection& c, const std::string& code) {
  auto e = repo::findEntity(c, code);
  if (e) graph_.upsertEntity(code, e->name);
  graph_.setMemberships(code, repo::memberships(c, code));
}

void CreditService::refreshRelations(db::Connection& c, std::int64_t institutionId) {
  auto rows = c.query("SELECT credit_code, name FROM institutions WHERE id = ?", institutionId);
  if (rows.empty()) return;
  std::string code = rows[0].str("credit_code");
  graph_.upsertEntity(code, rows[0].str("name"));
  auto today = core::formatDay(core::shanghaiDay(clock_.now()));
  graph_.setRelations(code, repo::relations(c, institutionId, today));
}

void CreditService::refreshMemorandum(db::Connection& c, std::int64_t id) {
  auto specs = repo::loadMemoranda(c, true, id);
  if (specs.empty()) graph_.removeMemorandum(id);
  else graph_.upsertMemorandum(specs[0]);
}

// Closes an open entry (listed -> removed/expired, proposed -> dismissed), writes lift tasks when it was listed.
void CreditService::closeEntry(db::Connection& c, const ListEntry& e, const std::string& state,
                               const std::string& reason, const std::string& note, std::optional<std::int64_t> by,
                               const std::string& now) {
  c.execute("UPDATE credit_list_entries SET state = ?, open_key = NULL, removed_at = ?, removal_reason = ?,"
            " removal_note = ?, removed_by = ?, updated_at = ? WHERE id = ?",
            state, now, reason, note.empty() ? std::optional<std::string>() : std::optional<std::string>(note), by, now,
            e.id);
  if (e.state == "listed") {
    createTasks(c, e.id, e.listKind, e.departmentCode, "lift", now);
    repo::logChange(c, "entity", e.entityCode, now);
    db::emitEvent(c, {0, "credit.delisted", "credit_list_entry", e.id, e.institutionId,
                      "credit:entry:" + std::to_string(e.id) + ":" + state,
                      http::jsonText({{"list", e.listKind}, {"department", e.departmentCode}, {"reason", reason}}), ""},
                  now);
  }
}

// Lists the entry now: dates, tasks for every implementing department, change log, outbox.
void CreditService::listEntry(db::Connection& c, const ListEntry& e, const std::string& now) {
  core::Day today = core::shanghaiDay(clock_.now());
  core::Day ends = e.listKind == "blacklist" ? addMonths(today, 12 * config_.blacklistYears)
                   : e.listKind == "watchlist" ? addMonths(today, config_.watchlistMonths)
                                               : addMonths(today, config_.redlistMonths);
  std::optional<std::string> removable;
  if (e.listKind == "blacklist") removable = core::formatDay(addMonths(today, 12 * config_.blacklistRemovalYears));
  c.execute("UPDATE credit_list_entries SET state = 'listed', listed_on = ?, ends_on = ?, removable_from = ?,"
            " updated_at = ? WHERE id = ?",
            core::formatDay(today), core::formatDay(ends), removable, now, e.id);
  createTasks(c, e.id, e.listKind, e.departmentCode, "apply", now);
  repo::logChange(c, "entity", e.entityCode, now);
  db::emitEvent(c, {0, e.listKind == "blacklist" ? "credit.blacklisted" : "credit.listed", "credit_list_entry", e.id,
                    e.institutionId, "credit:entry:" + std::to_string(e.id) + ":listed",
                    http::jsonText({{"list", e.listKind}, {"department", e.departmentCode}, {"ground", e.groundName}}),
                    ""},
                now);
}

// ----- records -----------------------------------------------------------------------------------------------

core::Result<std::int64_t> CreditService::insertRecord(db::Connection& c, const std::string& entity,
                                                       const std::string& department, const RecordInput& in,
                                                       const std::string& source, const std::string& sourceRef,
                                                       std::optional<std::int64_t> by, const std::string& now) {
  const RecordKind* kind = recordKind(in.kind);
  if (!kind) return Error::invalid("kind", "\"" + in.kind + "\" is not a credit record kind");
  auto decided = core::parseDay(in.decidedOn);
  if (!decided) return Error::invalid("decided_on", "decided_on must be a date YYYY-MM-DD");
  auto window = publicationWindow(in.severity, kind->positive, *decided, in.publishMonths, in.severePenalty);
  if (!window) return window.error();
  if (!c.query("SELECT id FROM credit_records WHERE source = ? AND source_ref = ?", source, sourceRef).empty()) {
    return Error::conflict("a record from " + source + " " + sourceRef + " already exists", "document_no");
  }
  c.execute("INSERT INTO credit_records (entity_code, department_code, kind, polarity, severity, severe_penalty, title,"
            " legal_basis, document_no, facts, decided_on, min_until, publish_until, state, source, source_ref,"
            " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)",
            entity, department, in.kind, kind->positive ? "positive" : "negative", in.severity, in.severePenalty,
            in.title.empty() ? std::string(kind->name) : in.title, in.legalBasis,
            in.documentNo.empty() ? std::optional<std::string>() : std::optional<std::string>(in.documentNo), in.facts,
            in.decidedOn, core::formatDay(window->minUntil), core::formatDay(window->publishUntil), source, sourceRef,
            by, now);
  std::int64_t id = c.lastInsertId();
  // Watch list by rule: a serious negative record in its window puts the entity on its department's watch list.
  if (!kind->positive && in.severity == "serious" && window->publishUntil > core::shanghaiDay(clock_.now())) {
    std::string key = repo::openKey("watchlist", department, entity);
    if (c.query("SELECT id FROM credit_list_entries WHERE open_key = ?", key).empty()) {
      c.execute("INSERT INTO credit_list_entries (list_kind, department_code, entity_code, ground, basis, facts,"
                " record_id, state, open_key, source, source_ref, created_at, updated_at)"
                " VALUES ('watchlist', ?, ?, 'serious_record', ?, ?, ?, 'proposed', ?, 'rule', ?, ?, ?)",
                department, entity, "严重失信记录在公示期内（重点关注名单规则）", in.title.empty() ? kind->name : in.title,
                id, key, "record:" + std::to_string(id), now, now);
      auto entry = repo::loadEntry(c, c.lastInsertId(), core::shanghaiDay(clock_.now()));
      listEntry(c, *entry, now);
    }
  }
  // The red list by rule: a general or serious negative record removes the entity from it.
  if (!kind->positive && in.severity != "minor") {
    for (const auto& r : c.query("SELECT id FROM credit_list_entries WHERE entity_code = ? AND list_kind = 'redlist'"
                                 " AND state IN ('proposed', 'listed')",
                                 entity)) {
      auto entry = repo::loadEntry(c, r.i64("id"), core::shanghaiDay(clock_.now()), true);
      closeEntry(c, *entry, entry->state == "listed" ? "removed" : "dismissed", "negative_record",
                 "新增失信记录 #" + std::to_string(id), std::nullopt, now);
    }
  }
  return id;
}

core::Result<Record> CreditService::addRecord(const audit::Actor& actor, const http::Principal& who,
                                              const RecordInput& in) {
  if (who.role != "officer" && who.role != "admin") return Error::denied("only department officers enter credit records");
  if (!who.departmentCode) return Error::denied("only department officers enter credit records");
  const RecordKind* kind = recordKind(in.kind);
  if (!kind || !kind->departmentMayEnter) {
    return Error::invalid("kind", "kind must be penalty or commendation (the others come from inspections, hazards,"
                                  " ratings and the court list)");
  }
  if (auto ok = registry::checkCreditCode("entity", in.entityCode); !ok) return ok.error();
  if (std::find(kSeverities.begin(), kSeverities.end(), in.severity) == kSeverities.end()) {
    return Error::invalid("severity", "severity must be minor, general or serious");
  }
  if (auto ok = core::checkText("legal_basis", in.legalBasis, 2, 255); !ok) return ok.error();
  if (auto ok = core::checkText("document_no", in.documentNo, 2, 64); !ok) return ok.error();
  if (auto ok = core::checkText("facts", in.facts, 5, 4000); !ok) return ok.error();
  if (!in.title.empty()) {
    if (auto ok = core::checkText("title", in.title, 2, 128); !ok) return ok.error();
  }
  auto decided = core::parseDay(in.decidedOn);
  if (!decided) return Error::invalid("decided_on", "decided_on must be a date YYYY-MM-DD");
  if (*decided > core::shanghaiDay(clock_.now())) return Error::invalid("decided_on", "decided_on is in the future");
  if (in.severePenalty && kind->positive) return Error::invalid("severe_penalty", "a commendation is not a penalty");
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  std::string now = core::formatSqlDateTime(clock_.now());
  auto entity = repo::ensureEntity(c, in.entityCode, in.entityName, now);
  if (!entity) return Error::invalid("entity", entity.error().message + " (give entity_name to record a company)");
  repo::findEntity(c, entity->code, true);
  auto id = insertRecord(c, entity->code, *who.departmentCode, in, "department",
                         *who.departmentCode + ":" + in.documentNo, who.userId, now);
  if (!id) return id.error();
  rescore(c, entity->code, "新增信用记录：" + (in.title.empty() ? std::string(kind->name) : in.title), now);
  audit_.append(c, actor, {"credit.record.add", "credit_record", std::to_string(*id),
                           http::jsonText({{"entity", entity->code}, {"kind", in.kind}, {"severity", in.severity}})});
  tx.commit();
  refreshEntity(*lease, entity->code);
  return *repo::loadRecord(*lease, *id, core::shanghaiDay(clock_.now()));
}

core::Result<int> CreditService::importCourtList(const audit::Actor& actor, const http::Principal& who,
                                                 const std::string& csv) {
  if ((who.role != "officer" && who.role != "admin") || !who.departmentCode) {
    return Error::denied("only department officers import the court's list");
  }
  auto parsed = parseCourtList(csv);
  if (!parsed) return parsed.error();
  const std::vector<CourtListLine>& lines = *parsed;
  // One transaction per import: kept short so that the outbox and change-log readers never wait on it long.
  if (lines.size() > 500) return Error::invalid("csv", "at most 500 rows per import; split the list");
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  std::string now = core::formatSqlDateTime(clock_.now());
  core::Day today = core::shanghaiDay(clock_.now());
  int added = 0;
  std::vector<std::string> touched;
  for (const auto& l : lines) {
    auto entity = repo::ensureEntity(c, l.cells[0], l.cells[1], now);
    if (!entity) return Error::invalid("csv", "line " + std::to_string(l.number) + ": " + entity.error().message);
    repo::findEntity(c, entity->code, true);
    std::string sourceRef = "court:" + l.cells[2];
    if (!c.query("SELECT id FROM credit_records WHERE source = 'import' AND source_ref = ?", sourceRef).empty()) continue;
    std::string department = *who.departmentCode;
    if (entity->sector) {
      if (auto d = repo::departmentOfSector(c, *entity->sector)) department = *d;
    }
    RecordInput r;
    r.entityCode = entity->code;
    r.kind = "court_defaulter";
    r.severity = "serious";
    r.title = "失信被执行人（" + l.cells[3] + "）";
    r.legalBasis = "最高人民法院关于公布失信被执行人名单信息的若干规定";
    r.documentNo = l.cells[2];
    r.facts = l.cells[5];
    r.decidedOn = l.cells[4];
    auto id = insertRecord(c, entity->code, department, r, "import", sourceRef, who.userId, now);
    if (!id) return Error::invalid("csv", "line " + std::to_string(l.number) + ": " + id.error().message);
    // 民发〔2019〕103号: a court judgment-defaulter is listed by rule, without a proposal.
    std::string key = repo::openKey("blacklist", department, entity->code);
    if (c.query("SELECT id FROM credit_list_entries WHERE open_key = ?", key).empty()) {
      const Ground* g = blacklistGround("court_defaulter");
      c.execute("INSERT INTO credit_list_entries (list_kind, department_code, entity_code, ground, basis, facts,"
                " record_id, state, open_key, decision, decision_reason, decided_by, decided_at, proposed_by, source,"
                " source_ref, created_at, updated_at) VALUES ('blacklist', ?, ?, 'court_defaulter', ?, ?, ?,"
                " 'proposed', ?, 'list', '失信被执行人依规列入', ?, ?, ?, 'import', ?, ?, ?)",
                department, entity->code, g->basis, l.cells[5], *id, key, who.userId, now, who.userId, sourceRef, now,
                now);
      auto entry = repo::loadEntry(c, c.lastInsertId(), today);
      listEntry(c, *entry, now);
    }
    rescore(c, entity->code, "失信被执行人名单导入", now);
    touched.push_back(entity->code);
    ++added;
  }
  audit_.append(c, actor, {"credit.court_list.import", "credit_records", std::to_string(added),
                           http::jsonText({{"rows", static_cast<int>(lines.size())}, {"added", added}})});
  tx.commit();
  for (const auto& code : touched) refreshEntity(*lease, code);
  return added;
}

// ----- lists -------------------------------------------------------------------------------------------------

namespace {

bool isOfficerOf(const http::Principal& who, const std::string& department) {
  return who.role == "admin" || (who.role == "officer" && who.departmentCode && *who.departmentCode == department);
}

}  // namespace

core::Result<ListEntry> CreditService::propose(const audit::Actor& actor, const http::Principal& who,
                                               const std::string& listKind, const ProposalInput& in) {
  if (std::find(kListKinds.begin(), kListKinds.end(), listKind) == kListKinds.end()) {
    return Error::notFound("no list " + listKind + " (blacklist, watchlist, redlist)");
  }
  if (who.role != "officer" || !who.departmentCode) return Error::denied("only department officers propose listings");
  if (auto ok = registry::checkCreditCode("entity", in.entityCode); !ok) return ok.error();
  if (listKind == "blacklist") {
    const Ground* g = blacklistGround(in.ground);
    if (!g) return Error::invalid("ground", "ground must be one of the nine grounds of 民发〔2019〕103号 or court_defaulter");
  } else if (auto ok = core::checkText("ground", in.ground, 2, 32); !ok) {
    return ok.error();
  }
  if (auto ok = core::checkText("facts", in.facts, 5, 4000); !ok) return ok.error();
  std::string basis = in.basis;
  if (basis.empty() && listKind == "blacklist") basis = blacklistGround(in.ground)->basis;
  if (auto ok = core::checkText("basis", basis, 2, 255); !ok) return ok.error();
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  std::string now = core::formatSqlDateTime(clock_.now());
  core::Day today = core::shanghaiDay(clock_.now());
  auto entity = repo::ensureEntity(c, in.entityCode, std::nullopt, now);
  if (!entity) return Error::invalid("entity", entity.error().message);
  repo::findEntity(c, entity->code, true);
  std::string department = *who.departmentCode;
  // 谁监管、谁列入: the blacklist and red list of an institution belong to the department supervising its sector.
  if (listKind != "watchlist" && entity->sector) {
    auto supervising = repo::departmentOfSector(c, *entity->sector);
    if (supervising && *supervising != department) {
      return Error::denied("谁监管、谁列入: only " + *supervising + " proposes " + entity->name + " for the " + listKind);
    }
  }
  if (listKind == "redlist") {
    auto why = redListBlocker(c, entity->code, today);
    if (!why.empty()) return Error::precondition("not eligible for the red list: " + why);
  }
  if (in.recordId) {
    auto r = repo::loadRecord(c, *in.recordId, today);
    if (!r || r->entityCode != entity->code) return Error::invalid("record_id", "record " + std::to_string(*in.recordId) + " is not a record of this entity");
  }
  std::string key = repo::openKey(listKind, department, entity->code);
  if (!c.query("SELECT id FROM credit_list_entries WHERE open_key = ?", key).empty()) {
    return Error::conflict(entity->name + " already has an open " + listKind + " entry of " + department);
  }
  std::optional<std::string> noticeNo, objectionUntil;
  if (listKind == "blacklist") {
    auto notice = serveNotice(department, today);
    noticeNo = notice.number;
    objectionUntil = notice.objectionUntil;
  }
  c.execute("INSERT INTO credit_list_entries (list_kind, department_code, entity_code, ground, basis, facts, record_id,"
            " state, open_key, notice_no, noticed_at, objection_until, proposed_by, source, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 'proposed', ?, ?, ?, ?, ?, 'department', ?, ?)",
            listKind, department, entity->code, in.ground, basis, in.facts, in.recordId, key, noticeNo,
            noticeNo ? std::optional<std::string>(now) : std::nullopt, objectionUntil, who.userId, now, now);
  std::int64_t id = c.lastInsertId();
  audit_.append(c, actor, {"credit.list.propose", "credit_list_entry", std::to_string(id),
                           http::jsonText({{"list", listKind}, {"entity", entity->code}, {"ground", in.ground}})});
  tx.commit();
  return *repo::loadEntry(*lease, id, today);
}

CreditService::Notice CreditService::serveNotice(const std::string& department, core::Day today) {
  return {department + "-XG-" + core::formatDay(today).substr(0, 4) + "-" + core::randomCode(random_, 8),
          core::formatDay(calendar_.addWorkingDays(today, config_.objectionWorkingDays))};
}

std::string CreditService::redListBlocker(db::Connection& c, const std::string& code, core::Day today) {
  auto card = scorecard();
  auto score = c.query("SELECT grade FROM credit_scores WHERE entity_code = ?", code);
  std::string grade = score.empty() ? "" : score[0].str("grade");
  if (card && (grade.empty() || card->bandIndex(grade) != 0)) {
    return "the grade must be " + (card->bands.empty() ? std::string("the top band") : card->bands[0].grade) +
           " (it is " + (grade.empty() ? std::string("not scored") : grade) + ")";
  }
  if (!c.query("SELECT id FROM credit_list_entries WHERE entity_code = ? AND list_kind IN ('blacklist', 'watchlist')"
               " AND state IN ('proposed', 'listed') LIMIT 1",
               code)
           .empty()) {
    return "it is on (or proposed for) the blacklist or the watch list";
  }
  if (!c.query("SELECT id FROM credit_records WHERE entity_code = ? AND polarity = 'negative' AND state = 'active'"
               " AND severity IN ('general', 'serious') AND publish_until > ? LIMIT 1",
               code, core::formatDay(today))
           .empty()) {
    return "a general or serious negative record is in its publication window";
  }
  return "";
}

core::Result<ListEntry> CreditService::withEntry(const std::string& listKind, std::int64_t id,
                                                 const std::function<core::Status(Tx&)>& change) {
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  core::Day today = core::shanghaiDay(clock_.now());
  auto head = c.query("SELECT entity_code FROM credit_list_entries WHERE id = ? AND list_kind = ?", id, listKind);
  if (head.empty()) return Error::notFound("list entry " + std::to_string(id) + " does not exist");
  std::string code = head[0].str("entity_code");
  repo::findEntity(c, code, true);
  auto e = repo::loadEntry(c, id, today, true);
  Tx x{c, *e, core::formatSqlDateTime(clock_.now()), today};
  if (auto ok = change(x); !ok) return ok.error();
  tx.commit();
  refreshEntity(*lease, code);
  return *repo::loadEntry(*lease, id, today);
}

core::Result<ListEntry> CreditService::object(const audit::Actor& actor, const http::Principal& who,
                                              const std::string& listKind, std::int64_t entryId,
                                              const std::string& text) {
  if (auto ok = core::checkText("objection", text, 10, 4000); !ok) return ok.error();
  return withEntry(listKind, entryId, [&](Tx& x) -> core::Status {
    if (who.role != "institution" || !who.institutionId || !x.e.institutionId || *who.institutionId != *x.e.institutionId) {
      return Error::notFound("list entry " + std::to_string(entryId) + " does not exist");
    }
    if (x.e.state != "proposed" || !x.e.objectionUntil) return Error::precondition("there is no notice to object to");
    if (x.e.objection) return Error::precondition("an objection was already filed on " + x.e.objectionAt.value_or(""));
    if (core::formatDay(x.today) > *x.e.objectionUntil) {
      return Error::precondition("the objection window ended on " + *x.e.objectionUntil);
    }
    x.c.execute("UPDATE credit_list_entries SET objection = ?, objection_at = ?, objection_by = ?, updated_at = ?"
                " WHERE id = ?",
                text, x.now, who.userId, x.now, entryId);
    audit_.append(x.c, actor, {"credit.list.object", "credit_list_entry", std::to_string(entryId), "{}"});
    return core::Ok{};
  });
}

core::Result<ListEntry> CreditService::decide(const audit::Actor& actor, const http::Principal& who,
                                              const std::string& listKind, std::int64_t entryId,
                                              const std::string& decision, const std::string& reason) {
  if (decision != "list" && decision != "dismiss") return Error::invalid("decision", "decision must be list or dismiss");
  if (auto ok = core::checkText("reason", reason, 2, 2000); !ok) return ok.error();
  return withEntry(listKind, entryId, [&](Tx& x) -> core::Status {
    if (!isOfficerOf(who, x.e.departmentCode)) return Error::denied("only officers of " + x.e.departmentCode + " decide this entry");
    if (x.e.state != "proposed") return Error::precondition("only a proposed entry is decided; this one is " + x.e.state);
    if (x.e.proposedBy && *x.e.proposedBy == who.userId) {
      return Error::precondition("the officer who proposed the listing cannot also decide it (四眼原则)");
    }
    if (!x.e.decideBlockedBy.empty()) return Error::precondition(x.e.decideBlockedBy);
    if (decision == "list" && x.e.listKind == "redlist") {
      auto why = redListBlocker(x.c, x.e.entityCode, x.today);
      if (!why.empty()) return Error::precondition("not eligible for the red list: " + why);
    }
    x.c.execute("UPDATE credit_list_entries SET decision = ?, decision_reason = ?, decided_by = ?, decided_at = ?,"
                " updated_at = ? WHERE id = ?",
                decision, reason, who.userId, x.now, x.now, entryId);
    if (decision == "list") {
      listEntry(x.c, x.e, x.now);
    } else {
      x.c.execute("UPDATE credit_list_entries SET state = 'dismissed', open_key = NULL WHERE id = ?", entryId);
    }
    rescore(x.c, x.e.entityCode, (decision == "list" ? "列入" : "不予列入") + x.e.listName, x.now);
    audit_.append(x.c, actor, {"credit.list.decide", "credit_list_entry", std::to_string(entryId),
                               http::jsonText({{"decision", decision}})});
    return core::Ok{};
  });
}

core::Result<ListEntry> CreditService::remove(const audit::Actor& actor, const http::Principal& who,
                                              const std::string& listKind, std::int64_t entryId,
                                              const std::string& reason, const std::string& note) {
  if (reason != "two_years_clean" && reason != "obligations_met") {
    return Error::invalid("reason", "reason must be two_years_clean or obligations_met");
  }
  if (reason == "obligations_met") {
    if (auto ok = core::checkText("note", note, 5, 2000); !ok) return ok.error();
  }
  return withEntry(listKind, entryId, [&](Tx& x) -> core::Status {
    if (!isOfficerOf(who, x.e.departmentCode)) return Error::denied("only officers of " + x.e.departmentCode + " remove this entry");
    if (x.e.state != "listed") return Error::precondition("only a listed entry is removed; this one is " + x.e.state);
    if (reason == "two_years_clean") {
      if (x.e.listKind != "blacklist") {
        return Error::invalid("reason", "two_years_clean applies to the blacklist; use obligations_met with a note");
      }
      if (x.e.removableFrom && core::formatDay(x.today) < *x.e.removableFrom) {
        return Error::precondition("removal on this ground is possible from " + *x.e.removableFrom);
      }
      auto newer = x.c.query("SELECT id FROM credit_records WHERE entity_code = ? AND polarity = 'negative' AND"
                             " severity = 'serious' AND state = 'active' AND decided_on > ? LIMIT 1",
                             x.e.entityCode, x.e.listedOn.value_or("0000-00-00"));
      if (!newer.empty()) {
        return Error::precondition("a serious violation was recorded after the listing (record " +
                                   std::to_string(newer[0].i64("id")) + ")");
      }
    }
    closeEntry(x.c, x.e, "removed", reason, note, who.userId, x.now);
    rescore(x.c, x.e.entityCode, "移出" + x.e.listName, x.now);
    audit_.append(x.c, actor, {"credit.list.remove", "credit_list_entry", std::to_string(entryId),
                               http::jsonText({{"reason", reason}})});
    return core::Ok{};
  });
}

// ----- memoranda and feedback --------------------------------------------------------------------------------

std::vector<Memorandum> CreditService::memoranda() {
  auto lease = pool_.acquire();
  return repo::loadMemorandumRows(*lease);
}

core::Result<Memorandum> CreditService::addMemorandum(const audit::Actor& actor, const http::Principal& who,
                                                      Memorandum in) {
  if (who.role != "admin" && who.role != "officer") return Error::denied("only officers and administrators add memoranda");
  auto& m = in.spec;
  if (who.role == "officer") {
    if (!who.departmentCode || m.initiator != *who.departmentCode) {
      return Error::denied("an officer adds memoranda initiated by their own department");
    }
  }
  if (auto ok = core::checkText("number", m.number, 2, 64); !ok) return ok.error();
  if (auto ok = core::checkText("title", m.title, 2, 255); !ok) return ok.error();
  if (auto ok = core::checkText("basis", m.basis, 2, 255); !ok) return ok.error();
  if (!core::parseDay(in.signedOn)) return Error::invalid("signed_on", "signed_on must be a date YYYY-MM-DD");
  if (m.lists.empty()) return Error::invalid("lists", "a memorandum binds at least one list");
  if (m.measures.empty()) return Error::invalid("measures", "a memorandum has at least one measure");
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  auto knownDepartment = [&](const std::string& code) { return repo::departmentName(c, code).has_value(); };
  if (!knownDepartment(m.initiator)) return Error::invalid("initiator", "no department " + m.initiator);
  std::set<std::string> seenLists;
  for (std::size_t i = 0; i < m.lists.size(); ++i) {
    auto colon = m.lists[i].find(':');
    std::string field = "lists[" + std::to_string(i) + "]";
    if (colon == std::string::npos) return Error::invalid(field, "a list is \"<department>:<blacklist|watchlist|redlist>\"");
    std::string dept = m.lists[i].substr(0, colon), kind = m.lists[i].substr(colon + 1);
    if (std::find(kListKinds.begin(), kListKinds.end(), kind) == kListKinds.end()) {
      return Error::invalid(field, "no list kind " + kind);
    }
    if (dept != m.initiator) return Error::invalid(field, "a memorandum binds lists of its initiating department");
    if (!seenLists.insert(m.lists[i]).second) return Error::invalid(field, "listed twice");
  }
  std::set<std::string> codes;
  for (std::size_t i = 0; i < m.measures.size(); ++i) {
    const auto& x = m.measures[i];
    std::string field = "measures[" + std::to_string(i) + "]";
    if (auto ok = core::checkText(field + ".code", x.code, 2, 32); !ok) return ok.error();
    if (!codes.insert(x.code).second) return Error::invalid(field + ".code", "code " + x.code + " is used twice");
    if (auto ok = core::checkText(field + ".name", x.name, 2, 128); !ok) return ok.error();
    if (auto ok = core::checkText(field + ".action", x.action, 2, 32); !ok) return ok.error();
    if (x.effect != "restrict" && x.effect != "reward") return Error::invalid(field + ".effect", "effect must be restrict or reward");
    if (!knownDepartment(x.department)) return Error::invalid(field + ".department", "no department " + x.department);
    static const std::set<std::string> kSubjects{"entity", "legal_representative", "operator", "parent", "branch"};
    if (!kSubjects.count(x.subject)) {
      return Error::invalid(field + ".subject", "subject must be entity, legal_representative, operator, parent or branch");
    }
    if (auto ok = core::checkText(field + ".basis", x.basis, 2, 255); !ok) return ok.error();
  }
  if (!c.query("SELECT id FROM credit_memoranda WHERE number = ?", m.number).empty()) {
    return Error::conflict("a memorandum numbered " + m.number + " exists", "number");
  }
  std::string now = core::formatSqlDateTime(clock_.now());
  c.execute("INSERT INTO credit_memoranda (number, title, initiator_department, basis, signed_on, active, created_by,"
            " created_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
            m.number, m.title, m.initiator, m.basis, in.signedOn, who.userId, now);
  m.id = c.lastInsertId();
  for (const auto& l : m.lists) {
    auto colon = l.find(':');
    c.execute("INSERT INTO credit_memorandum_lists (memorandum_id, list_kind, department_code) VALUES (?, ?, ?)", m.id,
              l.substr(colon + 1), l.substr(0, colon));
  }
  int order = 0;
  for (const auto& x : m.measures) {
    c.execute("INSERT INTO credit_measures (memorandum_id, code, name, action, effect, department_code, subject, basis,"
              " sort_order) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              m.id, x.code, x.name, x.action, x.effect, x.department, x.subject, x.basis, ++order);
  }
  // Entries already listed get the new memorandum's tasks too.
  for (const auto& l : m.lists) {
    auto colon = l.find(':');
    for (const auto& r : c.query("SELECT id FROM credit_list_entries WHERE list_kind = ? AND department_code = ? AND"
                                 " state = 'listed'",
                                 l.substr(colon + 1), l.substr(0, colon))) {
      createTasks(c, r.i64("id"), l.substr(colon + 1), l.substr(0, colon), "apply", now);
    }
  }
  repo::logChange(c, "memorandum", std::to_string(m.id), now);
  audit_.append(c, actor, {"credit.memorandum.add", "credit_memorandum", std::to_string(m.id),
                           http::jsonText({{"number", m.number}, {"measures", static_cast<int>(m.measures.size())}})});
  tx.commit();
  refreshMemorandum(*lease, m.id);
  for (const auto& row : repo::loadMemorandumRows(*lease)) {
    if (row.spec.id == m.id) return row;
  }
  return Error{core::ErrorCode::Internal, "memorandum vanished", {}};
}

core::Result<std::pair<std::vector<Task>, std::int64_t>> CreditService::tasks(const http::Principal& who,
                                                                              const TaskFilter& f) {
  if (who.role != "officer" && who.role != "admin" && who.role != "bureau") {
    return Error::denied("feedback tasks are for department staff");
  }
  std::string where = " WHERE 1 = 1";
  std::vector<std::string> params;
  std::optional<std::string> department = f.department;
  if (who.role == "officer") {
    // An officer sees the tasks of their own department, and the tasks of the cases their department initiated.
    if (department && *department != *who.departmentCode) {
      where += " AND t.department_code = ? AND l.department_code = ?";
      params = {*department, *who.departmentCode};
    } else if (f.entry) {
      where += " AND (t.department_code = ? OR l.department_code = ?)";
      params = {*who.departmentCode, *who.departmentCode};
    } else {
      where += " AND t.department_code = ?";
      params = {*who.departmentCode};
    }
  } else if (department) {
    where += " AND t.department_code = ?";
    params = {*department};
  }
  if (f.entry) {
    where += " AND t.list_entry_id = ?";
    params.push_back(std::to_string(*f.entry));
  }
  if (f.state) {
    where += " AND t.state = ?";
    params.push_back(*f.state);
  }
  core::Day today = core::shanghaiDay(clock_.now());
  if (f.overdueOnly) {
    where += " AND t.state IN ('pending', 'accepted') AND t.due_on < ?";
    params.push_back(core::formatDay(today));
  }
  auto bind = db::bindAll(params);
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  auto total = c.queryWith("SELECT COUNT(*) AS n FROM credit_tasks t JOIN credit_list_entries l ON l.id = t.list_entry_id" +
                               where,
                           bind)[0]
                   .i64("n");
  std::vector<Task> out;
  for (const auto& r : c.queryWith(std::string(repo::kTaskSelect) + where +
                                       " ORDER BY t.state = 'done', t.due_on, t.id LIMIT ? OFFSET ?",
                                   db::bindPage(params, f.limit, f.offset))) {
    out.push_back(repo::toTask(r, today));
  }
  return std::make_pair(std::move(out), total);
}

core::Result<Task> CreditService::respond(const audit::Actor& actor, const http::Principal& who, std::int64_t taskId,
                                          const std::string& action, const std::string& text) {
  if (action != "accept" && action != "not_applicable" && action != "feedback") {
    return Error::invalid("action", "action must be accept, not_applicable or feedback");
  }
  if (action == "not_applicable") {
    if (auto ok = core::checkText("reason", text, 5, 2000); !ok) return ok.error();
  } else if (action == "feedback") {
    if (auto ok = core::checkText("feedback", text, 5, 4000); !ok) return ok.error();
  } else if (!text.empty()) {
    if (auto ok = core::checkText("reason", text, 1, 2000); !ok) return ok.error();
  }
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  core::Day today = core::shanghaiDay(clock_.now());
  auto rows = c.query(std::string(repo::kTaskSelect) + " WHERE t.id = ? FOR UPDATE", taskId);
  if (rows.empty()) return Error::notFound("task " + std::to_string(taskId) + " does not exist");
  Task t = repo::toTask(rows[0], today);
  if (!isOfficerOf(who, t.departmentCode)) {
    if (who.role == "officer") return Error::notFound("task " + std::to_string(taskId) + " does not exist");
    return Error::denied("only officers of " + t.departmentCode + " answer this task");
  }
  std::string now = core::formatSqlDateTime(clock_.now());
  if (action == "accept") {
    if (t.state != "pending") return Error::precondition("the task was already answered (" + t.state + ")");
    c.execute("UPDATE credit_tasks SET state = 'accepted', response_reason = ?, responded_by = ?, responded_at = ?"
              " WHERE id = ?",
              text.empty() ? std::optional<std::string>() : std::optional<std::string>(text), who.userId, now, taskId);
  } else if (action == "not_applicable") {
    if (t.state != "pending") return Error::precondition("the task was already answered (" + t.state + ")");
    c.execute("UPDATE credit_tasks SET state = 'not_applicable', response_reason = ?, responded_by = ?,"
              " responded_at = ? WHERE id = ?",
              text, who.userId, now, taskId);
  } else {
    if (t.state != "accepted") {
      return Error::precondition(t.state == "pending" ? "accept the task before feeding back what was done"
                                                      : "the task is closed (" + t.state + ")");
    }
    c.execute("UPDATE credit_tasks SET state = 'done', feedback = ?, fed_back_by = ?, fed_back_at = ? WHERE id = ?",
              text, who.userId, now, taskId);
  }
  audit_.append(c, actor, {"credit.task." + action, "credit_task", std::to_string(taskId), "{}"});
  tx.commit();
  return repo::toTask(c.query(std::string(repo::kTaskSelect) + " WHERE t.id = ?", taskId)[0], today);
}

// ----- repair ------------------------------------------------------------------------------------------------

core::Result<Repair> CreditService::applyRepair(const audit::Actor& actor, const http::Principal& who,
                                                const RepairInput& in) {
  if (auto ok = core::checkText("rectification", in.rectification, 10, 4000); !ok) return ok.error();
  if (auto ok = core::checkText("pledge", in.pledge, 10, 2000); !ok) return ok.error();
  if (!in.evidence.empty()) {
    if (auto ok = core::checkText("evidence", in.evidence, 2, 4000); !ok) return ok.error();
  }
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  core::Day today = core::shanghaiDay(clock_.now());
  auto head = c.query("SELECT entity_code FROM credit_records WHERE id = ?", in.recordId);
  if (head.empty()) return Error::notFound("record " + std::to_string(in.recordId) + " does not exist");
  auto entity = repo::findEntity(c, head[0].str("entity_code"), true);
  auto r = repo::loadRecord(c, in.recordId, today, true);
  bool own = who.role == "institution" && who.institutionId && entity->institutionId &&
             *who.institutionId == *entity->institutionId;
  if (!own) {
    if (who.role == "institution") return Error::notFound("record " + std::to_string(in.recordId) + " does not exist");
    return Error::denied("the entity itself applies for credit repair");
  }
  if (r->positive) return Error::precondition("a positive record needs no repair");
  if (r->state != "active") return Error::precondition("the record is " + r->state);
  if (r->severePenalty) return Error::precondition("a severe penalty's publication cannot end early");
  if (!r->repairable) {
    return Error::precondition("repair is possible after the minimum publication period, from " +
                               r->repairableFrom.value_or(r->minUntil));
  }
  std::string key = "record:" + std::to_string(in.recordId);
  if (!c.query("SELECT id FROM credit_repairs WHERE open_key = ?", key).empty()) {
    return Error::conflict("a repair application for this record is already under review");
  }
  auto entry = c.query("SELECT id FROM credit_list_entries WHERE record_id = ? AND state IN ('proposed', 'listed')"
                       " ORDER BY id LIMIT 1",
                       in.recordId);
  std::optional<std::int64_t> entryId = entry.empty() ? std::nullopt : std::optional(entry[0].i64("id"));
  std::string now = core::formatSqlDateTime(clock_.now());
  c.execute("INSERT INTO credit_repairs (entity_code, record_id, list_entry_id, rectification, pledge, evidence, state,"
            " open_key, applied_by, applied_at) VALUES (?, ?, ?, ?, ?, ?, 'submitted', ?, ?, ?)",
            entity->code, in.recordId, entryId, in.rectification, in.pledge,
            in.evidence.empty() ? std::optional<std::string>() : std::optional<std::string>(in.evidence), key,
            who.userId, now);
  std::int64_t id = c.lastInsertId();
  audit_.append(c, actor, {"credit.repair.apply", "credit_repair", std::to_string(id),
                           http::jsonText({{"record", in.recordId}})});
  tx.commit();
  return *loadRepair(c, id);
}

core::Result<Repair> CreditService::decideRepair(const audit::Actor& actor, const http::Principal& who,
                                                 std::int64_t id, const std::string& decision,
                                                 const std::string& reason) {
  if (decision != "approve" && decision != "reject") return Error::invalid("decision", "decision must be approve or reject");
  if (auto ok = core::checkText("reason", reason, 2, 2000); !ok) return ok.error();
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  core::Day today = core::shanghaiDay(clock_.now());
  auto head = c.query("SELECT entity_code FROM credit_repairs WHERE id = ?", id);
  if (head.empty()) return Error::notFound("repair " + std::to_string(id) + " does not exist");
  std::string code = head[0].str("entity_code");
  auto entity = repo::findEntity(c, code, true);
  auto repair = loadRepair(c, id);
  if (!isOfficerOf(who, repair->recordDepartment)) {
    return Error::denied("only officers of " + repair->recordDepartment + " (who made the record) decide its repair");
  }
  if (repair->state != "submitted") return Error::precondition("the application was already decided (" + repair->state + ")");
  std::string now = core::formatSqlDateTime(clock_.now());
  c.execute("UPDATE credit_repairs SET state = ?, open_key = NULL, decided_by = ?, decided_at = ?, decision_reason = ?"
            " WHERE id = ?",
            decision == "approve" ? "approved" : "rejected", who.userId, now, reason, id);
  if (decision == "approve") {
    auto r = repo::loadRecord(c, repair->recordId, today, true);
    if (r->state != "active" || r->severePenalty || !r->repairable) {
      return Error::precondition("the record can no longer be repaired (" + r->state + ")");
    }
    c.execute("UPDATE credit_records SET state = 'repaired', ended_on = ?, end_reason = 'repair' WHERE id = ?",
              core::formatDay(today), repair->recordId);
    // Entries grounded on the record end with it; their implementing departments get lift tasks.
    for (const auto& row : c.query("SELECT id FROM credit_list_entries WHERE record_id = ? AND state IN ('proposed',"
                                   " 'listed')",
                                   repair->recordId)) {
      auto e = repo::loadEntry(c, row.i64("id"), today, true);
      closeEntry(c, *e, e->state == "listed" ? "removed" : "dismissed", "repair", "信用修复 #" + std::to_string(id),
                 who.userId, now);
    }
    db::emitEvent(c, {0, "credit.repaired", "credit_record", repair->recordId, entity ? entity->institutionId : std::nullopt,
                      "credit:repair:" + std::to_string(id), http::jsonText({{"entity", code}}), ""},
                  now);
    rescore(c, code, "信用修复：" + repair->recordTitle, now);
  }
  audit_.append(c, actor, {"credit.repair.decide", "credit_repair", std::to_string(id),
                           http::jsonText({{"decision", decision}})});
  tx.commit();
  refreshEntity(*lease, code);
  return *loadRepair(*lease, id);
}

std::optional<Repair> CreditService::loadRepair(db::Connection& c, std::int64_t id) {
  auto rows = c.query(std::string(detail::kRepairSelect) + " WHERE p.id = ?", id);
  if (rows.empty()) return std::nullopt;
  return detail::toRepair(rows[0]);
}

core::Result<std::vector<Repair>> CreditService::repairs(const http::Principal& who, std::optional<std::string> state) {
  std::string where = " WHERE 1 = 1";
  std::vector<std::string> params;
  if (who.role == "institution") {
    if (!who.institutionId) return std::vector<Repair>{};
    where += " AND e.institution_id = ?";
    params.push_back(std::to_string(*who.institutionId));
  } else if (who.role == "officer") {
    where += " AND r.department_code = ?";
    params.push_back(*who.departmentCode);
  } else if (who.role != "admin" && who.role != "bureau") {
    return Error::denied("repairs are for the entity and department staff");
  }
  if (state) {
    where += " AND p.state = ?";
    params.push_back(*state);
  }
  auto lease = pool_.acquire();
  std::vector<Repair> out;
  for (const auto& r : lease->queryWith(std::string(detail::kRepairSelect) + where + " ORDER BY p.id DESC LIMIT 200",
                                        db::bindAll(params))) {
    out.push_back(detail::toRepair(r));
  }
  return out;
}

}  // namespace cw::credit
