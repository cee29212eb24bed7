#include "repository.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

#include "cw/core/crypto.hpp"
#include "cw/core/time.hpp"
#include "cw/db/statement_text.hpp"

namespace cw::draws::repo {

namespace {

using core::Error;

constexpr std::size_t kChunk = 1000;

std::vector<std::string> splitList(const std::string& text, char sep = ',') {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, sep)) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

std::string joinList(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

db::Rows queryIn(db::Connection& c, const std::string& prefix, const std::vector<std::string>& values,
                 const std::string& suffix = ")") {
  return c.queryWith(prefix + db::placeholders(values.size()) + suffix, [&](db::Binder& b) {
    unsigned i = 1;
    for (const auto& v : values) b.bind(i++, v);
  });
}

std::string ratiosText(const std::map<std::string, std::int64_t>& ratios) {
  std::string out;
  for (const auto& [g, bp] : ratios) out += (out.empty() ? "" : ",") + g + "=" + std::to_string(bp);
  return out;
}

std::map<std::string, std::int64_t> parseRatios(const std::string& text) {
  std::map<std::string, std::int64_t> out;
  for (const auto& part : splitList(text)) {
    auto eq = part.find('=');
    if (eq != std::string::npos) out[part.substr(0, eq)] = std::stoll(part.substr(eq + 1));
  }
  return out;
}

std::string countsText(const std::map<std::string, std::int64_t>& counts) {
  std::string out;
  for (const auto& [k, n] : counts) out += k + "\t" + std::to_string(n) + "\n";
  return out;
}

std::map<std::string, std::int64_t> parseCounts(const std::optional<std::string>& text) {
  std::map<std::string, std::int64_t> out;
  if (!text) return out;
  for (const auto& line : splitList(*text, '\n')) {
    auto tab = line.find('\t');
    if (tab != std::string::npos) out[line.substr(0, tab)] = std::stoll(line.substr(tab + 1));
  }
  return out;
}

/// The region and every region below it.
std::vector<std::string> regionTree(db::Connection& c, const std::string& root) {
  std::vector<std::string> out;
  for (const auto& r : c.query("WITH RECURSIVE t (code) AS (SELECT code FROM regions WHERE code = ?"
                               " UNION ALL SELECT r.code FROM regions r JOIN t ON r.parent_code = t.code)"
                               " SELECT code FROM t",
                               root)) {
    out.push_back(r.str("code"));
  }
  return out;
}

Inspector inspectorFrom(const db::Row& r) {
  Inspector i;
  i.id = r.i64("id");
  i.code = r.str("code");
  i.userId = r.optI64("user_id");
  i.name = r.str("name");
  i.departmentCode = r.str("department_code");
  i.regionCode = r.str("region_code");
  i.regionName = r.str("region_name");
  i.certificateNo = r.optStr("certificate_no");
  i.memberKind = r.str("member_kind");
  i.status = r.str("status");
  i.expertise = r.str("expertise");
  return i;
}

constexpr const char* kInspectorSelect =
    "SELECT s.id, s.code, s.user_id, s.name, s.department_code, s.region_code, g.name AS region_name,"
    " s.certificate_no, s.member_kind, s.status, s.expertise FROM inspectors s JOIN regions g ON g.code = s.region_code";

constexpr const char* kTaskSelect =
    "SELECT t.id, t.plan_id, p.plan_year, t.title, t.department_code, t.region_code, t.kinds, t.filing_states,"
    " t.special_list_code, t.strata_by, t.grade_ratios, t.stratum_counts, t.window_start, t.window_end, t.joint,"
    " t.cross_jurisdiction, t.cap_slack, t.beacon_source, t.previous_task_id, t.state, t.created_at,"
    " d.locked_at, d.drawn_at, rg.name AS region_name, (SELECT COUNT(*) FROM draw_entities e WHERE e.task_id = t.id) AS selected_count"
    " FROM inspection_tasks t JOIN inspection_plans p ON p.id = t.plan_id JOIN regions rg ON rg.code = t.region_code"
    " LEFT JOIN draws d ON d.task_id = t.id";

Task taskFrom(db::Connection& c, const db::Row& r) {
  Task t;
  t.id = r.i64("id");
  t.input.planId = r.i64("plan_id");
  t.planYear = static_cast<int>(r.i64("plan_year"));
  t.input.title = r.str("title");
  t.departmentCode = r.str("department_code");
  t.input.regionCode = r.str("region_code");
  t.regionName = r.str("region_name");
  t.input.kinds = splitList(r.str("kinds"));
  t.input.filingStates = splitList(r.str("filing_states"));
  t.input.specialListCode = r.optStr("special_list_code");
  t.input.strataBy = splitList(r.str("strata_by"));
  t.input.gradeRatios = parseRatios(r.str("grade_ratios"));
  t.input.stratumCounts = parseCounts(r.optStr("stratum_counts"));
  t.input.windowStart = r.str("window_start");
  t.input.windowEnd = r.str("window_end");
  t.input.joint = r.boolean("joint");
  t.input.crossJurisdiction = r.boolean("cross_jurisdiction");
  t.input.capSlack = static_cast<int>(r.i64("cap_slack"));
  t.input.beaconSource = r.str("beacon_source");
  t.input.previousTaskId = r.optI64("previous_task_id");
  t.state = r.str("state");
  t.createdAt = core::sqlToIsoUtc(r.str("created_at"));
  if (auto v = r.optStr("locked_at")) t.lockedAt = core::sqlToIsoUtc(*v);
  if (auto v = r.optStr("drawn_at")) t.drawnAt = core::sqlToIsoUtc(*v);
  t.selectedCount = r.i64("selected_count");
  for (const auto& i : c.query("SELECT item_code FROM task_items WHERE task_id = ? ORDER BY item_code", t.id)) {
    t.input.itemCodes.push_back(i.str("item_code"));
  }
  for (const auto& d : c.query("SELECT department_code, per_entity, state FROM task_departments WHERE task_id = ?"
                               " ORDER BY department_code",
                               t.id)) {
    t.input.departments.push_back({d.str("department_code"), static_cast<int>(d.i64("per_entity")), d.str("state")});
  }
  return t;
}

void writeTaskChildren(db::Connection& c, std::int64_t id, const TaskInput& t) {
  c.execute("DELETE FROM task_items WHERE task_id = ?", id);
  c.execute("DELETE FROM task_departments WHERE task_id = ?", id);
  for (const auto& item : t.itemCodes) c.execute("INSERT INTO task_items (task_id, item_code) VALUES (?, ?)", id, item);
  for (const auto& d : t.departments) {
    c.execute("INSERT INTO task_departments (task_id, department_code, per_entity) VALUES (?, ?, ?)", id,
              d.departmentCode, d.perEntity);
  }
}

}  // namespace

std::vector<InspectionItem> loadItems(db::Connection& c, bool activeOnly) {
  std::vector<InspectionItem> out;
  for (const auto& r : c.query("SELECT code, name, department_code, legal_basis, kinds, check_methods, active"
                               " FROM inspection_items WHERE active = 1 OR ? = 0 ORDER BY code",
                               activeOnly ? 1 : 0)) {
    out.push_back({r.str("code"), r.str("name"), r.str("department_code"), r.str("legal_basis"),
                   splitList(r.str("kinds")), splitList(r.str("check_methods")), r.boolean("active")});
  }
  return out;
}

std::string inspectorCode(std::int64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "I%06lld", static_cast<long long>(id));
  return buf;
}

