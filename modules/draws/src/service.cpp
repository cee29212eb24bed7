#include "cw/draws/service.hpp"

#include <Poco/JSON/Object.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "cw/core/blob_store.hpp"
#include "cw/core/crypto.hpp"
#include "cw/core/time.hpp"
#include "cw/core/validation.hpp"
#include "cw/db/outbox.hpp"
#include "cw/http/json.hpp"
#include "cw/registry/codes.hpp"
#include "repository.hpp"

namespace cw::draws {

using core::Error;

namespace {

std::string jsonQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

bool isOfficerOf(const http::Principal& who, const std::string& department) {
  return who.role == "admin" || (who.role == "officer" && who.departmentCode == department);
}

core::Status needOfficer(const http::Principal& who, const std::string& department) {
  if (isOfficerOf(who, department)) return core::Ok{};
  return Error::denied("only an officer of department " + department + " (or an administrator) may do this");
}

// The task row locked for this transaction, if the caller is an officer of its lead department.
core::Result<Task> taskForOfficer(db::Connection& c, const http::Principal& who, std::int64_t taskId) {
  auto t = repo::loadTask(c, taskId, true);
  if (!t) return Error::notFound("task " + std::to_string(taskId) + " does not exist");
  if (auto ok = needOfficer(who, t->departmentCode); !ok) return ok.error();
  return *t;
}

// The result row locked for this transaction, if the caller is an inspector assigned to its entity. Anyone else
// gets NotFound, so result ids reveal nothing.
core::Result<InspectionResult> resultForInspector(db::Connection& c, const http::Principal& who, std::int64_t id,
                                                  const core::WorkCalendar& calendar, const core::Clock& clock) {
  auto r = repo::loadResult(c, id, calendar, clock, true);
  if (!r || who.role != "inspector" || !repo::isAssigned(c, who.userId, r->taskId, r->institutionId, r->departmentCode)) {
    return Error::notFound("result " + std::to_string(id) + " does not exist or is not assigned to you");
  }
  return *r;
}

std::string joinList(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

DrawService::DrawService(db::Pool& pool, audit::AuditLog& audit, const core::Clock& clock, core::RandomSource& random,
                         const core::WorkCalendar& calendar, const core::BlobStore& files, GradeProvider& grades,
                         DrawsConfig config)
    : pool_(pool), audit_(audit), clock_(clock), random_(random), calendar_(calendar), files_(files), grades_(grades),
      config_(config) {}

std::map<std::string, std::string> DrawService::departmentNames() {
  auto lease = pool_.acquire();
  std::map<std::string, std::string> out;
  for (const auto& r : lease->query("SELECT code, name FROM departments")) out[r.str("code")] = r.str("name");
  return out;
}

// ------------------------------------------------------------------------------------------------ item list

std::vector<InspectionItem> DrawService::items(bool activeOnly) {
  auto lease = pool_.acquire();
  return repo::loadItems(*lease, activeOnly);
}

core::Result<InspectionItem> DrawService::createItem(const audit::Actor& actor, const http::Principal& who,
                                                     InspectionItem item) {
  if (auto ok = needOfficer(who, item.departmentCode); !ok) return ok.error();
  if (item.code.empty() || item.code.size() > 32 ||
      !std::all_of(item.code.begin(), item.code.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; })) {
    return Error::invalid("code", "code must be 1-32 letters, digits, - or _");
  }
  if (auto ok = core::checkText("name", item.name, 2, 128); !ok) return ok.error();
  if (auto ok = core::checkText("legal_basis", item.legalBasis, 2, 512); !ok) return ok.error();
  if (item.kinds.empty()) return Error::invalid("kinds", "name the institution kinds the item applies to");
  if (item.checkMethods.empty()) return Error::invalid("check_methods", "name at least one check method");
  for (const auto& m : item.checkMethods) {
    if (std::find(kCheckMethods.begin(), kCheckMethods.end(), m) == kCheckMethods.end()) {
      return Error::invalid("check_methods", "\"" + m + "\" is not a check method");
    }
  }
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  if (!c.query("SELECT code FROM inspection_items WHERE code = ?", item.code).empty()) {
    return Error::conflict("inspection item " + item.code + " already exists", "code");
  }
  std::string now = core::formatSqlDateTime(clock_.now());
  c.execute("INSERT INTO inspection_items (code, name, department_code, legal_basis, kinds, check_methods, active,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
            item.code, item.name, item.departmentCode, item.legalBasis, joinList(item.kinds),
            joinList(item.checkMethods), now, now);
  audit_.append(c, actor, {"draws.item.create", "inspection_item", item.code, "{\"name\":" + jsonQuote(item.name) + "}"});
  tx.commit();
  return item;
}

// ------------------------------------------------------------------------------------------ inspector directory

std::pair<std::vector<Inspector>, std::int64_t> DrawService::inspectors(const std::optional<std::string>& department,
                                                                        const std::optional<std::string>& status,
                                                                        std::int64_t offset, std::int64_t limit) {
  auto lease = pool_.acquire();
  return repo::loadInspectors(*lease, department, status, offset, limit);
}

core::Result<Inspector> DrawService::createInspector(const audit::Actor& actor, const http::Principal& who,
                                                     Inspector in) {
  if (auto ok = needOfficer(who, in.departmentCode); !ok) return ok.error();
  if (auto ok = core::checkText("name", in.name, 2, 64); !ok) return ok.error();
  if (auto ok = core::checkRegionCode("region_code", in.regionCode); !ok) return ok.error();
  if (in.memberKind != "enforcement" && in.memberKind != "expert") {
    return Error::invalid("member_kind", "member_kind must be enforcement or expert");
  }
  if (in.memberKind == "enforcement" && (!in.certificateNo || in.certificateNo->empty())) {
    return Error::invalid("certificate_no", "an enforcement member needs an enforcement certificate number");
  }
  if (auto ok = core::checkText("expertise", in.expertise, 0, 255); !ok) return ok.error();
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  if (c.query("SELECT code FROM regions WHERE code = ?", in.regionCode).empty()) {
    return Error::invalid("region_code", "region " + in.regionCode + " is unknown");
  }
  if (in.userId) {
    auto user = c.query("SELECT role, department_code FROM users WHERE id = ?", *in.userId);
    if (user.empty() || user[0].str("role") != "inspector") {
      return Error::invalid("user_id", "user_id must be an account with the inspector role");
    }
    if (!c.query("SELECT id FROM inspectors WHERE user_id = ?", *in.userId).empty()) {
      return Error::conflict("that account already has an inspector record", "user_id");
    }
  }
  std::string now = core::formatSqlDateTime(clock_.now());
  in.status = "active";
  c.execute("INSERT INTO inspectors (code, user_id, name, department_code, region_code, certificate_no, member_kind,"
            " status, expertise, created_at, updated_at) VALUES ('', ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)",
            in.userId, in.name, in.departmentCode, in.regionCode, in.certificateNo, in.memberKind, in.expertise, now,
            now);
  in.id = c.query("SELECT LAST_INSERT_ID() AS id")[0].i64("id");
  in.code = repo::inspectorCode(in.id);
  c.execute("UPDATE inspectors SET code = ? WHERE id = ?", in.code, in.id);
  audit_.append(c, actor, {"draws.inspector.create", "inspector", in.code,
                           "{\"department\":" + jsonQuote(in.departmentCode) + ",\"region\":" + jsonQuote(in.regionCode) +
                               ",\"member_kind\":" + jsonQuote(in.memberKind) + "}"});
  tx.commit();
  return repo::loadInspector(*lease, in.id).value();
}

core::Result<Inspector> DrawService::setInspectorStatus(const audit::Actor& actor, const http::Principal& who,
                                                        std::int64_t id, const std::string& status) {
  if (status != "active" && status != "on_leave" && status != "retired") {
    return Error::invalid("status", "status must be active, on_leave or retired");
  }
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  auto current = repo::loadInspector(c, id);
  if (!current) return Error::notFound("inspector " + std::to_string(id) + " does not exist");
  if (auto ok = needOfficer(who, current->departmentCode); !ok) return ok.error();
  c.execute("UPDATE inspectors SET status = ?, updated_at = ? WHERE id = ?", status,
            core::formatSqlDateTime(clock_.now()), id);
  audit_.append(c, actor, {"draws.inspector.status", "inspector", current->code,
                           "{\"from\":" + jsonQuote(current->status) + ",\"to\":" + jsonQuote(status) + "}"});
  tx.commit();
  return repo::loadInspector(*lease, id).value();
}

core::Result<Inspector> DrawService::inspectorOf(const http::Principal& who) {
  auto lease = pool_.acquire();
  auto rows = lease->query("SELECT id FROM inspectors WHERE user_id = ?", who.userId);
  if (rows.empty()) return Error::notFound("this account has no record in the inspector directory");
  return repo::loadInspector(*lease, rows[0].i64("id")).value();
}

core::Result<Conflict> DrawService::declareConflict(const audit::Actor& actor, const http::Principal& who,
                                                    std::int64_t inspectorId, const std::string& creditCode,
                                                    const std::string& reason, const std::string& validFrom,
                                                    const std::optional<std::string>& validTo) {
  if (auto ok = core::checkText("reason", reason, 2, 255); !ok) return ok.error();
  auto from = core::parseDay(validFrom);
  if (!from) return Error::invalid("valid_from", "valid_from must be a date YYYY-MM-DD");
  if (validTo) {
    auto to = core::parseDay(*validTo);
    if (!to) return Error::invalid("valid_to", "valid_to must be a date YYYY-MM-DD");
    if (*to < *from) return Error::invalid("valid_to", "valid_to is before valid_from");
  }
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  auto inspector = repo::loadInspector(c, inspectorId);
  if (!inspector) return Error::notFound("inspector " + std::to_string(inspectorId) + " does not exist");
  bool self = inspector->userId && *inspector->userId == who.userId;
  if (!self && !isOfficerOf(who, inspector->departmentCode)) {
    return Error::denied("a conflict is declared by the inspector, or recorded by an officer of their department");
  }
  auto inst = c.query("SELECT id, name FROM institutions WHERE credit_code = ?", registry::normaliseCreditCode(creditCode));
  if (inst.empty()) return Error::invalid("credit_code", "no institution has credit code " + creditCode);
  std::int64_t institutionId = inst[0].i64("id");
  c.execute("INSERT INTO inspector_conflicts (inspector_id, institution_id, reason, valid_from, valid_to, declared_by,"
            " declared_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            inspectorId, institutionId, reason, validFrom, validTo, who.userId, core::formatSqlDateTime(clock_.now()));
  std::int64_t id = c.query("SELECT LAST_INSERT_ID() AS id")[0].i64("id");
  audit_.append(c, actor, {"draws.conflict.declare", "inspector", inspector->code,
                           "{\"institution\":" + jsonQuote(creditCode) + ",\"valid_from\":" + jsonQuote(validFrom) + "}"});
  tx.commit();
  for (auto& x : repo::loadConflicts(*lease, inspectorId)) {
    if (x.id == id) return x;
  }
  return Error{core::ErrorCode::Internal, "the declared conflict was not found after saving", {}};
}

core::Result<std::vector<Conflict>> DrawService::conflicts(const http::Principal& who, std::int64_t inspectorId) {
  auto lease = pool_.acquire();
  auto inspector = repo::loadInspector(*lease, inspectorId);
  if (!inspector) return Error::notFound("inspector " + std::to_string(inspectorId) + " does not exist");
  bool self = inspector->userId && *inspector->userId == who.userId;
  if (!self && !isOfficerOf(who, inspector->departmentCode)) {
    return Error::denied("conflict declarations are seen by the inspector and officers of their department");
  }
  return repo::loadConflicts(*lease, inspectorId);
}

// ------------------------------------------------------------------------------------------------ special lists

std::vector<SpecialList> DrawService::specialLists() {
  auto lease = pool_.acquire();
  std::vector<SpecialList> out;
  for (const auto& r : lease->query("SELECT l.code, l.name, l.list_kind, (SELECT COUNT(*) FROM special_list_members m"
                                    " WHERE m.list_code = l.code) AS members FROM special_lists l ORDER BY l.code")) {
    out.push_back({r.str("code"), r.str("name"), r.str("list_kind"), r.i64("members")});
  }
  return out;
}

core::Result<std::vector<ListMember>> DrawService::listMembers(const std::string& code) {
  auto lease = pool_.acquire();
  if (lease->query("SELECT code FROM special_lists WHERE code = ?", code).empty()) {
    return Error::notFound("special list " + code + " does not exist");
  }
  std::vector<ListMember> out;
  for (const auto& r : lease->query("SELECT m.institution_id, i.credit_code, i.name, m.reason, m.added_at"
                                    " FROM special_list_members m JOIN institutions i ON i.id = m.institution_id"
                                    " WHERE m.list_code = ? ORDER BY m.added_at DESC LIMIT 5000",
                                    code)) {
    out.push_back({r.i64("institution_id"), r.str("credit_code"), r.str("name"), r.str("reason"),
                   core::sqlToIsoUtc(r.str("added_at"))});
  }
  return out;
}

core::Result<ListMember> DrawService::addListMember(const audit::Actor& actor, const http::Principal& who,
                                                    const std::string& code, const std::string& creditCode,
                                                    const std::string& reason) {
  if (who.role != "admin" && who.role != "officer") return Error::denied("special lists are kept by officers");
  if (auto ok = core::checkText("reason", reason, 2, 255); !ok) return ok.error();
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  if (c.query("SELECT code FROM special_lists WHERE code = ?", code).empty()) {
    return Error::notFound("special list " + code + " does not exist");
  }
  std::string normalised = registry::normaliseCreditCode(creditCode);
  auto inst = c.query("SELECT id, name FROM institutions WHERE credit_code = ?", normalised);
  if (inst.empty()) return Error::invalid("credit_code", "no institution has credit code " + creditCode);
  std::int64_t id = inst[0].i64("id");
  if (!c.query("SELECT institution_id FROM special_list_members WHERE list_code = ? AND institution_id = ?", code, id).empty()) {
    return Error::conflict(normalised + " is already on list " + code, "credit_code");
  }
  std::string now = core::formatSqlDateTime(clock_.now());
  c.execute("INSERT INTO special_list_members (list_code, institution_id, reason, added_at) VALUES (?, ?, ?, ?)", code, id,
            reason, now);
  audit_.append(c, actor, {"draws.list.add", "special_list", code,
                           "{\"institution\":" + jsonQuote(normalised) + ",\"reason\":" + jsonQuote(reason) + "}"});
  tx.commit();
  return ListMember{id, normalised, inst[0].str("name"), reason, core::sqlToIsoUtc(now)};
}

core::Status DrawService::removeListMember(const audit::Actor& actor, const http::Principal& who,
                                           const std::string& code, std::int64_t institutionId) {
  if (who.role != "admin" && who.role != "officer") return Error::denied("special lists are kept by officers");
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  if (c.execute("DELETE FROM special_list_members WHERE list_code = ? AND institution_id = ?", code, institutionId) == 0) {
    return Error::notFound("institution " + std::to_string(institutionId) + " is not on list " + code);
  }
  audit_.append(c, actor, {"draws.list.remove", "special_list", code,
                           "{\"institution_id\":" + std::to_string(institutionId) + "}"});
  tx.commit();
  return core::Ok{};
}

// ----------------------------------------------------------------------------------------------- plans and tasks

core::Result<Plan> DrawService::createPlan(const audit::Actor& actor, const http::Principal& who, int year,
                                           const std::string& title) {
  if (who.role != "officer" || !who.departmentCode) return Error::denied("annual plans are made by department officers");
  if (year < 2000 || year > 2100) return Error::invalid("year", "year must be 2000-2100");
  if (auto ok = core::checkText("title", title, 2, 128); !ok) return ok.error();
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  std::string now = core::formatSqlDateTime(clock_.now());
  c.execute("INSERT INTO inspection_plans (plan_year, title, department_code, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            year, title, *who.departmentCode, who.userId, now);
  std::int64_t id = c.query("SELECT LAST_INSERT_ID() AS id")[0].i64("id");
  audit_.append(c, actor, {"draws.plan.create", "inspection_plan", std::to_string(id), "{\"title\":" + jsonQuote(title) + "}"});
  tx.commit();
  return Plan{id, year, title, *who.departmentCode, core::sqlToIsoUtc(now)};
}

std::vector<Plan> DrawService::plans() {
  auto lease = pool_.acquire();
  std::vector<Plan> out;
  for (const auto& r : lease->query("SELECT id, plan_year, title, department_code, created_at FROM inspection_plans"
                                    " ORDER BY plan_year DESC, id DESC LIMIT 500")) {
    out.push_back({r.i64("id"), static_cast<int>(r.i64("plan_year")), r.str("title"), r.str("department_code"),
                   core::sqlToIsoUtc(r.str("created_at"))});
  }
  return out;
}

core::Result<Task> DrawService::createTask(const audit::Actor& actor, const http::Principal& who, TaskInput input) {
  if (auto ok = validateTask(input, config_.minPerEntity); !ok) return ok.error();
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  auto plan = c.query("SELECT department_code FROM inspection_plans WHERE id = ?", input.planId);
  if (plan.empty()) return Error::invalid("plan_id", "plan " + std::to_string(input.planId) + " does not exist");
  std::string lead = plan[0].str("department_code");
  if (auto ok = needOfficer(who, lead); !ok) return ok.error();
  if (auto ok = repo::checkTaskReferences(c, input); !ok) return ok.error();
  std::int64_t id = repo::insertTask(c, input, lead, who.userId, core::formatSqlDateTime(clock_.now()));
  audit_.append(c, actor, {"draws.task.create", "inspection_task", std::to_string(id),
                           "{\"title\":" + jsonQuote(input.title) + ",\"region\":" + jsonQuote(input.regionCode) + "}"});
  tx.commit();
  return repo::loadTask(*lease, id).value();
}

core::Result<Task> DrawService::updateTask(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                           TaskInput input) {
  if (auto ok = validateTask(input, config_.minPerEntity); !ok) return ok.error();
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  auto current = repo::loadTask(c, id, true);
  if (!current) return Error::notFound("task " + std::to_string(id) + " does not exist");
  if (auto ok = needOfficer(who, current->departmentCode); !ok) return ok.error();
  if (current->state != "draft") return Error::precondition("only a draft task can be changed; this one is " + current->state);
  input.planId = current->input.planId;
  if (auto ok = repo::checkTaskReferences(c, input); !ok) return ok.error();
  repo::updateTask(c, id, input, core::formatSqlDateTime(clock_.now()));
  audit_.append(c, actor, {"draws.task.update", "inspection_task", std::to_string(id), "{\"title\":" + jsonQuote(input.title) + "}"});
  tx.commit();
  return repo::loadTask(*lease, id).value();
}

core::Result<Task> DrawService::task(std::int64_t id) {
  auto lease = pool_.acquire();
  auto t = repo::loadTask(*lease, id);
  if (!t) return Error::notFound("task " + std::to_string(id) + " does not exist");
  return *t;
}

std::pair<std::vector<Task>, std::int64_t> DrawService::tasks(const TaskFilter& filter) {
  auto lease = pool_.acquire();
  return repo::loadTasks(*lease, filter);
}

// ------------------------------------------------------------------------------------------------------ the draw

core::Result<Task> DrawService::lock(const audit::Actor& actor, const http::Principal& who, std::int64_t taskId) {
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  auto t = taskForOfficer(c, who, taskId);
  if (!t) return t.error();
  if (t->state != "draft") return Error::precondition("only a draft task can be locked; this one is " + t->state);

  auto scope = repo::loadScope(c, t->input);
  if (scope.empty()) return Error::precondition("no institution is in the task's scope (region, kinds, filing states, list)");
  std::vector<std::int64_t> ids;
  ids.reserve(scope.size());
  for (const auto& e : scope) ids.push_back(e.id);
  auto grades = grades_.grades(c, ids);
  std::string fallback = grades_.defaultGrade();

  std::vector<PoolLine> poolLines;
  std::map<std::string, std::string> gradeOfStratum;
  poolLines.reserve(scope.size());
  for (const auto& e : scope) {
    auto g = grades.find(e.id);
    const std::string& grade = g == grades.end() ? fallback : g->second;
    std::string key = stratumKey(t->input.strataBy, e.region, e.kind, grade);
    gradeOfStratum.emplace(key, grade);
    poolLines.push_back({key, e.creditCode});
  }

  std::vector<std::string> departments;
  for (const auto& d : t->input.departments) departments.push_back(d.departmentCode);
  auto eligible = repo::loadEligibleInspectors(c, departments);
  for (const auto& d : departments) {
    if (std::none_of(eligible.begin(), eligible.end(), [&](const auto& i) { return i.departmentCode == d; })) {
      return Error::precondition("department " + d + " has no active enforcement inspector to draw from");
    }
  }
  std::vector<InspectorLine> inspectorLines;
  for (const auto& i : eligible) inspectorLines.push_back({i.code, i.departmentCode});

  std::string today = core::formatDay(core::shanghaiDay(clock_.now()));
  auto exclusions = repo::computeExclusions(c, *t, scope, eligible, today);

  FrozenFiles files{renderPool(poolLines), renderInspectors(inspectorLines), renderExclusions(exclusions)};
  Digests digests = digestsOf(files);
  for (const std::string* f : {&files.pool, &files.inspectors, &files.exclusions}) {
    auto stored = files_.put(*f);
    if (!stored) return stored.error();
  }

  // Quotas: a fixed count for the stratum if the task gives one, else the ratio of the stratum's grade.
  std::map<std::string, std::int64_t> population;
  for (const auto& l : poolLines) ++population[l.stratum];
  std::string strata;
  std::int64_t total = 0;
  for (const auto& [key, n] : population) {
    std::int64_t count;
    if (auto fixed = t->input.stratumCounts.find(key); fixed != t->input.stratumCounts.end()) {
      count = std::min(fixed->second, n);
    } else {
      auto ratio = t->input.gradeRatios.find(gradeOfStratum[key]);
      count = countForRatio(ratio == t->input.gradeRatios.end() ? 0 : ratio->second, n);
    }
    total += count;
    strata += key + "\t" + std::to_string(n) + "\t" + std::to_string(count) + "\n";
  }
  if (total == 0) return Error::precondition("the ratios and counts select no institution; raise a ratio");

  auto secret = random_.bytes(32);
  std::string secretBytes(secret.begin(), secret.end());
  std::string now = core::formatSqlDateTime(clock_.now());
  c.execute("INSERT INTO draws (task_id, algorithm, pool_digest, inspector_digest, exclusion_digest, secret_hex,"
            " commitment, beacon_source, cap_slack, strata, locked_by, locked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            taskId, std::string(kAlgorithm), digests.pool, digests.inspectors, digests.exclusions,
            core::hexEncode(secretBytes), commitmentOf(secretBytes), t->input.beaconSource, t->input.capSlack, strata,
            who.userId, now);
  c.execute("UPDATE inspection_tasks SET state = 'locked', updated_at = ? WHERE id = ?", now, taskId);
  audit_.append(c, actor, {"draws.task.lock", "inspection_task", std::to_string(taskId),
                           "{\"pool\":" + std::to_string(poolLines.size()) + ",\"inspectors\":" +
                               std::to_string(inspectorLines.size()) + ",\"exclusions\":" +
                               std::to_string(exclusions.size()) + ",\"selecting\":" + std::to_string(total) +
                               ",\"commitment\":" + jsonQuote(commitmentOf(secretBytes)) + "}"});
  tx.commit();
  return repo::loadTask(*lease, taskId).value();
}

core::Result<Task> DrawService::draw(const audit::Actor& actor, const http::Principal& who, std::int64_t taskId,
                                     const std::string& beaconValue) {
  if (auto ok = core::checkText("beacon_value", beaconValue, 0, 512); !ok) return ok.error();
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  auto t = taskForOfficer(c, who, taskId);
  if (!t) return t.error();
  if (t->state != "locked") return Error::precondition("only a locked task can be drawn; this one is " + t->state);
  auto stored = repo::loadDraw(c, taskId);
  if (!stored) return Error::notFound("task " + std::to_string(taskId) + " has no frozen draw");
  if (!stored->beaconSource.empty() && beaconValue.empty()) {
    return Error::invalid("beacon_value", "the task named a beacon (" + stored->beaconSource +
                                              "): enter its published value");
  }
  if (stored->beaconSource.empty() && !beaconValue.empty()) {
    return Error::invalid("beacon_value", "the task named no beacon at lock time, so none can be used now");
  }
  auto files = repo::loadFiles(files_, stored->digests);
  if (!files) return files.error();

  DrawParams params;
  params.secret = stored->secret;
  params.beaconValue = beaconValue;
  for (const auto& s : stored->strata) params.counts[s.key] = s.count;
  for (const auto& d : t->input.departments) params.requirements.push_back({d.departmentCode, d.perEntity});
  params.capSlack = stored->capSlack;
  auto outcome = runDraw(*files, params);
  if (!outcome) return outcome.error();

  std::string now = core::formatSqlDateTime(clock_.now());
  repo::saveOutcome(c, taskId, *outcome);
  c.execute("UPDATE draws SET beacon_value = ?, seed_hex = ?, drawn_by = ?, drawn_at = ? WHERE task_id = ?", beaconValue,
            core::hexEncode(outcome->seed), who.userId, now, taskId);
  c.execute("UPDATE inspection_tasks SET state = 'drawn', updated_at = ? WHERE id = ?", now, taskId);
  audit_.append(c, actor, {"draws.task.draw", "inspection_task", std::to_string(taskId),
                           "{\"selected\":" + std::to_string(outcome->selected.size()) + ",\"seed\":" +
                               jsonQuote(core::hexEncode(outcome->seed)) + ",\"beacon_value\":" + jsonQuote(beaconValue) + "}"});
  tx.commit();
  return repo::loadTask(*lease, taskId).value();
}

core::Result<Task> DrawService::swap(const audit::Actor& actor, const http::Principal& who, std::int64_t taskId,
                                     const std::string& creditCode, const std::string& removedCode,
                                     const std::string& addedCode, const std::string& reason) {
  if (auto ok = core::checkText("reason", reason, 2, 255); !ok) return ok.error();
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  auto t = taskForOfficer(c, who, taskId);
  if (!t) return t.error();
  if (t->state != "drawn" && t->state != "in_progress") {
    return Error::precondition("inspectors can be swapped only after the draw and before the task closes");
  }
  auto entity = c.query("SELECT e.institution_id FROM draw_entities e JOIN institutions i ON i.id = e.institution_id"
                        " WHERE e.task_id = ? AND i.credit_code = ?",
                        taskId, registry::normaliseCreditCode(creditCode));
  if (entity.empty()) return Error::invalid("credit_code", creditCode + " was not drawn in this task");
  std::int64_t institutionId = entity[0].i64("institution_id");
  auto removed = c.query("SELECT a.inspector_id, a.department_code FROM draw_assignments a JOIN inspectors s ON s.id = a.inspector_id"
                         " WHERE a.task_id = ? AND a.institution_id = ? AND s.code = ? AND a.active = 1",
                         taskId, institutionId, removedCode);
  if (removed.empty()) return Error::invalid("removed_inspector", removedCode + " is not on " + creditCode);
  std::string department = removed[0].str("department_code");
  auto added = c.query("SELECT id, department_code, status, member_kind FROM inspectors WHERE code = ?", addedCode);
  if (added.empty()) return Error::invalid("added_inspector", "inspector " + addedCode + " does not exist");
  if (added[0].str("department_code") != department) {
    return Error::invalid("added_inspector", addedCode + " is not of department " + department);
  }
  if (added[0].str("status") != "active" || added[0].str("member_kind") != "enforcement") {
    return Error::invalid("added_inspector", addedCode + " is not an active enforcement inspector");
  }
  // The replacement must be in the frozen inspector list and not excluded there; the pool file is not needed.
  auto stored = repo::loadDraw(c, taskId);
  auto inspectorsFile = repo::loadFile(files_, stored->digests.inspectors);
  if (!inspectorsFile) return inspectorsFile.error();
  auto exclusionsFile = repo::loadFile(files_, stored->digests.exclusions);
  if (!exclusionsFile) return exclusionsFile.error();
  auto frozenInspectors = parseInspectors(*inspectorsFile);
  auto frozenExclusions = parseExclusions(*exclusionsFile);
  if (!frozenInspectors || !frozenExclusions) {
    return Error{core::ErrorCode::Internal, "the frozen files of task " + std::to_string(taskId) + " cannot be read", {}};
  }
  if (std::none_of(frozenInspectors->begin(), frozenInspectors->end(), [&](const InspectorLine& l) {
        return l.inspectorId == addedCode && l.departmentCode == department;
      })) {
    return Error::invalid("added_inspector", addedCode + " was not in the frozen inspector list of this draw");
  }
  std::string entityCode = registry::normaliseCreditCode(creditCode);
  if (std::any_of(frozenExclusions->begin(), frozenExclusions->end(), [&](const ExclusionLine& l) {
        return l.entityId == entityCode && l.inspectorId == addedCode;
      })) {
    return Error::invalid("added_inspector", addedCode + " is excluded (回避) for " + creditCode);
  }
  std::int64_t addedId = added[0].i64("id");
  if (!c.query("SELECT inspector_id FROM draw_assignments WHERE task_id = ? AND institution_id = ? AND inspector_id = ?"
               " AND active = 1", taskId, institutionId, addedId).empty()) {
    return Error::invalid("added_inspector", addedCode + " is already on " + creditCode);
  }
  // A newly found conflict of the replacement is checked against today's declarations too.
  std::string today = core::formatDay(core::shanghaiDay(clock_.now()));
  if (!c.query("SELECT id FROM inspector_conflicts WHERE inspector_id = ? AND institution_id = ? AND valid_from <= ?"
               " AND (valid_to IS NULL OR valid_to >= ?)", addedId, institutionId, today, today).empty()) {
    return Error::invalid("added_inspector", addedCode + " has declared a conflict with " + creditCode);
  }
  std::int64_t removedId = removed[0].i64("inspector_id");
  std::string now = core::formatSqlDateTime(clock_.now());
  c.execute("UPDATE draw_assignments SET active = 0 WHERE task_id = ? AND institution_id = ? AND inspector_id = ?",
            taskId, institutionId, removedId);
  auto slot = c.query("SELECT COALESCE(MAX(slot), 0) + 1 AS s FROM draw_assignments WHERE task_id = ? AND institution_id = ?",
                      taskId, institutionId)[0].i64("s");
  c.execute("INSERT INTO draw_assignments (task_id, institution_id, inspector_id, department_code, slot, drawn, active)"
            " VALUES (?, ?, ?, ?, ?, 0, 1) ON DUPLICATE KEY UPDATE active = 1",
            taskId, institutionId, addedId, department, slot);
  c.execute("INSERT INTO draw_swaps (task_id, institution_id, department_code, removed_inspector_id, added_inspector_id,"
            " reason, swapped_by, swapped_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            taskId, institutionId, department, removedId, addedId, reason, who.userId, now);
  audit_.append(c, actor, {"draws.task.swap", "inspection_task", std::to_string(taskId),
                           "{\"entity\":" + jsonQuote(creditCode) + ",\"removed\":" + jsonQuote(removedCode) +
                               ",\"added\":" + jsonQuote(addedCode) + ",\"reason\":" + jsonQuote(reason) + "}"});
  tx.commit();
  return repo::loadTask(*lease, taskId).value();
}

core::Result<Task> DrawService::start(const audit::Actor& actor, const http::Principal& who, std::int64_t taskId) {
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  auto t = taskForOfficer(c, who, taskId);
  if (!t) return t.error();
  if (t->state != "drawn") return Error::precondition("only a drawn task can start; this one is " + t->state);
  c.execute("UPDATE inspection_tasks SET state = 'in_progress', updated_at = ? WHERE id = ?",
            core::formatSqlDateTime(clock_.now()), taskId);
  audit_.append(c, actor, {"draws.task.start", "inspection_task", std::to_string(taskId), "{}"});
  tx.commit();
  return repo::loadTask(*lease, taskId).value();
}

core::Result<std::vector<DrawnEntity>> DrawService::drawnList(std::int64_t taskId) {
  auto lease = pool_.acquire();
  auto t = repo::loadTask(*lease, taskId);
  if (!t) return Error::notFound("task " + std::to_string(taskId) + " does not exist");
  return repo::loadDrawnList(*lease, taskId);
}

core::Result<std::vector<DrawnEntity>> DrawService::drawnListFor(const http::Principal& who, std::int64_t taskId) {
  if (who.role == "inspector") {
    auto lease = pool_.acquire();
    if (lease->query("SELECT 1 AS x FROM draw_assignments a JOIN inspectors s ON s.id = a.inspector_id"
                     " WHERE a.task_id = ? AND s.user_id = ? AND a.active = 1 LIMIT 1",
                     taskId, who.userId)
            .empty()) {
      return Error::notFound("task " + std::to_string(taskId) + " has no assignment of yours");
    }
  }
  return drawnList(taskId);
}

core::Result<DrawRecord> DrawService::record(std::int64_t taskId) {
  auto lease = pool_.acquire();
  auto stored = repo::loadDraw(*lease, taskId);
  if (!stored) return Error::notFound("task " + std::to_string(taskId) + " has not been locked for a draw");
  return repo::buildRecord(*lease, taskId, *stored);
}

core::Result<FrozenFiles> DrawService::frozenFiles(std::int64_t taskId) {
  auto lease = pool_.acquire();
  auto stored = repo::loadDraw(*lease, taskId);
  if (!stored) return Error::notFound("task " + std::to_string(taskId) + " has not been locked for a draw");
  return repo::loadFiles(files_, stored->digests);
}

core::Status DrawService::verifyStored(std::int64_t taskId) {
  auto r = record(taskId);
  if (!r) return r.error();
  auto files = frozenFiles(taskId);
  if (!files) return files.error();
  return verify(*r, *files);
}

// ------------------------------------------------------------------------------------------------------ results

core::Result<std::vector<InspectionResult>> DrawService::myResults(const http::Principal& who) {
  auto me = inspectorOf(who);
  if (!me) return me.error();
  auto lease = pool_.acquire();
  ResultFilter all;
  all.limit = 1000;
  return repo::loadResults(*lease, all, me->id, std::nullopt, calendar_, clock_).first;
}

core::Result<InspectionResult> DrawService::result(const http::Principal& who, std::int64_t id) {
  auto lease = pool_.acquire();
  auto r = repo::loadResult(*lease, id, calendar_, clock_);
  if (!r) return Error::notFound("result " + std::to_string(id) + " does not exist");
  if (who.role == "admin" || who.role == "bureau" || isOfficerOf(who, r->departmentCode)) return *r;
  if (who.role == "institution" && who.institutionId == r->institutionId) {
    if (r->state != "published") return Error::notFound("result " + std::to_string(id) + " does not exist");
    return *r;
  }
  if (who.role == "inspector" && repo::isAssigned(*lease, who.userId, r->taskId, r->institutionId, r->departmentCode)) {
    return *r;
  }
  return Error::notFound("result " + std::to_string(id) + " does not exist");
}

core::Result<std::pair<std::vector<InspectionResult>, std::int64_t>> DrawService::results(
    const http::Principal& who, const ResultFilter& filter) {
  auto lease = pool_.acquire();
  if (who.role == "admin" || who.role == "bureau") {
    return repo::loadResults(*lease, filter, std::nullopt, std::nullopt, calendar_, clock_);
  }
  if (who.role == "officer" && who.departmentCode) {
    return repo::loadResults(*lease, filter, std::nullopt, *who.departmentCode, calendar_, clock_);
  }
  if (who.role == "institution" && who.institutionId) {
    ResultFilter own = filter;
    own.state = "published";
    return repo::loadResults(*lease, own, std::nullopt, std::nullopt, calendar_, clock_, *who.institutionId);
  }
  return Error::denied("results are listed for officers, the bureau and institutions; inspectors use their own list");
}

core::Result<InspectionResult> DrawService::recordResult(const audit::Actor& actor, const http::Principal& who,
                                                         std::int64_t id, const ResultInput& in) {
  if (std::find(kResultCodes.begin(), kResultCodes.end(), in.resultCode) == kResultCodes.end()) {
    return Error::invalid("result_code", "\"" + in.resultCode + "\" is not a result code");
  }
  if (in.resultCode == "A" && in.problemReasons.empty()) {
    return Error::invalid("problem_reasons", "result A (发现问题待后续处理) needs at least one problem reason");
  }
  for (const auto& p : in.problemReasons) {
    if (std::find(kProblemReasons.begin(), kProblemReasons.end(), p) == kProblemReasons.end()) {
      return Error::invalid("problem_reasons", "\"" + p + "\" is not a problem reason");
    }
  }
  if (std::find(kFollowups.begin(), kFollowups.end(), in.followup) == kFollowups.end()) {
    return Error::invalid("followup", "\"" + in.followup + "\" is not a follow-up");
  }
  if (in.followup == "order_correction") {
    if (auto ok = core::checkText("followup_description", in.followupDescription, 2, 1024); !ok) return ok.error();
  } else if (in.followupHazardCode) {
    return Error::invalid("followup_hazard_code", "a hazard catalogue entry goes with an order to correct only");
  }
  if (auto ok = core::checkText("findings", in.findings, 0, 4000); !ok) return ok.error();
  auto day = core::parseDay(in.inspectedOn);
  if (!day) return Error::invalid("inspected_on", "inspected_on must be a date YYYY-MM-DD");
  if (*day > core::shanghaiDay(clock_.now())) return Error::invalid("inspected_on", "inspected_on is in the future");
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  if (in.followupHazardCode &&
      c.query("SELECT code FROM hazard_catalogue WHERE code = ? AND active = 1", *in.followupHazardCode).empty()) {
    return Error::invalid("followup_hazard_code", "\"" + *in.followupHazardCode + "\" is not in the hazard catalogue");
  }
  db::Transaction tx(c);
  auto r = resultForInspector(c, who, id, calendar_, clock_);
  if (!r) return r.error();
  if (r->state != "pending" && r->state != "returned") {
    return Error::precondition("the result is " + r->state + "; it can be edited only before submission or after a return");
  }
  auto window = c.query("SELECT window_start, window_end FROM inspection_tasks WHERE id = ?", r->taskId);
  if (in.inspectedOn < window[0].str("window_start")) {
    return Error::invalid("inspected_on", "the inspection window starts on " + window[0].str("window_start"));
  }
  auto taskItems = c.query("SELECT item_code FROM task_items WHERE task_id = ?", r->taskId);
  std::set<std::string> allowed;
  for (const auto& row : taskItems) allowed.insert(row.str("item_code"));
  std::set<std::string> seen;
  for (const auto& item : in.items) {
    if (!allowed.count(item.itemCode)) return Error::invalid("items", "item " + item.itemCode + " is not part of this task");
    if (!seen.insert(item.itemCode).second) return Error::invalid("items", "item " + item.itemCode + " is given twice");
    if (std::find(kResultCodes.begin(), kResultCodes.end(), item.resultCode) == kResultCodes.end()) {
      return Error::invalid("items", "item " + item.itemCode + ": \"" + item.resultCode + "\" is not a result code");
    }
    if (std::find(kCheckMethods.begin(), kCheckMethods.end(), item.checkMethod) == kCheckMethods.end()) {
      return Error::invalid("items", "item " + item.itemCode + ": \"" + item.checkMethod + "\" is not a check method");
    }
    if (auto ok = core::checkText("items", item.note, 0, 512); !ok) return ok.error();
  }
  repo::saveResult(c, id, in, who.userId);
  audit_.append(c, actor, {"draws.result.record", "inspection_result", std::to_string(id),
                           "{\"result_code\":" + jsonQuote(in.resultCode) + ",\"followup\":" + jsonQuote(in.followup) + "}"});
  tx.commit();
  return repo::loadResult(*lease, id, calendar_, clock_).value();
}

namespace {

constexpr const char* kEvidenceSelect =
    "SELECT e.sha256, e.name, d.media_type, d.size_bytes, e.uploaded_at FROM inspection_result_evidence e"
    " JOIN documents d ON d.sha256 = e.sha256";

Evidence evidenceFrom(const db::Row& r) {
  return {r.str("sha256"), r.str("name"), r.str("media_type"), r.i64("size_bytes"), core::sqlToIsoUtc(r.str("uploaded_at"))};
}

}  // namespace

core::Result<Evidence> DrawService::addEvidence(const audit::Actor& actor, const http::Principal& who,
                                                std::int64_t resultId, const std::string& name,
                                                const std::string& bytes) {
  if (auto ok = core::checkText("name", name, 1, 255); !ok) return ok.error();
  if (name.find('/') != std::string::npos || name.find('\\') != std::string::npos) {
    return Error::invalid("name", "name must be a file name, not a path");
  }
  if (bytes.empty()) return Error::invalid("file", "the request body must be the file; it is empty");
  if (bytes.size() > config_.maxEvidenceBytes) {
    return Error{core::ErrorCode::PayloadTooLarge,
                 "evidence files may be at most " + std::to_string(config_.maxEvidenceBytes / (1024 * 1024)) + " MiB",
                 "file"};
  }
  auto type = core::sniffDocumentType(bytes);
  if (!type) return Error::invalid("file", "evidence must be a PDF, PNG, JPEG or WebP file (checked by content)");
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  {
    auto r = resultForInspector(c, who, resultId, calendar_, clock_);
    if (!r) return r.error();
    if (r->state != "pending" && r->state != "returned") {
      return Error::precondition("the result is " + r->state + "; evidence is added before submission or after a return");
    }
  }
  // The file is stored before the rows that point at it: a crash in between leaves an unreferenced file, never a row
  // without its file.
  auto sha = files_.put(bytes);
  if (!sha) return sha.error();
  std::string now = core::formatSqlDateTime(clock_.now());
  db::Transaction tx(c);
  auto r = resultForInspector(c, who, resultId, calendar_, clock_);
  if (!r) return r.error();
  c.execute("INSERT INTO documents (sha256, media_type, size_bytes, created_at) VALUES (?, ?, ?, ?)"
            " ON DUPLICATE KEY UPDATE sha256 = sha256",
            *sha, *type, static_cast<std::int64_t>(bytes.size()), now);
  if (!c.query("SELECT sha256 FROM inspection_result_evidence WHERE result_id = ? AND sha256 = ?", resultId, *sha).empty()) {
    return Error::conflict("this file is already attached to result " + std::to_string(resultId), "file");
  }
  c.execute("INSERT INTO inspection_result_evidence (result_id, sha256, name, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?)",
            resultId, *sha, name, who.userId, now);
  audit_.append(c, actor, {"draws.result.evidence", "inspection_result", std::to_string(resultId),
                           "{\"sha256\":" + jsonQuote(*sha) + ",\"name\":" + jsonQuote(name) + ",\"size_bytes\":" +
                               std::to_string(bytes.size()) + "}"});
  tx.commit();
  return evidenceFrom(c.query(std::string(kEvidenceSelect) + " WHERE e.result_id = ? AND e.sha256 = ?", resultId, *sha)[0]);
}

core::Result<std::vector<Evidence>> DrawService::evidence(const http::Principal& who, std::int64_t resultId) {
  auto visible = result(who, resultId);
  if (!visible) return visible.error();
  auto lease = pool_.acquire();
  std::vector<Evidence> out;
  for (const auto& r : lease->query(std::string(kEvidenceSelect) + " WHERE e.result_id = ? ORDER BY e.uploaded_at", resultId)) {
    out.push_back(evidenceFrom(r));
  }
  return out;
}

core::Result<std::pair<Evidence, std::string>> DrawService::evidenceFile(const http::Principal& who,
                                                                         std::int64_t resultId,
                                                                         const std::string& sha256) {
  auto visible = result(who, resultId);
  if (!visible) return visible.error();
  auto lease = pool_.acquire();
  auto rows = lease->query(std::string(kEvidenceSelect) + " WHERE e.result_id = ? AND e.sha256 = ?", resultId, sha256);
  if (rows.empty()) return Error::notFound("result " + std::to_string(resultId) + " has no such evidence");
  auto bytes = files_.get(sha256);
  if (!bytes) return bytes.error();
  return std::pair{evidenceFrom(rows[0]), std::move(*bytes)};
}

core::Result<InspectionResult> DrawService::submitResult(const audit::Actor& actor, const http::Principal& who,
                                                         std::int64_t id) {
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  auto r = resultForInspector(c, who, id, calendar_, clock_);
  if (!r) return r.error();
  if (r->state != "pending" && r->state != "returned") return Error::precondition("the result is already " + r->state);
  if (!r->resultCode) return Error::precondition("record the result before submitting it");
  std::string due = core::formatDay(calendar_.addWorkingDays(*core::parseDay(*r->inspectedOn), config_.publishWorkingDays));
  c.execute("UPDATE inspection_results SET state = 'submitted', submitted_at = ?, publish_due = ? WHERE id = ?",
            core::formatSqlDateTime(clock_.now()), due, id);
  audit_.append(c, actor, {"draws.result.submit", "inspection_result", std::to_string(id), "{}"});
  tx.commit();
  return repo::loadResult(*lease, id, calendar_, clock_).value();
}

core::Result<InspectionResult> DrawService::reviewResult(const audit::Actor& actor, const http::Principal& who,
                                                         std::int64_t id, const std::string& decision,
                                                         const std::string& comment) {
  if (decision != "publish" && decision != "return" && decision != "reject") {
    return Error::invalid("decision", "decision must be publish, return or reject");
  }
  if (decision != "publish") {
    if (auto ok = core::checkText("comment", comment, 2, 512); !ok) return ok.error();
  }
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  auto r = repo::loadResult(c, id, calendar_, clock_, true);
  if (!r) return Error::notFound("result " + std::to_string(id) + " does not exist");
  if (auto ok = needOfficer(who, r->departmentCode); !ok) return ok.error();
  if (r->state != "submitted") return Error::precondition("only a submitted result can be reviewed; this one is " + r->state);
  std::string now = core::formatSqlDateTime(clock_.now());
  std::string state = decision == "publish" ? "published" : decision == "return" ? "returned" : "rejected";
  c.execute("UPDATE inspection_results SET state = ?, reviewed_by = ?, reviewed_at = ?, review_comment = ?,"
            " published_at = ? WHERE id = ?",
            state, who.userId, now, comment.empty() ? std::optional<std::string>() : std::optional<std::string>(comment),
            decision == "publish" ? std::optional<std::string>(now) : std::optional<std::string>(), id);
  if (decision == "publish") {
    repo::closeIfComplete(c, r->taskId, r->departmentCode, now);
    // The credit module records published results (未发现问题 / 发现问题 / 不配合检查).
    auto task = c.query("SELECT title FROM inspection_tasks WHERE id = ?", r->taskId);
    Poco::JSON::Object::Ptr payload = new Poco::JSON::Object;
    payload->set("result_code", r->resultCode ? *r->resultCode : std::string());
    payload->set("department_code", r->departmentCode);
    payload->set("inspected_on", r->inspectedOn ? *r->inspectedOn : std::string());
    payload->set("task_name", task.empty() ? std::string() : task[0].str("title"));
    db::emitEvent(c, {0, "inspection.published", "inspection_result", id, r->institutionId,
                      "inspection_result:" + std::to_string(id) + ":published", http::toJsonText(payload), ""},
                  now);
  }
  audit_.append(c, actor, {"draws.result.review", "inspection_result", std::to_string(id),
                           "{\"decision\":" + jsonQuote(decision) + "}"});
  tx.commit();
  if (decision == "publish" && published_) published_(id);
  return repo::loadResult(*lease, id, calendar_, clock_).value();
}

std::pair<std::vector<InspectionResult>, std::int64_t> DrawService::publishedResults(const ResultFilter& filter) {
  auto lease = pool_.acquire();
  ResultFilter f = filter;
  f.state = "published";
  return repo::loadResults(*lease, f, std::nullopt, std::nullopt, calendar_, clock_);
}

core::Result<std::vector<CoverageRow>> DrawService::coverage(const std::optional<std::string>& region,
                                                             const std::optional<std::string>& kind) {
  if (region) {
    if (auto ok = core::checkRegionCode("region", *region); !ok) return ok.error();
  }
  auto lease = pool_.acquire();
  std::string since = core::formatDay(core::shanghaiDay(clock_.now()) - std::chrono::days(365));
  return repo::loadCoverage(*lease, region, kind, since);
}

}  // namespace cw::draws
