#include "repository.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <map>
#include <sstream>

#include "cw/core/time.hpp"
#include "cw/db/statement_text.hpp"
#include "cw/http/json.hpp"
#include "render.hpp"

namespace cw::credit::repo {

namespace {

std::optional<std::string> iso(const std::optional<std::string>& sql) {
  if (!sql) return std::nullopt;
  return core::sqlToIsoUtc(*sql);
}

EntityRow toEntity(const db::Row& r) {
  return {r.str("code"), r.str("name"), r.str("kind"), r.optI64("institution_id"), r.optStr("region_code"),
          r.optStr("sector")};
}

constexpr const char* kEntitySelect =
    "SELECT e.code, e.name, e.kind, e.institution_id, e.region_code, i.sector FROM credit_entities e"
    " LEFT JOIN institutions i ON i.id = e.institution_id WHERE e.code = ?";

}  // namespace

std::optional<EntityRow> findEntity(db::Connection& c, const std::string& code, bool forUpdate) {
  auto rows = c.query(std::string(kEntitySelect) + (forUpdate ? " FOR UPDATE" : ""), code);
  if (rows.empty()) return std::nullopt;
  return toEntity(rows[0]);
}

core::Result<EntityRow> ensureEntity(db::Connection& c, const std::string& code, const std::optional<std::string>& name,
                                     const std::string& now) {
  if (auto e = findEntity(c, code)) return *e;
  auto inst = c.query("SELECT id, name, region_code FROM institutions WHERE credit_code = ?", code);
  if (!inst.empty()) {
    c.execute("INSERT IGNORE INTO credit_entities (code, institution_id, name, kind, region_code, created_at)"
              " VALUES (?, ?, ?, 'institution', ?, ?)",
              code, inst[0].i64("id"), inst[0].str("name"), inst[0].str("region_code"), now);
  } else if (name) {
    c.execute("INSERT IGNORE INTO credit_entities (code, name, kind, created_at) VALUES (?, ?, 'company', ?)", code,
              *name, now);
  } else {
    return core::Error::notFound("no institution or company with code " + code + " is known to carewatch");
  }
  return *findEntity(c, code);
}

core::Result<EntityRow> ensureInstitution(db::Connection& c, std::int64_t institutionId, const std::string& now) {
  auto rows = c.query("SELECT credit_code FROM institutions WHERE id = ?", institutionId);
  if (rows.empty()) return core::Error::notFound("institution " + std::to_string(institutionId) + " does not exist");
  return ensureEntity(c, rows[0].str("credit_code"), std::nullopt, now);
}

std::optional<std::string> departmentOfSector(db::Connection& c, const std::string& sector) {
  auto rows = c.query("SELECT code FROM departments WHERE sector = ? ORDER BY sort_order, code LIMIT 1", sector);
  if (rows.empty()) return std::nullopt;
  return rows[0].str("code");
}

std::optional<std::string> departmentName(db::Connection& c, const std::string& code) {
  auto rows = c.query("SELECT name FROM departments WHERE code = ?", code);
  if (rows.empty()) return std::nullopt;
  return rows[0].str("name");
}

const char* const kRecordSelect =
    "SELECT r.id, r.entity_code, e.name AS entity_name, r.department_code, d.name AS department_name, r.kind,"
    " r.polarity, r.severity, r.severe_penalty, r.title, r.legal_basis, r.document_no, r.facts, r.decided_on,"
    " r.min_until, r.publish_until, r.state, r.ended_on, r.end_reason, r.source, r.source_ref, r.created_at"
    " FROM credit_records r JOIN credit_entities e ON e.code = r.entity_code"
    " JOIN departments d ON d.code = r.department_code";

Record toRecord(const db::Row& r, core::Day today) {
  Record x;
  x.id = r.i64("id");
  x.entityCode = r.str("entity_code");
  x.entityName = r.str("entity_name");
  x.departmentCode = r.str("department_code");
  x.departmentName = r.str("department_name");
  x.kind = r.str("kind");
  const RecordKind* k = recordKind(x.kind);
  x.kindName = k ? k->name : x.kind;
  x.positive = r.str("polarity") == "positive";
  x.severity = r.str("severity");
  x.severePenalty = r.boolean("severe_penalty");
  x.title = r.str("title");
  x.legalBasis = r.str("legal_basis");
  x.documentNo = r.optStr("document_no");
  x.facts = r.str("facts");
  x.decidedOn = r.str("decided_on");
  x.minUntil = r.str("min_until");
  x.publishUntil = r.str("publish_until");
  x.state = r.str("state");
  x.endedOn = r.optStr("ended_on");
  x.endReason = r.optStr("end_reason");
  x.source = r.str("source");
  x.sourceRef = r.str("source_ref");
  x.createdAt = core::sqlToIsoUtc(r.str("created_at"));
  auto decided = core::parseDay(x.decidedOn);
  auto until = core::parseDay(x.publishUntil);
  auto minimum = core::parseDay(x.minUntil);
  x.inWindow = x.state == "active" && decided && until && *decided <= today && today < *until;
  bool negative = !x.positive;
  if (negative && !x.severePenalty && x.state == "active" && minimum && until && *minimum < *until) {
    x.repairableFrom = x.minUntil;
    x.repairable = today >= *minimum;
  }
  return x;
}

std::optional<Record> loadRecord(db::Connection& c, std::int64_t id, core::Day today, bool forUpdate) {
  auto rows = c.query(std::string(kRecordSelect) + " WHERE r.id = ?" + (forUpdate ? " FOR UPDATE" : ""), id);
  if (rows.empty()) return std::nullopt;
  return toRecord(rows[0], today);
}

const char* const kEntrySelect =
    "SELECT l.id, l.list_kind, l.department_code, d.name AS department_name, l.entity_code, e.name AS entity_name,"
    " e.institution_id, l.ground, l.basis, l.facts, l.record_id, l.state, l.notice_no, l.noticed_at,"
    " l.objection_until, l.objection, l.objection_at, l.decision, l.decision_reason, l.decided_at, l.listed_on,"
    " l.removable_from, l.ends_on, l.removed_at, l.removal_reason, l.removal_note, l.source, l.created_at,"
    " l.proposed_by"
    " FROM credit_list_entries l JOIN credit_entities e ON e.code = l.entity_code"
    " JOIN departments d ON d.code = l.department_code";

ListEntry toEntry(const db::Row& r, core::Day today) {
  ListEntry x;
  x.id = r.i64("id");
  x.listKind = r.str("list_kind");
  x.listName = listKindName(x.listKind);
  x.departmentCode = r.str("department_code");
  x.departmentName = r.str("department_name");
  x.entityCode = r.str("entity_code");
  x.entityName = r.str("entity_name");
  x.institutionId = r.optI64("institution_id");
  x.ground = r.str("ground");
  const Ground* g = blacklistGround(x.ground);
  x.groundName = g ? g->name : x.ground;
  x.basis = r.str("basis");
  x.facts = r.str("facts");
  x.recordId = r.optI64("record_id");
  x.state = r.str("state");
  x.noticeNo = r.optStr("notice_no");
  x.noticedAt = iso(r.optStr("noticed_at"));
  x.objectionUntil = r.optStr("objection_until");
  x.objection = r.optStr("objection");
  x.objectionAt = iso(r.optStr("objection_at"));
  x.decision = r.optStr("decision");
  x.decisionReason = r.optStr("decision_reason");
  x.decidedAt = iso(r.optStr("decided_at"));
  x.listedOn = r.optStr("listed_on");
  x.removableFrom = r.optStr("removable_from");
  x.endsOn = r.optStr("ends_on");
  x.removedAt = iso(r.optStr("removed_at"));
  x.removalReason = r.optStr("removal_reason");
  x.removalNote = r.optStr("removal_note");
  x.source = r.str("source");
  x.createdAt = core::sqlToIsoUtc(r.str("created_at"));
  x.proposedBy = r.optI64("proposed_by");
  if (x.state == "proposed" && x.objectionUntil) {
    auto until = core::parseDay(*x.objectionUntil);
    x.objectionOpen = until && today <= *until && !x.objection;
    if (until && today <= *until && !x.objection) {
      x.decideBlockedBy = "异议期至 " + *x.objectionUntil + " 结束，且机构尚未提出异议";
    }
  }
  return x;
}

std::optional<ListEntry> loadEntry(db::Connection& c, std::int64_t id, core::Day today, bool forUpdate) {
  auto rows = c.query(std::string(kEntrySelect) + " WHERE l.id = ?" + (forUpdate ? " FOR UPDATE" : ""), id);
  if (rows.empty()) return std::nullopt;
  std::vector<ListEntry> one{toEntry(rows[0], today)};
  addTaskSummaries(c, one, today);
  return one[0];
}

void addTaskSummaries(db::Connection& c, std::vector<ListEntry>& entries, core::Day today) {
  if (entries.empty()) return;
  std::map<std::int64_t, ListEntry*> byId;
  std::vector<std::int64_t> ids;
  for (auto& e : entries) {
    byId[e.id] = &e;
    ids.push_back(e.id);
  }
  std::string todayText = core::formatDay(today);
  db::forEachRowWithIds(c, "SELECT list_entry_id, kind, state, due_on FROM credit_tasks WHERE list_entry_id IN (", ")",
                        ids, [&](const db::Row& r) {
                          auto it = byId.find(r.i64("list_entry_id"));
                          if (it == byId.end()) return;
                          TaskSummary& s = r.str("kind") == "apply" ? it->second->apply : it->second->lift;
                          ++s.total;
                          std::string state = r.str("state");
                          bool done = state == "done" || state == "not_applicable";
                          if (done) ++s.done;
                          else if (r.str("due_on") < todayText) ++s.overdue;
                        });
}

std::string openKey(const std::string& listKind, const std::string& department, const std::string& entity) {
  return listKind + ":" + department + ":" + entity;
}

const char* const kTaskSelect =
    "SELECT t.id, t.list_entry_id, l.list_kind, l.entity_code, e.name AS entity_name,"
    " l.department_code AS initiator_department, t.department_code, d.name AS department_name, t.kind, t.measures,"
    " t.state, t.due_on, t.response_reason, t.responded_at, t.feedback, t.fed_back_at, t.created_at"
    " FROM credit_tasks t JOIN credit_list_entries l ON l.id = t.list_entry_id"
    " JOIN credit_entities e ON e.code = l.entity_code JOIN departments d ON d.code = t.department_code";

Task toTask(const db::Row& r, core::Day today) {
  Task t;
  t.id = r.i64("id");
  t.entryId = r.i64("list_entry_id");
  t.listKind = r.str("list_kind");
  t.entityCode = r.str("entity_code");
  t.entityName = r.str("entity_name");
  t.initiatorDepartment = r.str("initiator_department");
  t.departmentCode = r.str("department_code");
  t.departmentName = r.str("department_name");
  t.kind = r.str("kind");
  t.measures = measuresFromJson(r.str("measures"));
  t.state = r.str("state");
  t.dueOn = r.str("due_on");
  t.overdue = (t.state == "pending" || t.state == "accepted") && t.dueOn < core::formatDay(today);
  t.responseReason = r.optStr("response_reason");
  t.respondedAt = iso(r.optStr("responded_at"));
  t.feedback = r.optStr("feedback");
  t.fedBackAt = iso(r.optStr("fed_back_at"));
  t.createdAt = core::sqlToIsoUtc(r.str("created_at"));
  return t;
}

std::vector<MemorandumSpec> loadMemoranda(db::Connection& c, bool activeOnly, std::optional<std::int64_t> id) {
  std::string where = activeOnly ? " WHERE active = 1" : " WHERE 1 = 1";
  if (id) where += " AND id = " + std::to_string(*id);
  std::vector<MemorandumSpec> out;
  std::map<std::int64_t, std::size_t> index;
  for (const auto& r : c.query("SELECT id, number, title, initiator_department, basis FROM credit_memoranda" + where +
                               " ORDER BY id")) {
    MemorandumSpec m;
    m.id = r.i64("id");
    m.number = r.str("number");
    m.title = r.str("title");
    m.initiator = r.str("initiator_department");
    m.basis = r.str("basis");
    index[m.id] = out.size();
    out.push_back(std::move(m));
  }
  if (out.empty()) return out;
  std::string scope = id ? " WHERE memorandum_id = " + std::to_string(*id) : "";
  for (const auto& r : c.query("SELECT memorandum_id, list_kind, department_code FROM credit_memorandum_lists" + scope +
                               " ORDER BY memorandum_id, department_code, list_kind")) {
    auto it = index.find(r.i64("memorandum_id"));
    if (it != index.end()) out[it->second].lists.push_back(listKey(r.str("department_code"), r.str("list_kind")));
  }
  for (const auto& r : c.query("SELECT memorandum_id, code, name, action, effect, department_code, subject, basis"
                               " FROM credit_measures" + scope + " ORDER BY memorandum_id, sort_order, code")) {
    auto it = index.find(r.i64("memorandum_id"));
    if (it == index.end()) continue;
    out[it->second].measures.push_back({r.str("code"), r.str("name"), r.str("action"), r.str("effect"),
                                        r.str("department_code"), r.str("basis"), r.str("subject")});
  }
  return out;
}

std::vector<Memorandum> loadMemorandumRows(db::Connection& c) {
  auto specs = loadMemoranda(c, false);
  std::map<std::int64_t, MemorandumSpec*> byId;
  for (auto& s : specs) byId[s.id] = &s;
  std::vector<Memorandum> out;
  for (const auto& r : c.query("SELECT id, signed_on, active, created_at FROM credit_memoranda ORDER BY id")) {
    auto it = byId.find(r.i64("id"));
    if (it == byId.end()) continue;
    out.push_back({*it->second, r.str("signed_on"), r.boolean("active"), core::sqlToIsoUtc(r.str("created_at"))});
  }
  return out;
}

void logChange(db::Connection& c, const std::string& kind, const std::string& ref, const std::string& now) {
  c.execute("INSERT INTO credit_changes (kind, ref, created_at) VALUES (?, ?, ?)", kind, ref, now);
}

std::vector<Membership> memberships(db::Connection& c, const std::string& code) {
  std::vector<Membership> out;
  for (const auto& r : c.query("SELECT id, list_kind, department_code, listed_on, ground FROM credit_list_entries"
                               " WHERE entity_code = ? AND state = 'listed' ORDER BY id",
                               code)) {
    out.push_back({listKey(r.str("department_code"), r.str("list_kind")), r.i64("id"), r.str("listed_on"),
                   r.str("ground")});
  }
  return out;
}

std::optional<std::string> partyKey(const db::Row& r) {
  if (auto code = r.optStr("related_code")) return code;
  if (auto code = r.optStr("party_credit_code")) return code;
  if (auto index = r.optStr("party_id_index")) return "P:" + *index;
  return std::nullopt;
}

std::vector<Relation> relations(db::Connection& c, std::int64_t institutionId, const std::string& today) {
  std::vector<Relation> out;
  for (const auto& r : c.query(
           "SELECT x.relation, x.party_name, x.party_credit_code, x.party_id_index, ri.credit_code AS related_code"
           " FROM institution_relations x LEFT JOIN institutions ri ON ri.id = x.related_institution_id"
           " WHERE x.institution_id = ? AND x.valid_from <= ? AND (x.valid_to IS NULL OR x.valid_to >= ?)"
           " ORDER BY x.id",
           institutionId, today, today)) {
    if (auto key = partyKey(r)) out.push_back({r.str("relation"), *key, r.str("party_name")});
  }
  return out;
}

std::string measuresJson(const std::vector<MeasureSpec>& measures) {
  Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
  for (const auto& m : measures) a->add(detail::measureJson(m));
  std::ostringstream out;
  a->stringify(out);
  return out.str();
}

std::vector<MeasureSpec> measuresFromJson(const std::string& text) {
  std::vector<MeasureSpec> out;
  try {
    auto a = Poco::JSON::Parser().parse(text).extract<Poco::JSON::Array::Ptr>();
    for (std::size_t i = 0; i < a->size(); ++i) {
      auto o = a->getObject(static_cast<unsigned>(i));
      out.push_back({o->optValue<std::string>("code", ""), o->optValue<std::string>("name", ""),
                     o->optValue<std::string>("action", ""), o->optValue<std::string>("effect", ""),
                     o->optValue<std::string>("department", ""), o->optValue<std::string>("basis", ""),
                     o->optValue<std::string>("subject", "entity")});
    }
  } catch (const std::exception&) {
  }
  return out;
}

}  // namespace cw::credit::repo