std::optional<Inspector> loadInspector(db::Connection& c, std::int64_t id) {
  auto rows = c.query(std::string(kInspectorSelect) + " WHERE s.id = ?", id);
  if (rows.empty()) return std::nullopt;
  return inspectorFrom(rows[0]);
}

std::pair<std::vector<Inspector>, std::int64_t> loadInspectors(db::Connection& c,
                                                               const std::optional<std::string>& department,
                                                               const std::optional<std::string>& status,
                                                               std::int64_t offset, std::int64_t limit) {
  std::string where = " WHERE (? IS NULL OR s.department_code = ?) AND (? IS NULL OR s.status = ?)";
  std::vector<Inspector> out;
  for (const auto& r : c.query(std::string(kInspectorSelect) + where + " ORDER BY s.code LIMIT ? OFFSET ?", department,
                               department, status, status, limit, offset)) {
    out.push_back(inspectorFrom(r));
  }
  auto total = c.query("SELECT COUNT(*) AS n FROM inspectors s" + where, department, department, status, status)[0].i64("n");
  return {std::move(out), total};
}

std::vector<Conflict> loadConflicts(db::Connection& c, std::int64_t inspectorId) {
  std::vector<Conflict> out;
  for (const auto& r : c.query("SELECT k.id, k.inspector_id, k.institution_id, i.name, i.credit_code, k.reason,"
                               " k.valid_from, k.valid_to, k.declared_at FROM inspector_conflicts k"
                               " JOIN institutions i ON i.id = k.institution_id WHERE k.inspector_id = ? ORDER BY k.id",
                               inspectorId)) {
    out.push_back({r.i64("id"), r.i64("inspector_id"), r.i64("institution_id"), r.str("name"), r.str("credit_code"),
                   r.str("reason"), r.str("valid_from"), r.optStr("valid_to"), core::sqlToIsoUtc(r.str("declared_at"))});
  }
  return out;
}

core::Status checkTaskReferences(db::Connection& c, const TaskInput& t) {
  if (c.query("SELECT code FROM regions WHERE code = ?", t.regionCode).empty()) {
    return Error::invalid("region_code", "region " + t.regionCode + " is unknown");
  }
  if (t.specialListCode && c.query("SELECT code FROM special_lists WHERE code = ?", *t.specialListCode).empty()) {
    return Error::invalid("special_list", "special list " + *t.specialListCode + " does not exist");
  }
  if (t.previousTaskId && c.query("SELECT id FROM inspection_tasks WHERE id = ?", *t.previousTaskId).empty()) {
    return Error::invalid("previous_task_id", "task " + std::to_string(*t.previousTaskId) + " does not exist");
  }
  for (const auto& item : t.itemCodes) {
    if (c.query("SELECT code FROM inspection_items WHERE code = ? AND active = 1", item).empty()) {
      return Error::invalid("items", "inspection item " + item + " does not exist or is inactive");
    }
  }
  for (const auto& d : t.departments) {
    if (c.query("SELECT code FROM departments WHERE code = ?", d.departmentCode).empty()) {
      return Error::invalid("requirements", "department " + d.departmentCode + " does not exist");
    }
  }
  return core::Ok{};
}

std::int64_t insertTask(db::Connection& c, const TaskInput& t, const std::string& lead, std::int64_t userId,
                        const std::string& now) {
  c.execute("INSERT INTO inspection_tasks (plan_id, title, department_code, region_code, kinds, filing_states,"
            " special_list_code, strata_by, grade_ratios, stratum_counts, window_start, window_end, joint,"
            " cross_jurisdiction, cap_slack, beacon_source, previous_task_id, state, created_by, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)",
            t.planId, t.title, lead, t.regionCode, joinList(t.kinds), joinList(t.filingStates), t.specialListCode,
            joinList(t.strataBy), ratiosText(t.gradeRatios),
            t.stratumCounts.empty() ? std::optional<std::string>() : std::optional<std::string>(countsText(t.stratumCounts)),
            t.windowStart, t.windowEnd, t.joint, t.crossJurisdiction, t.capSlack, t.beaconSource, t.previousTaskId,
            userId, now, now);
  std::int64_t id = c.query("SELECT LAST_INSERT_ID() AS id")[0].i64("id");
  writeTaskChildren(c, id, t);
  return id;
}

void updateTask(db::Connection& c, std::int64_t id, const TaskInput& t, const std::string& now) {
  c.execute("UPDATE inspection_tasks SET title = ?, region_code = ?, kinds = ?, filing_states = ?, special_list_code = ?,"
            " strata_by = ?, grade_ratios = ?, stratum_counts = ?, window_start = ?, window_end = ?, joint = ?,"
            " cross_jurisdiction = ?, cap_slack = ?, beacon_source = ?, previous_task_id = ?, updated_at = ? WHERE id = ?",
            t.title, t.regionCode, joinList(t.kinds), joinList(t.filingStates), t.specialListCode, joinList(t.strataBy),
            ratiosText(t.gradeRatios),
            t.stratumCounts.empty() ? std::optional<std::string>() : std::optional<std::string>(countsText(t.stratumCounts)),
            t.windowStart, t.windowEnd, t.joint, t.crossJurisdiction, t.capSlack, t.beaconSource, t.previousTaskId, now,
            id);
  writeTaskChildren(c, id, t);
}

std::optional<Task> loadTask(db::Connection& c, std::int64_t id, bool forUpdate) {
  if (forUpdate) c.query("SELECT id FROM inspection_tasks WHERE id = ? FOR UPDATE", id);
  auto rows = c.query(std::string(kTaskSelect) + " WHERE t.id = ?", id);
  if (rows.empty()) return std::nullopt;
  return taskFrom(c, rows[0]);
}

std::pair<std::vector<Task>, std::int64_t> loadTasks(db::Connection& c, const TaskFilter& f) {
  std::string where = " WHERE (? IS NULL OR t.state = ?) AND (? IS NULL OR p.plan_year = ?) AND (? = 0 OR t.state <> 'draft')";
  std::optional<std::int64_t> year = f.year ? std::optional<std::int64_t>(*f.year) : std::nullopt;
  std::vector<Task> out;
  for (const auto& r : c.query(std::string(kTaskSelect) + where + " ORDER BY t.id DESC LIMIT ? OFFSET ?", f.state,
                               f.state, year, year, f.publicOnly, f.limit, f.offset)) {
    out.push_back(taskFrom(c, r));
  }
  auto total = c.query("SELECT COUNT(*) AS n FROM inspection_tasks t JOIN inspection_plans p ON p.id = t.plan_id" + where,
                       f.state, f.state, year, year, f.publicOnly)[0].i64("n");
  return {std::move(out), total};
}

std::vector<ScopeEntity> loadScope(db::Connection& c, const TaskInput& t) {
  std::vector<std::string> values = regionTree(c, t.regionCode);
  std::size_t regions = values.size();
  values.insert(values.end(), t.kinds.begin(), t.kinds.end());
  values.insert(values.end(), t.filingStates.begin(), t.filingStates.end());
  // The optimiser prefers the (filing_state, region_code) index and then reads every row: name the covering one.
  std::string sql = "SELECT i.id, i.credit_code, i.region_code, i.kind FROM institutions i"
                    " FORCE INDEX (idx_institutions_draw_pool) WHERE i.region_code IN (" +
                    db::placeholders(regions) + ") AND i.kind IN (" + db::placeholders(t.kinds.size()) +
                    ") AND i.filing_state IN (" + db::placeholders(t.filingStates.size()) + ")";
  if (t.specialListCode) {
    sql += " AND i.id IN (SELECT institution_id FROM special_list_members WHERE list_code = ?)";
    values.push_back(*t.specialListCode);
  }
  auto rows = c.queryWith(sql, [&](db::Binder& b) {
    unsigned i = 1;
    for (const auto& v : values) b.bind(i++, v);
  });
  std::vector<ScopeEntity> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back({r.i64("id"), r.str("credit_code"), r.str("region_code"), r.str("kind")});
  return out;
}

std::vector<EligibleInspector> loadEligibleInspectors(db::Connection& c, const std::vector<std::string>& departments) {
  std::vector<EligibleInspector> out;
  for (const auto& r : queryIn(c, "SELECT id, code, department_code, region_code FROM inspectors WHERE status = 'active'"
                                  " AND member_kind = 'enforcement' AND department_code IN (",
                               departments)) {
    out.push_back({r.i64("id"), r.str("code"), r.str("department_code"), r.str("region_code")});
  }
  return out;
}

std::vector<ExclusionLine> computeExclusions(db::Connection& c, const Task& task, const std::vector<ScopeEntity>& scope,
                                             const std::vector<EligibleInspector>& inspectors, const std::string& today) {
  std::vector<ExclusionLine> out;
  std::unordered_map<std::int64_t, const ScopeEntity*> entityById;
  for (const auto& e : scope) entityById.emplace(e.id, &e);
  std::unordered_map<std::int64_t, const EligibleInspector*> inspectorById;
  for (const auto& i : inspectors) inspectorById.emplace(i.id, &i);

  // (a) 所所交叉: an inspector may not inspect inside their own jurisdiction (their region or any region below it).
  if (task.input.crossJurisdiction) {
    std::map<std::string, std::string> parent;
    for (const auto& r : c.query("SELECT code, parent_code FROM regions")) {
      if (auto p = r.optStr("parent_code")) parent[r.str("code")] = *p;
    }
    std::map<std::string, std::vector<const EligibleInspector*>> byRegion;
    for (const auto& i : inspectors) byRegion[i.region].push_back(&i);
    for (const auto& e : scope) {
      for (std::string region = e.region; !region.empty();) {
        if (auto it = byRegion.find(region); it != byRegion.end()) {
          for (const auto* i : it->second) out.push_back({e.creditCode, i->code, "jurisdiction"});
        }
        auto p = parent.find(region);
        region = p == parent.end() ? "" : p->second;
      }
    }
  }

  // (b) declared conflicts valid today, and (d) the same conflicts carried along the registry's relation links.
  auto conflicts = c.query("SELECT inspector_id, institution_id FROM inspector_conflicts WHERE valid_from <= ?"
                           " AND (valid_to IS NULL OR valid_to >= ?)",
                           today, today);
  std::set<std::pair<std::int64_t, std::int64_t>> declared;
  for (const auto& r : conflicts) {
    auto i = inspectorById.find(r.i64("inspector_id"));
    if (i == inspectorById.end()) continue;
    std::int64_t institution = r.i64("institution_id");
    declared.emplace(institution, i->second->id);
    if (auto e = entityById.find(institution); e != entityById.end()) {
      out.push_back({e->second->creditCode, i->second->code, "declared"});
    }
    for (const auto& rel : c.query("SELECT related_institution_id AS other FROM institution_relations"
                                   " WHERE institution_id = ? AND related_institution_id IS NOT NULL"
                                   " AND (valid_to IS NULL OR valid_to >= ?)"
                                   " UNION SELECT institution_id AS other FROM institution_relations"
                                   " WHERE related_institution_id = ? AND (valid_to IS NULL OR valid_to >= ?)",
                                   institution, today, institution, today)) {
      std::int64_t other = rel.i64("other");
      if (auto e = entityById.find(other); e != entityById.end() && !declared.count({other, i->second->id})) {
        out.push_back({e->second->creditCode, i->second->code, "related"});
      }
    }
  }

  // (c) rotation: whoever inspected an entity in the previous task of this department does not go again.
  std::optional<std::int64_t> previous = task.input.previousTaskId;
  if (!previous) {
    auto rows = c.query("SELECT t.id FROM inspection_tasks t JOIN draws d ON d.task_id = t.id WHERE t.id <> ?"
                        " AND t.department_code = ? AND d.drawn_at IS NOT NULL ORDER BY d.drawn_at DESC, t.id DESC LIMIT 1",
                        task.id, task.departmentCode);
    if (!rows.empty()) previous = rows[0].i64("id");
  }
  if (previous) {
    for (const auto& r : c.query("SELECT institution_id, inspector_id FROM draw_assignments WHERE task_id = ? AND active = 1",
                                 *previous)) {
      auto e = entityById.find(r.i64("institution_id"));
      auto i = inspectorById.find(r.i64("inspector_id"));
      if (e != entityById.end() && i != inspectorById.end()) {
        out.push_back({e->second->creditCode, i->second->code, "rotation"});
      }
    }
  }
  return out;
}

std::optional<StoredDraw> loadDraw(db::Connection& c, std::int64_t taskId) {
  auto rows = c.query("SELECT pool_digest, inspector_digest, exclusion_digest, secret_hex, commitment, beacon_source,"
                      " beacon_value, seed_hex, cap_slack, strata, locked_at, drawn_at FROM draws WHERE task_id = ?",
                      taskId);
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  StoredDraw d;
  d.digests = {r.str("pool_digest"), r.str("inspector_digest"), r.str("exclusion_digest")};
  d.secret = core::hexDecode(r.str("secret_hex")).value_or("");
  d.commitment = r.str("commitment");
  d.beaconSource = r.str("beacon_source");
  d.beaconValue = r.optStr("beacon_value");
  d.seedHex = r.optStr("seed_hex");
  d.capSlack = static_cast<int>(r.i64("cap_slack"));
  for (const auto& line : splitList(r.str("strata"), '\n')) {
    auto a = line.find('\t');
    auto b = line.find('\t', a + 1);
    d.strata.push_back({line.substr(0, a), std::stoll(line.substr(a + 1, b - a - 1)), std::stoll(line.substr(b + 1))});
  }
  d.lockedAt = core::sqlToIsoUtc(r.str("locked_at"));
  if (auto v = r.optStr("drawn_at")) d.drawnAt = core::sqlToIsoUtc(*v);
  return d;
}

core::Result<std::string> loadFile(const core::BlobStore& files, const std::string& digest) {
  // An empty file is never written to the store (nothing to keep); its digest is the SHA-256 of nothing.
  static const std::string kEmpty = core::sha256Hex("");
  if (digest == kEmpty) return std::string();
  auto bytes = files.get(digest);
  if (!bytes) return Error{core::ErrorCode::Internal, "a frozen draw file is missing from storage (" + digest + ")", {}};
  return bytes;
}

core::Result<FrozenFiles> loadFiles(const core::BlobStore& files, const Digests& digests) {
  FrozenFiles out;
  for (auto [digest, target] : {std::pair{&digests.pool, &out.pool}, {&digests.inspectors, &out.inspectors},
                                {&digests.exclusions, &out.exclusions}}) {
    auto bytes = loadFile(files, *digest);
    if (!bytes) return bytes.error();
    *target = std::move(*bytes);
  }
  return out;
}

void saveOutcome(db::Connection& c, std::int64_t taskId, const DrawOutcome& outcome) {
  std::unordered_map<std::string, std::int64_t> institutionId;
  std::unordered_map<std::string, std::int64_t> inspectorId;
  std::set<std::string> inspectorCodes;
  for (const auto& s : outcome.selected) {
    for (const auto& a : s.inspectors) inspectorCodes.insert(a.inspectorId);
  }
  for (std::size_t at = 0; at < outcome.selected.size(); at += kChunk) {
    std::vector<std::string> codes;
    for (std::size_t k = at; k < std::min(outcome.selected.size(), at + kChunk); ++k) codes.push_back(outcome.selected[k].entityId);
    for (const auto& r : queryIn(c, "SELECT id, credit_code FROM institutions WHERE credit_code IN (", codes)) {
      institutionId[r.str("credit_code")] = r.i64("id");
    }
  }
  std::vector<std::string> all(inspectorCodes.begin(), inspectorCodes.end());
  for (std::size_t at = 0; at < all.size(); at += kChunk) {
    std::vector<std::string> codes(all.begin() + static_cast<std::ptrdiff_t>(at),
                                   all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), at + kChunk)));
    for (const auto& r : queryIn(c, "SELECT id, code FROM inspectors WHERE code IN (", codes)) {
      inspectorId[r.str("code")] = r.i64("id");
    }
  }
  // Multi-row inserts, a chunk at a time: a big draw writes tens of thousands of rows. Every institution and
  // inspector id was read from its table a moment ago in this transaction, so the foreign-key checks (a random
  // read of the institution table per row) are switched off for these inserts only.
  struct ForeignKeyChecksOff {
    db::Connection& c;
    explicit ForeignKeyChecksOff(db::Connection& connection) : c(connection) { c.execute("SET foreign_key_checks = 0"); }
    ~ForeignKeyChecksOff() {
      try {
        c.execute("SET foreign_key_checks = 1");
      } catch (...) {
        // A broken connection is discarded by the pool; nothing else to restore.
      }
    }
  } fkOff(c);
  for (std::size_t at = 0; at < outcome.selected.size(); at += kChunk) {
    std::size_t end = std::min(outcome.selected.size(), at + kChunk);
    std::string entities = "INSERT INTO draw_entities (task_id, position, institution_id, stratum, score) VALUES ";
    std::string assignments = "INSERT INTO draw_assignments (task_id, institution_id, inspector_id, department_code,"
                              " slot, drawn, active) VALUES ";
    std::string results = "INSERT INTO inspection_results (task_id, institution_id, department_code) VALUES ";
    std::vector<std::string> ev, av, rv;
    for (std::size_t k = at; k < end; ++k) {
      const auto& s = outcome.selected[k];
      std::int64_t inst = institutionId.at(s.entityId);
      entities += std::string(k == at ? "" : ", ") + "(?, ?, ?, ?, ?)";
      for (const std::string& v : {std::to_string(taskId), std::to_string(k + 1), std::to_string(inst), s.stratum,
                                   core::hexEncode(s.score)}) {
        ev.push_back(v);
      }
      std::set<std::string> departments;
      for (std::size_t j = 0; j < s.inspectors.size(); ++j) {
        const auto& a = s.inspectors[j];
        assignments += std::string(av.empty() ? "" : ", ") + "(?, ?, ?, ?, ?, 1, 1)";
        for (const std::string& v : {std::to_string(taskId), std::to_string(inst), std::to_string(inspectorId.at(a.inspectorId)),
                                     a.departmentCode, std::to_string(j + 1)}) {
          av.push_back(v);
        }
        departments.insert(a.departmentCode);
      }
      for (const auto& d : departments) {
        results += std::string(rv.empty() ? "" : ", ") + "(?, ?, ?)";
        for (const std::string& v : {std::to_string(taskId), std::to_string(inst), d}) rv.push_back(v);
      }
    }
    for (auto [sql, values] : {std::pair{&entities, &ev}, {&assignments, &av}, {&results, &rv}}) {
      if (values->empty()) continue;
      c.executeWith(*sql, [&, values = values](db::Binder& b) {  // copied: clang before 16 cannot capture a binding
        unsigned i = 1;
        for (const auto& v : *values) b.bind(i++, v);
      });
    }
  }
}

std::vector<DrawnEntity> loadDrawnList(db::Connection& c, std::int64_t taskId) {
  std::vector<DrawnEntity> out;
  std::unordered_map<std::int64_t, std::size_t> at;
  for (const auto& r : c.query("SELECT e.position, e.institution_id, i.credit_code, i.name, i.kind, g.name AS region_name,"
                               " e.stratum FROM draw_entities e JOIN institutions i ON i.id = e.institution_id"
                               " JOIN regions g ON g.code = i.region_code WHERE e.task_id = ? ORDER BY e.position",
                               taskId)) {
    at[r.i64("institution_id")] = out.size();
    out.push_back({static_cast<int>(r.i64("position")), r.i64("institution_id"), r.str("credit_code"), r.str("name"),
                   r.str("kind"), r.str("region_name"), r.str("stratum"), {}});
  }
  for (const auto& r : c.query("SELECT a.institution_id, a.inspector_id, s.code, s.name, a.department_code"
                               " FROM draw_assignments a JOIN inspectors s ON s.id = a.inspector_id"
                               " WHERE a.task_id = ? AND a.active = 1 ORDER BY a.institution_id, a.department_code, a.slot",
                               taskId)) {
    auto it = at.find(r.i64("institution_id"));
    if (it == at.end()) continue;
    out[it->second].inspectors.push_back({r.i64("inspector_id"), r.str("code"), r.str("name"), r.str("department_code")});
  }
  return out;
}

DrawRecord buildRecord(db::Connection& c, std::int64_t taskId, const StoredDraw& d) {
  DrawRecord r;
  r.poolDigest = d.digests.pool;
  r.inspectorDigest = d.digests.inspectors;
  r.exclusionDigest = d.digests.exclusions;
  r.commitment = d.commitment;
  r.beaconSource = d.beaconSource;
  r.capSlack = d.capSlack;
  r.strata = d.strata;
  r.lockedAt = d.lockedAt;
  for (const auto& row : c.query("SELECT department_code, per_entity FROM task_departments WHERE task_id = ?"
                                 " ORDER BY department_code",
                                 taskId)) {
    r.requirements.push_back({row.str("department_code"), static_cast<int>(row.i64("per_entity"))});
  }
  if (!d.drawnAt) return r;  // the secret stays sealed until the draw
  r.drawnAt = *d.drawnAt;
  r.secretHex = core::hexEncode(d.secret);
  r.beaconValue = d.beaconValue.value_or("");
  r.seedHex = d.seedHex.value_or("");
  std::unordered_map<std::int64_t, std::size_t> at;
  for (const auto& row : c.query("SELECT e.institution_id, i.credit_code, e.stratum, e.score FROM draw_entities e"
                                 " JOIN institutions i ON i.id = e.institution_id WHERE e.task_id = ? ORDER BY e.position",
                                 taskId)) {
    at[row.i64("institution_id")] = r.selected.size();
    r.selected.push_back({row.str("credit_code"), row.str("stratum"), row.str("score"), {}});
  }
  for (const auto& row : c.query("SELECT a.institution_id, s.code, a.department_code FROM draw_assignments a"
                                 " JOIN inspectors s ON s.id = a.inspector_id WHERE a.task_id = ? AND a.drawn = 1"
                                 " ORDER BY a.institution_id, a.slot",
                                 taskId)) {
    r.selected[at.at(row.i64("institution_id"))].inspectors.push_back({row.str("code"), row.str("department_code")});
  }
  for (const auto& row : c.query("SELECT i.credit_code, w.department_code, a.code AS removed, b.code AS added, w.reason,"
                                 " w.swapped_at FROM draw_swaps w JOIN institutions i ON i.id = w.institution_id"
                                 " JOIN inspectors a ON a.id = w.removed_inspector_id"
                                 " JOIN inspectors b ON b.id = w.added_inspector_id WHERE w.task_id = ? ORDER BY w.id",
                                 taskId)) {
    r.swaps.push_back({row.str("credit_code"), row.str("department_code"), row.str("removed"), row.str("added"),
                       row.str("reason"), core::sqlToIsoUtc(row.str("swapped_at"))});
  }
  return r;
}

namespace {

constexpr const char* kResultSelect =
    "SELECT r.id, r.task_id, t.title, r.institution_id, i.credit_code, i.name AS institution_name, g.name AS region_name,"
    " r.department_code, r.state, r.result_code, r.problem_reasons, r.inspected_on, r.findings, r.followup,"
    " f.description AS followup_description, f.hazard_code AS followup_hazard_code, r.review_comment, r.publish_due, r.published_at, t.window_start,"
    " t.window_end FROM inspection_results r JOIN inspection_tasks t ON t.id = r.task_id"
    " JOIN institutions i ON i.id = r.institution_id JOIN regions g ON g.code = i.region_code"
    " LEFT JOIN inspection_followups f ON f.result_id = r.id";

InspectionResult resultFrom(db::Connection& c, const db::Row& r, const core::WorkCalendar&, const core::Clock& clock,
                            bool withDetail) {
  InspectionResult x;
  x.id = r.i64("id");
  x.taskId = r.i64("task_id");
  x.taskTitle = r.str("title");
  x.institutionId = r.i64("institution_id");
  x.creditCode = r.str("credit_code");
  x.institutionName = r.str("institution_name");
  x.regionName = r.str("region_name");
  x.departmentCode = r.str("department_code");
  x.state = r.str("state");
  x.resultCode = r.optStr("result_code");
  if (auto p = r.optStr("problem_reasons")) x.problemReasons = splitList(*p);
  x.inspectedOn = r.optStr("inspected_on");
  x.findings = r.optStr("findings");
  x.followup = r.optStr("followup");
  x.followupDescription = r.optStr("followup_description");
  x.followupHazardCode = r.optStr("followup_hazard_code");
  x.reviewComment = r.optStr("review_comment");
  x.publishDue = r.optStr("publish_due");
  if (auto p = r.optStr("published_at")) x.publishedAt = core::sqlToIsoUtc(*p);
  x.windowStart = r.str("window_start");
  x.windowEnd = r.str("window_end");
  if (x.publishDue && x.state != "published" && x.state != "rejected") {
    x.publishOverdue = core::formatDay(core::shanghaiDay(clock.now())) > *x.publishDue;
  }
  if (withDetail) {
    for (const auto& i : c.query("SELECT item_code, result_code, check_method, note FROM inspection_result_items"
                                 " WHERE result_id = ? ORDER BY item_code",
                                 x.id)) {
      x.items.push_back({i.str("item_code"), i.str("result_code"), i.str("check_method"), i.str("note")});
    }
    for (const auto& i : c.query("SELECT s.code FROM draw_assignments a JOIN inspectors s ON s.id = a.inspector_id"
                                 " WHERE a.task_id = ? AND a.institution_id = ? AND a.department_code = ? AND a.active = 1"
                                 " ORDER BY a.slot",
                                 x.taskId, x.institutionId, x.departmentCode)) {
      x.inspectors.push_back(i.str("code"));
    }
  }
  return x;
}

}  // namespace

std::pair<std::vector<InspectionResult>, std::int64_t> loadResults(
    db::Connection& c, const ResultFilter& f, std::optional<std::int64_t> inspectorId,
    const std::optional<std::string>& department, const core::WorkCalendar& calendar, const core::Clock& clock,
    std::optional<std::int64_t> institutionId) {
  std::string like = f.text ? "%" + *f.text + "%" : "";
  std::optional<std::string> likeOpt = f.text ? std::optional<std::string>(like) : std::nullopt;
  std::string where =
      " WHERE (? IS NULL OR r.task_id = ?) AND (? IS NULL OR r.state = ?) AND (? IS NULL OR i.credit_code = ?)"
      " AND (? IS NULL OR i.name LIKE ?) AND (? IS NULL OR r.department_code = ?) AND (? IS NULL OR r.institution_id = ?)"
      " AND (? IS NULL OR EXISTS (SELECT 1 FROM draw_assignments a WHERE a.task_id = r.task_id"
      " AND a.institution_id = r.institution_id AND a.department_code = r.department_code AND a.inspector_id = ?"
      " AND a.active = 1))";
  auto bindAll = [&](db::Binder& b, unsigned& i) {
    b.bind(i++, f.taskId);
    b.bind(i++, f.taskId);
    b.bind(i++, f.state);
    b.bind(i++, f.state);
    b.bind(i++, f.creditCode);
    b.bind(i++, f.creditCode);
    b.bind(i++, likeOpt);
    b.bind(i++, likeOpt);
    b.bind(i++, department);
    b.bind(i++, department);
    b.bind(i++, institutionId);
    b.bind(i++, institutionId);
    b.bind(i++, inspectorId);
    b.bind(i++, inspectorId);
  };
  std::vector<InspectionResult> out;
  auto rows = c.queryWith(std::string(kResultSelect) + where + " ORDER BY r.task_id DESC, r.id LIMIT ? OFFSET ?",
                          [&](db::Binder& b) {
                            unsigned i = 1;
                            bindAll(b, i);
                            b.bind(i++, f.limit);
                            b.bind(i++, f.offset);
                          });
  for (const auto& r : rows) out.push_back(resultFrom(c, r, calendar, clock, inspectorId.has_value()));
  auto total = c.queryWith("SELECT COUNT(*) AS n FROM inspection_results r JOIN institutions i ON i.id = r.institution_id" +
                               where,
                           [&](db::Binder& b) {
                             unsigned i = 1;
                             bindAll(b, i);
                           })[0]
                   .i64("n");
  return {std::move(out), total};
}

std::optional<InspectionResult> loadResult(db::Connection& c, std::int64_t id, const core::WorkCalendar& calendar,
                                           const core::Clock& clock, bool forUpdate) {
  if (forUpdate) c.query("SELECT id FROM inspection_results WHERE id = ? FOR UPDATE", id);
  auto rows = c.query(std::string(kResultSelect) + " WHERE r.id = ?", id);
  if (rows.empty()) return std::nullopt;
  return resultFrom(c, rows[0], calendar, clock, true);
}

bool isAssigned(db::Connection& c, std::int64_t userId, std::int64_t taskId, std::int64_t institutionId,
                const std::string& department) {
  return !c.query("SELECT 1 AS x FROM draw_assignments a JOIN inspectors s ON s.id = a.inspector_id WHERE s.user_id = ?"
                  " AND a.task_id = ? AND a.institution_id = ? AND a.department_code = ? AND a.active = 1",
                  userId, taskId, institutionId, department)
              .empty();
}

void saveResult(db::Connection& c, std::int64_t id, const ResultInput& in, std::int64_t userId) {
  c.execute("UPDATE inspection_results SET result_code = ?, problem_reasons = ?, inspected_on = ?, findings = ?,"
            " followup = ?, recorded_by = ? WHERE id = ?",
            in.resultCode, joinList(in.problemReasons), in.inspectedOn, in.findings, in.followup, userId, id);
  c.execute("DELETE FROM inspection_result_items WHERE result_id = ?", id);
  for (const auto& item : in.items) {
    c.execute("INSERT INTO inspection_result_items (result_id, item_code, result_code, check_method, note)"
              " VALUES (?, ?, ?, ?, ?)",
              id, item.itemCode, item.resultCode, item.checkMethod, item.note);
  }
  // The follow-up record the hazards module will take over: one per result, replaced while the result is edited.
  c.execute("DELETE FROM inspection_followups WHERE result_id = ?", id);
  if (in.followup == "order_correction") {
    c.execute("INSERT INTO inspection_followups (result_id, institution_id, followup_kind, description, state, created_at,"
              " hazard_code) SELECT id, institution_id, 'order_correction', ?, 'open', UTC_TIMESTAMP(6), ?"
              " FROM inspection_results WHERE id = ?",
              in.followupDescription, in.followupHazardCode, id);
  }
}

void closeIfComplete(db::Connection& c, std::int64_t taskId, const std::string& department, const std::string& now) {
  auto open = c.query("SELECT COUNT(*) AS n FROM inspection_results WHERE task_id = ? AND department_code = ?"
                      " AND state <> 'published'",
                      taskId, department)[0].i64("n");
  if (open > 0) return;
  c.execute("UPDATE task_departments SET state = 'closed' WHERE task_id = ? AND department_code = ?", taskId, department);
  auto remaining = c.query("SELECT COUNT(*) AS n FROM task_departments WHERE task_id = ? AND state = 'open'", taskId)[0].i64("n");
  if (remaining == 0) {
    c.execute("UPDATE inspection_tasks SET state = 'closed', updated_at = ? WHERE id = ? AND state IN ('drawn', 'in_progress')",
              now, taskId);
  }
}

std::vector<CoverageRow> loadCoverage(db::Connection& c, const std::optional<std::string>& region,
                                      const std::optional<std::string>& kind, const std::string& since) {
  std::vector<std::string> regions = region ? regionTree(c, *region) : std::vector<std::string>{};
  std::string sql =
      "SELECT i.region_code, g.name AS region_name, i.kind, COUNT(*) AS institutions,"
      " SUM(CASE WHEN EXISTS (SELECT 1 FROM inspection_results r WHERE r.institution_id = i.id AND r.state = 'published'"
      " AND r.inspected_on >= ?) THEN 0 ELSE 1 END) AS not_inspected"
      " FROM institutions i JOIN regions g ON g.code = i.region_code WHERE i.filing_state <> 'cancelled'";
  if (region) sql += " AND i.region_code IN (" + db::placeholders(regions.size()) + ")";
  if (kind) sql += " AND i.kind = ?";
  sql += " GROUP BY i.region_code, g.name, i.kind ORDER BY i.region_code, i.kind";
  std::vector<CoverageRow> out;
  for (const auto& r : c.queryWith(sql, [&](db::Binder& b) {
         unsigned i = 1;
         b.bind(i++, since);
         for (const auto& code : regions) b.bind(i++, code);
         if (kind) b.bind(i++, *kind);
       })) {
    out.push_back({r.str("region_code"), r.str("region_name"), r.str("kind"), r.i64("institutions"), r.i64("not_inspected")});
  }
  return out;
}

}  // namespace cw::draws::repo
