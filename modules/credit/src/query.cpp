// The credit service's reads (bureau query, check, graph, reports, public lists) and its background work (outbox
// consumer, change-log follower, daily expiry, graph rebuild).

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>
#include <shared_mutex>
#include <unordered_map>

#include "cw/core/crypto.hpp"
#include "cw/core/time.hpp"
#include "cw/core/validation.hpp"
#include "cw/credit/report.hpp"
#include "cw/credit/service.hpp"
#include "cw/db/outbox.hpp"
#include "cw/db/statement_text.hpp"
#include "cw/http/json.hpp"
#include "cw/registry/codes.hpp"
#include "repository.hpp"
#include "render.hpp"
#include "service_internal.hpp"

namespace cw::credit {

using core::Error;

namespace {

constexpr const char* kConsumer = "credit";
const std::vector<std::string> kTopics{"hazard.reported",   "hazard.overdue",       "hazard.verified",
                                       "rating.published",  "rating.downgraded",    "inspection.published",
                                       "registry.relations"};

bool isStaff(const http::Principal& who) {
  return who.role == "admin" || who.role == "officer" || who.role == "bureau";
}

// Whole months from `from` to `to`, at least 1 and at most 36 (a rating's validity as a publication period).
int monthsBetween(core::Day from, core::Day to) {
  for (int m = 1; m <= 36; ++m) {
    if (addMonths(from, m) >= to) return m;
  }
  return 36;
}

Poco::JSON::Object::Ptr parse(const std::string& text) {
  try {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace

bool CreditService::visibleTo(const http::Principal& who, const std::optional<std::int64_t>& institutionId) const {
  if (isStaff(who)) return true;
  return who.role == "institution" && who.institutionId && institutionId && *who.institutionId == *institutionId;
}

// ----- view log ----------------------------------------------------------------------------------------------

void CreditService::logView(db::Connection& c, const http::Principal& who, const std::string& subject,
                            const std::string& view, const std::string& detail) {
  c.execute("INSERT INTO credit_views (user_id, username, role, department_code, entity_code, view, detail, viewed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            who.userId, who.username, who.role, who.departmentCode, subject.substr(0, 64), view,
            detail.empty() ? std::optional<std::string>() : std::optional<std::string>(detail.substr(0, 64)),
            core::formatSqlDateTime(clock_.now()));
}

// Check views gather per (user, subject, view, detail) with their count and first time, in shards picked by thread,
// so that concurrent checks neither share one lock nor allocate a row each (a repeated check only counts).
void CreditService::queueView(const http::Principal& who, const std::string& subject, const std::string& view,
                              const std::string& detail) {
  std::string key = std::to_string(who.userId);
  key.append(1, '\x1f').append(subject, 0, 64).append(1, '\x1f').append(view).append(1, '\x1f').append(detail, 0, 64);
  auto& shard = viewShards_[std::hash<std::thread::id>{}(std::this_thread::get_id()) % viewShards_.size()];
  std::lock_guard lock(shard.mutex);
  auto it = shard.views.find(key);
  if (it != shard.views.end()) {
    ++it->second.hits;
    return;
  }
  shard.views.emplace(std::move(key),
                      PendingView{{std::to_string(who.userId), who.username, who.role, who.departmentCode.value_or(""),
                                   subject.substr(0, 64), view, detail.substr(0, 64),
                                   core::formatSqlDateTime(clock_.now())},
                                  1});
}

void CreditService::gather(PendingViews& into, const std::string& key, PendingView view) {
  auto [it, fresh] = into.try_emplace(key, std::move(view));
  if (!fresh) it->second.add(view);
}

void CreditService::flushViews() {
  // The shards' views merged by key.
  PendingViews merged;
  for (auto& shard : viewShards_) {
    PendingViews views;
    {
      std::lock_guard lock(shard.mutex);
      views.swap(shard.views);
    }
    for (auto& [key, v] : views) gather(merged, key, std::move(v));
  }
  if (merged.empty()) return;
  std::vector<std::pair<std::string, PendingView>> batch(std::make_move_iterator(merged.begin()),
                                                        std::make_move_iterator(merged.end()));
  // On a database error the rows not yet written go back to the first shard for the next round (bounded).
  struct Requeue {
    CreditService* self;
    std::vector<std::pair<std::string, PendingView>>* rows;
    std::size_t written = 0;  // rows [0, written) are committed (each statement commits on its own)
    ~Requeue() {
      auto& shard = self->viewShards_[0];
      std::lock_guard lock(shard.mutex);
      for (std::size_t i = written; i < rows->size() && shard.views.size() < 100000; ++i) {
        gather(shard.views, (*rows)[i].first, std::move((*rows)[i].second));
      }
    }
  } requeue{this, &batch};
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  // Rows in power-of-two chunks of at most 256: nine statement texts whatever the batch sizes.
  for (std::size_t start = 0, end = 0; start < batch.size(); start = end) {
    end = start + db::chunkOf(batch.size() - start, 256);
    std::string sql = "INSERT INTO credit_views (user_id, username, role, department_code, entity_code, view, detail,"
                      " hits, viewed_at) VALUES ";
    for (std::size_t i = start; i < end; ++i) sql += (i == start ? "" : ", ") + std::string("(?, ?, ?, ?, ?, ?, ?, ?, ?)");
    c.executeWith(sql, [&](db::Binder& b) {
      unsigned n = 1;
      for (std::size_t i = start; i < end; ++i) {
        const auto& v = batch[i].second.fields;
        b.bind(n++, static_cast<std::int64_t>(std::stoll(v[0])));
        b.bind(n++, v[1]);
        b.bind(n++, v[2]);
        if (v[3].empty()) b.bind(n++, nullptr);
        else b.bind(n++, v[3]);
        b.bind(n++, v[4]);
        b.bind(n++, v[5]);
        if (v[6].empty()) b.bind(n++, nullptr);
        else b.bind(n++, v[6]);
        b.bind(n++, batch[i].second.hits);
        b.bind(n++, v[7]);
      }
    });
    requeue.written = end;
  }
}

// ----- records and entries -----------------------------------------------------------------------------------

core::Result<std::pair<std::vector<Record>, std::int64_t>> CreditService::records(const http::Principal& who,
                                                                                  const RecordFilter& f) {
  std::string where = " WHERE 1 = 1";
  std::vector<std::string> params;
  if (who.role == "institution") {
    if (!who.institutionId) return std::make_pair(std::vector<Record>{}, std::int64_t{0});
    where += " AND e.institution_id = ?";
    params.push_back(std::to_string(*who.institutionId));
  } else if (!isStaff(who)) {
    return Error::denied("credit records are for department staff, the bureau and the entity itself");
  }
  if (f.entity) {
    where += " AND r.entity_code = ?";
    params.push_back(*f.entity);
  }
  if (f.department) {
    where += " AND r.department_code = ?";
    params.push_back(*f.department);
  }
  if (f.kind) {
    where += " AND r.kind = ?";
    params.push_back(*f.kind);
  }
  if (f.state) {
    where += " AND r.state = ?";
    params.push_back(*f.state);
  }
  core::Day today = core::shanghaiDay(clock_.now());
  if (f.inWindowOnly) {
    where += " AND r.state = 'active' AND r.decided_on <= ? AND r.publish_until > ?";
    params.push_back(core::formatDay(today));
    params.push_back(core::formatDay(today));
  }
  auto bind = db::bindAll(params);
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  auto total = c.queryWith("SELECT COUNT(*) AS n FROM credit_records r JOIN credit_entities e ON e.code = r.entity_code" +
                               where,
                           bind)[0]
                   .i64("n");
  std::vector<Record> out;
  for (const auto& r : c.queryWith(std::string(repo::kRecordSelect) + where +
                                       " ORDER BY r.decided_on DESC, r.id DESC LIMIT ? OFFSET ?",
                                   db::bindPage(params, f.limit, f.offset))) {
    out.push_back(repo::toRecord(r, today));
  }
  return std::make_pair(std::move(out), total);
}

core::Result<std::pair<std::vector<ListEntry>, std::int64_t>> CreditService::entries(const http::Principal& who,
                                                                                    const EntryFilter& f) {
  if (std::find(kListKinds.begin(), kListKinds.end(), f.listKind) == kListKinds.end()) {
    return Error::notFound("no list " + f.listKind + " (blacklist, watchlist, redlist)");
  }
  std::string where = " WHERE l.list_kind = ?";
  std::vector<std::string> params{f.listKind};
  if (who.role == "institution") {
    if (!who.institutionId) return std::make_pair(std::vector<ListEntry>{}, std::int64_t{0});
    where += " AND e.institution_id = ?";
    params.push_back(std::to_string(*who.institutionId));
  } else if (!isStaff(who) && who.role != "inspector") {
    return Error::denied("list entries are for staff and the entity itself");
  }
  if (f.state) {
    where += " AND l.state = ?";
    params.push_back(*f.state);
  }
  if (f.department) {
    where += " AND l.department_code = ?";
    params.push_back(*f.department);
  }
  if (f.entity) {
    where += " AND l.entity_code = ?";
    params.push_back(*f.entity);
  }
  if (f.q && !f.q->empty()) {
    where += " AND (e.name LIKE ? OR l.entity_code = ?)";
    params.push_back("%" + *f.q + "%");
    params.push_back(*f.q);
  }
  auto bind = db::bindAll(params);
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  core::Day today = core::shanghaiDay(clock_.now());
  auto total = c.queryWith("SELECT COUNT(*) AS n FROM credit_list_entries l JOIN credit_entities e ON"
                           " e.code = l.entity_code" + where,
                           bind)[0]
                   .i64("n");
  std::vector<ListEntry> out;
  for (const auto& r : c.queryWith(std::string(repo::kEntrySelect) + where +
                                       " ORDER BY l.state = 'proposed' DESC, l.updated_at DESC, l.id DESC"
                                       " LIMIT ? OFFSET ?",
                                   db::bindPage(params, f.limit, f.offset))) {
    out.push_back(repo::toEntry(r, today));
  }
  repo::addTaskSummaries(c, out, today);
  return std::make_pair(std::move(out), total);
}

core::Result<ListEntry> CreditService::entry(const http::Principal& who, std::int64_t id) {
  auto lease = pool_.acquire();
  auto e = repo::loadEntry(*lease, id, core::shanghaiDay(clock_.now()));
  if (!e || (!visibleTo(who, e->institutionId) && who.role != "inspector")) {
    return Error::notFound("list entry " + std::to_string(id) + " does not exist");
  }
  return *e;
}

// ----- the bureau's query ------------------------------------------------------------------------------------

core::Result<std::vector<EntityHit>> CreditService::search(const http::Principal& who, const std::string& q) {
  if (!isStaff(who)) return Error::denied("the credit search is for department staff and the bureau");
  std::string text(core::trim(q));
  if (text.size() < 2) return Error::invalid("q", "search for at least 2 characters of a name or a credit code");
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  std::vector<EntityHit> out;
  std::set<std::string> seen;
  auto add = [&](const db::Rows& rows) {
    for (const auto& r : rows) {
      std::string code = r.str("code");
      if (!seen.insert(code).second || out.size() >= 20) continue;
      EntityHit h{code, r.str("name"), r.str("kind"), r.optStr("grade"), std::nullopt, {}};
      if (auto s = r.optI64("score")) h.score = static_cast<int>(*s);
      for (const auto& m : graph_.memberships(code)) h.lists.push_back(m.list);
      out.push_back(std::move(h));
    }
  };
  add(c.query("SELECT i.credit_code AS code, i.name, 'institution' AS kind, s.grade, s.score FROM institutions i"
              " LEFT JOIN credit_scores s ON s.entity_code = i.credit_code WHERE i.credit_code = ?"
              " UNION ALL SELECT e.code, e.name, e.kind, s.grade, s.score FROM credit_entities e"
              " LEFT JOIN credit_scores s ON s.entity_code = e.code WHERE e.code = ?",
              text, text));
  std::string like = "%" + text + "%";
  add(c.query("SELECT i.credit_code AS code, i.name, 'institution' AS kind, s.grade, s.score FROM institutions i"
              " LEFT JOIN credit_scores s ON s.entity_code = i.credit_code WHERE i.name LIKE ? ORDER BY i.name LIMIT 20",
              like));
  add(c.query("SELECT e.code, e.name, e.kind, s.grade, s.score FROM credit_entities e"
              " LEFT JOIN credit_scores s ON s.entity_code = e.code WHERE e.name LIKE ? ORDER BY e.name LIMIT 20",
              like));
  return out;
}

core::Result<EntityView> CreditService::entity(const http::Principal& who, const std::string& code,
                                               const std::string& view) {
  if (who.role != "institution" && !isStaff(who)) return Error::denied("credit details are for staff and the bureau");
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  std::string now = core::formatSqlDateTime(clock_.now());
  core::Day today = core::shanghaiDay(clock_.now());
  auto known = repo::findEntity(c, code);
  if (!known) {
    auto inst = c.query("SELECT id FROM institutions WHERE credit_code = ?", code);
    if (inst.empty() || !visibleTo(who, inst[0].i64("id"))) {
      return Error::notFound("no institution or company with code " + code + " is known to carewatch");
    }
    auto created = repo::ensureEntity(c, code, std::nullopt, now);
    if (!created) return created.error();
    known = *created;
  }
  if (!visibleTo(who, known->institutionId)) {
    return Error::notFound("no institution or company with code " + code + " is known to carewatch");
  }
  EntityView v;
  v.code = known->code;
  v.name = known->name;
  v.kind = known->kind;
  v.institutionId = known->institutionId;
  v.regionCode = known->regionCode;
  v.sector = known->sector;
  std::vector<ScoredRecord> scored;
  for (const auto& r : c.query(std::string(repo::kRecordSelect) + " WHERE r.entity_code = ? AND r.state = 'active'"
                                   " ORDER BY r.decided_on DESC, r.id DESC",
                               code)) {
    Record rec = repo::toRecord(r, today);
    scored.push_back({rec.id, rec.kind, rec.severity, rec.kindName + (rec.documentNo ? " " + *rec.documentNo : ""),
                      *core::parseDay(rec.decidedOn), *core::parseDay(rec.publishUntil)});
    if (rec.inWindow) v.records.push_back(std::move(rec));
  }
  std::vector<std::string> kinds;
  for (const auto& r : c.query(std::string(repo::kEntrySelect) + " WHERE l.entity_code = ? AND l.state IN ('proposed',"
                                   " 'listed') ORDER BY l.id",
                               code)) {
    v.lists.push_back(repo::toEntry(r, today));
    if (v.lists.back().state == "listed") kinds.push_back(v.lists.back().listKind);
  }
  repo::addTaskSummaries(c, v.lists, today);
  if (auto card = scorecard()) v.score = computeScore(*card, scored, kinds, today);
  v.measures = graph_.derive(code);
  v.related = graph_.related(code);
  for (const auto& r : c.query("SELECT grade, previous_grade, score, reason, changed_at FROM credit_grade_history"
                               " WHERE entity_code = ? ORDER BY id DESC LIMIT 50",
                               code)) {
    v.history.push_back({r.str("grade"), r.optStr("previous_grade"), static_cast<int>(r.i64("score")), r.str("reason"),
                         core::sqlToIsoUtc(r.str("changed_at"))});
  }
  if (known->institutionId) {
    for (const auto& r : c.query("SELECT x.id, x.inspected_on, t.title AS name, x.result_code, x.state FROM inspection_results x"
                                 " JOIN inspection_tasks t ON t.id = x.task_id WHERE x.institution_id = ? AND"
                                 " x.state = 'published' ORDER BY x.inspected_on DESC LIMIT 20",
                                 *known->institutionId)) {
      v.activity.push_back({"inspection", r.i64("id"), r.optStr("inspected_on").value_or(""), r.str("name"),
                            r.optStr("result_code").value_or("")});
    }
    for (const auto& r : c.query("SELECT id, reported_at, title, severity, state FROM hazards WHERE institution_id = ?"
                                 " ORDER BY reported_at DESC LIMIT 20",
                                 *known->institutionId)) {
      v.activity.push_back({"hazard", r.i64("id"), r.str("reported_at").substr(0, 10),
                            r.str("title") + (r.str("severity") == "major" ? "（重大）" : ""), r.str("state")});
    }
    for (const auto& r : c.query("SELECT g.id, g.published_at, s.code AS scheme_code, g.current_level, g.state FROM"
                                 " ratings g JOIN rating_schemes s ON s.id = g.scheme_id WHERE g.institution_id = ? AND"
                                 " g.state IN ('published', 'superseded') ORDER BY g.published_at DESC LIMIT 10",
                                 *known->institutionId)) {
      v.activity.push_back({"rating", r.i64("id"), r.optStr("published_at").value_or("").substr(0, 10),
                            r.str("scheme_code") + " " + r.optStr("current_level").value_or("未达等级"), r.str("state")});
    }
  }
  logView(c, who, code, view, "");
  return v;
}

core::Result<std::shared_ptr<const RenderedCheck>> CreditService::check(const http::Principal& who,
                                                                        const std::string& subject,
                                                                        const std::string& action) {
  constexpr std::size_t kCachedAnswers = 10000;
  if (!isStaff(who)) return Error::denied("the credit check is for department systems and staff");
  if (!graphReady_) return Error{core::ErrorCode::Unavailable, "the credit graph is being built; retry shortly", {}};
  std::string text(core::trim(subject));
  std::string cacheKey = text + '\n' + action;
  // Read before deriving: an answer derived after this read is at least as new as `version`.
  std::uint64_t version = graph_.version();
  std::shared_ptr<const RenderedCheck> answer;
  {
    std::shared_lock lock(checkCacheMutex_);
    auto it = checkCache_.find(cacheKey);
    if (it != checkCache_.end() && it->second.first == version) answer = it->second.second;
  }
  if (!answer) {
    auto fresh = answerCheck(text, action);
    if (!fresh) return fresh.error();
    auto rendered = std::make_shared<RenderedCheck>();
    rendered->json = detail::checkJson(*fresh);
    rendered->answer = std::move(*fresh);
    answer = std::move(rendered);
    std::unique_lock lock(checkCacheMutex_);
    if (checkCache_.size() >= kCachedAnswers) checkCache_.clear();
    checkCache_[cacheKey] = {version, answer};
  }
  queueView(who, answer->answer.subject, "check", action);
  return answer;
}

core::Result<CheckAnswer> CreditService::answerCheck(const std::string& text, const std::string& action) {
  CheckAnswer a;
  a.action = action;
  std::string key;
  // About 3 % of resident ID numbers also pass the credit-code check: a known entity wins, then a valid ID number.
  bool asEntity = text.size() == 18 && registry::checkCreditCode("entity", text);
  bool asPerson = static_cast<bool>(registry::checkResidentId("entity", text));
  if (asEntity && (!asPerson || graph_.contains(text))) {
    key = text;
    a.subject = text;
  } else if (asPerson) {
    if (!personIndex_) return Error{core::ErrorCode::Unavailable, "person checks need the personal-data keys", {}};
    auto index = personIndex_(registry::normaliseResidentId(text));
    if (!index) return Error{core::ErrorCode::Unavailable, "person checks need the personal-data keys", {}};
    key = "P:" + *index;
    a.subject = registry::maskResidentId(text);
  } else {
    return Error::invalid("entity", "entity must be a unified social credit code (18 characters) or a resident ID number");
  }
  a.known = graph_.contains(key);
  a.name = graph_.name(key);
  if (a.name && key.rfind("P:", 0) == 0) a.name = detail::maskName(*a.name);
  bool restricted = false, rewarded = false;
  for (auto& m : graph_.derive(key)) {
    if (!action.empty() && m.measure.action != action) continue;
    (m.measure.effect == "restrict" ? restricted : rewarded) = true;
    if (key.rfind("P:", 0) == 0) {
      for (auto& step : m.path) {
        if (step.kind == "person") step.label = detail::maskName(step.label), step.key = a.subject;
      }
    }
    a.measures.push_back(std::move(m));
  }
  a.decision = restricted ? "restricted" : rewarded ? "rewarded" : "allowed";
  return a;
}

core::Result<Neighbourhood> CreditService::graph(const http::Principal& who, const std::string& subject, int depth) {
  if (!isStaff(who)) return Error::denied("the credit graph is for department staff and the bureau");
  if (depth < 1 || depth > 4) return Error::invalid("depth", "depth must be 1 to 4");
  std::string key(core::trim(subject));
  if (!graph_.contains(key)) return Error::notFound("no entity " + key + " in the credit graph");
  auto n = graph_.neighbourhood(key, depth);
  for (auto& node : n.nodes) {
    if (node.kind == "person") node.label = detail::maskName(node.label);
  }
  auto lease = pool_.acquire();
  logView(*lease, who, key, "graph", std::to_string(depth));
  return n;
}

// ----- reports -----------------------------------------------------------------------------------------------

core::Result<GeneratedReport> CreditService::report(const audit::Actor& actor, const http::Principal& who,
                                                    const std::string& code) {
  auto v = entity(who, code, "report");
  if (!v) return v.error();
  core::Day today = core::shanghaiDay(clock_.now());
  ReportData d;
  d.number = "CR" + core::formatDay(today).substr(0, 4) + core::formatDay(today).substr(5, 2) +
             core::formatDay(today).substr(8, 2) + "-" + core::randomCode(random_, 10);
  auto shanghai = clock_.now() + std::chrono::hours(8);
  d.generatedAt = core::formatSqlDateTime(shanghai).substr(0, 16) + "（北京时间）";
  d.generatedBy = who.displayName + "（" + who.username + "）";
  d.entityName = v->name;
  d.entityCode = v->code;
  d.region = v->regionCode.value_or("");
  d.kind = v->sector ? (*v->sector == "elderly" ? "养老机构" : "托育机构") : "企业";
  d.grade = v->score.grade;
  d.gradeLabel = v->score.gradeLabel;
  d.score = v->score.total;
  d.scorecard = v->score.scorecardId + " " + v->score.scorecardVersion;
  ReportSection records{"信用记录（公示期内）", {"决定日期", "类型", "严重程度", "部门", "文号", "公示至"}, {}, "无"};
  for (const auto& r : v->records) {
    records.rows.push_back({r.decidedOn, r.kindName, r.positive ? "守信" : r.severity == "serious" ? "严重"
                                                                     : r.severity == "general" ? "一般" : "轻微",
                            r.departmentName, r.documentNo.value_or(""), r.publishUntil});
  }
  ReportSection lists{"名单", {"名单", "列入部门", "事由", "状态", "列入日期", "期满"}, {}, "未列入任何名单"};
  for (const auto& e : v->lists) {
    lists.rows.push_back({e.listName, e.departmentName, e.groundName, e.state == "listed" ? "已列入" : "拟列入（告知中）",
                          e.listedOn.value_or(""), e.endsOn.value_or("")});
  }
  ReportSection measures{"联合奖惩措施", {"措施", "实施部门", "依据备忘录", "名单", "适用对象"}, {}, "无"};
  for (const auto& m : v->measures) {
    std::string dept = m.path.empty() ? m.measure.department : m.path.back().label;
    measures.rows.push_back({m.measure.name, dept, m.memorandumNumber, m.list, m.via.empty() ? "本机构" : m.via});
  }
  ReportSection score{"评分说明", {"记录", "评分项", "分值", "计入"}, {}, "无加减分记录"};
  for (const auto& l : v->score.lines) {
    score.rows.push_back({l.title, l.itemLabel, std::to_string(l.fullPoints), std::to_string(l.countedPoints)});
  }
  for (const auto& note : v->score.listNotes) score.rows.push_back({note, "", "", ""});
  d.sections = {records, lists, measures, score};
  d.verifyHint = "核验方式：公众门户「信用报告核验」输入报告编号 " + d.number + "，比对本文件的 SHA-256 摘要。";
  auto pdf = renderReport(d);
  if (!pdf) return pdf.error();
  GeneratedReport out;
  out.pdf = std::move(*pdf);
  out.info = {d.number, v->code, v->name, v->score.grade, v->score.total, core::sha256Hex(out.pdf),
              static_cast<std::int64_t>(out.pdf.size()), core::sqlToIsoUtc(core::formatSqlDateTime(clock_.now()))};
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  c.execute("INSERT INTO credit_reports (number, entity_code, entity_name, grade, score, sha256, size_bytes,"
            " generated_by, generated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            d.number, v->code, v->name, v->score.grade, v->score.total, out.info.sha256, out.info.sizeBytes,
            who.userId, core::formatSqlDateTime(clock_.now()));
  audit_.append(c, actor, {"credit.report", "credit_report", d.number,
                           http::jsonText({{"entity", v->code}, {"sha256", out.info.sha256}})});
  tx.commit();
  return out;
}

core::Result<ReportInfo> CreditService::publicReport(const std::string& number) {
  auto lease = pool_.acquire();
  auto rows = lease->query("SELECT number, entity_code, entity_name, grade, score, sha256, size_bytes, generated_at"
                           " FROM credit_reports WHERE number = ?",
                           std::string(core::trim(number)));
  if (rows.empty()) return Error::notFound("no credit report numbered " + number);
  const auto& r = rows[0];
  return ReportInfo{r.str("number"), r.str("entity_code"), r.str("entity_name"), r.str("grade"),
                    static_cast<int>(r.i64("score")), r.str("sha256"), r.i64("size_bytes"),
                    core::sqlToIsoUtc(r.str("generated_at"))};
}

std::pair<std::vector<PublicEntry>, std::int64_t> CreditService::publicList(const std::string& listKind,
                                                                           std::int64_t offset, std::int64_t limit) {
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  auto total = c.query("SELECT COUNT(*) AS n FROM credit_list_entries WHERE list_kind = ? AND state = 'listed'",
                       listKind)[0]
                   .i64("n");
  std::vector<PublicEntry> out;
  for (const auto& r : c.query("SELECT l.id, l.list_kind, e.name, e.kind, l.entity_code, d.name AS department_name,"
                               " l.ground, l.basis, l.listed_on, l.ends_on FROM credit_list_entries l"
                               " JOIN credit_entities e ON e.code = l.entity_code JOIN departments d ON"
                               " d.code = l.department_code WHERE l.list_kind = ? AND l.state = 'listed'"
                               " ORDER BY l.listed_on DESC, l.id DESC LIMIT ? OFFSET ?",
                               listKind, limit, offset)) {
    PublicEntry p;
    p.id = r.i64("id");
    p.listKind = r.str("list_kind");
    std::string name = r.str("name");
    // A sole trader's name is a person's name: mask short company names.
    std::size_t chars = 0;
    for (unsigned char ch : name) chars += (ch & 0xC0) != 0x80;
    p.entityName = r.str("kind") == "company" && chars <= 4 ? detail::maskName(name) : name;
    p.entityCode = r.str("entity_code");
    p.departmentName = r.str("department_name");
    const Ground* g = blacklistGround(r.str("ground"));
    p.groundName = g ? g->name : (p.listKind == "redlist" ? "守信激励" : r.str("ground"));
    p.basis = r.str("basis");
    p.listedOn = r.optStr("listed_on").value_or("");
    p.endsOn = r.optStr("ends_on");
    out.push_back(std::move(p));
  }
  return {std::move(out), total};
}

// ----- background work ---------------------------------------------------------------------------------------

FollowReport CreditService::drainEvents(std::chrono::milliseconds budget, std::optional<int> settleSeconds) {
  FollowReport total;
  auto until = std::chrono::steady_clock::now() + budget;
  for (;;) {
    auto batch = followEvents(settleSeconds);
    total.events += batch.events;
    total.records += batch.records;
    total.proposals += batch.proposals;
    if (batch.events < kEventBatch || std::chrono::steady_clock::now() >= until) return total;
  }
}

FollowReport CreditService::followEvents(std::optional<int> settleSeconds) {
  FollowReport report;
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  std::int64_t cursor = db::lockCursor(c, kConsumer);
  auto settled = core::formatSqlDateTime(clock_.now() - std::chrono::seconds(settleSeconds.value_or(config_.eventSettleSeconds)));
  std::string now = core::formatSqlDateTime(clock_.now());
  core::Day today = core::shanghaiDay(clock_.now());
  auto events = db::readEvents(c, cursor, kTopics, settled, kEventBatch);
  std::set<std::string> touched;
  std::set<std::int64_t> relationsChanged;
  audit::Actor system = audit::Actor::system("信用：事件", "");
  for (const auto& e : events) {
    ++report.events;
    cursor = e.id;
    if (!e.institutionId) continue;
    auto payload = parse(e.payload);
    if (!payload) continue;  // a payload this consumer cannot read creates nothing
    if (e.topic == "registry.relations") {
      relationsChanged.insert(*e.institutionId);
      repo::logChange(c, "relations", std::to_string(*e.institutionId), now);
      continue;
    }
    if (e.topic == "hazard.reported" &&
        (payload->optValue<std::string>("severity", "") != "major" ||
         payload->optValue<std::string>("source", "") == "self_check")) {
      continue;  // only a major hazard found by inspection or a verified complaint; self-checks are not held against
    }
    auto entity = repo::ensureInstitution(c, *e.institutionId, now);
    if (!entity) continue;
    repo::findEntity(c, entity->code, true);
    std::optional<std::string> department =
        entity->sector ? repo::departmentOfSector(c, *entity->sector) : std::nullopt;
    RecordInput r;
    r.entityCode = entity->code;
    r.decidedOn = e.createdAt.empty() ? core::formatDay(today)
                                      : core::formatDay(core::shanghaiDay(*core::parseSqlDateTime(e.createdAt)));
    bool listable = false;
    if (e.topic == "hazard.reported" || e.topic == "hazard.overdue" || e.topic == "hazard.verified") {
      auto h = c.query("SELECT h.reference, h.title, h.department_code, c.legal_basis FROM hazards h"
                       " JOIN hazard_catalogue c ON c.code = h.catalogue_code WHERE h.id = ?",
                       e.aggregateId);
      if (h.empty()) continue;
      r.documentNo = h[0].str("reference");
      r.legalBasis = h[0].str("legal_basis");
      if (e.topic == "hazard.reported") {
        r.kind = "hazard_major";
        r.severity = "serious";
        r.title = "检查发现重大隐患（" + payload->optValue<std::string>("catalogue_code", "") + "）";
        r.facts = std::string(payload->optValue<std::string>("source", "") == "complaint" ? "投诉核实" : "监督检查") +
                  "发现重大隐患「" + h[0].str("title") + "」。";
        r.publishMonths = 12;
      } else if (e.topic == "hazard.overdue") {
        bool major = payload->optValue<std::string>("severity", "") == "major";
        r.kind = "hazard_overdue";
        r.severity = major ? "serious" : "general";
        r.title = std::string(major ? "重大隐患逾期未整改" : "隐患逾期未整改") + "（" +
                  payload->optValue<std::string>("catalogue_code", "") + "）";
        r.facts = "隐患「" + h[0].str("title") + "」整改期限 " + payload->optValue<std::string>("deadline", "") +
                  "，逾期未整改。";
        listable = payload->optValue<bool>("blacklist_ground", false);
      } else {
        if (!payload->optValue<bool>("on_time", false)) continue;
        r.kind = "hazard_verified_on_time";
        r.severity = "minor";
        r.title = "隐患按期整改并经复核";
        r.facts = "隐患「" + h[0].str("title") + "」在期限 " + payload->optValue<std::string>("deadline", "") +
                  " 前整改，经第二人复核通过。";
        r.publishMonths = 12;
      }
    } else if (e.topic == "rating.published" || e.topic == "rating.downgraded") {
      auto g = c.query("SELECT g.reference, s.code AS scheme_code, g.department_code FROM ratings g"
                       " JOIN rating_schemes s ON s.id = g.scheme_id WHERE g.id = ?",
                       e.aggregateId);
      if (g.empty()) continue;
      r.documentNo = g[0].str("reference");
      r.legalBasis = g[0].str("scheme_code") == "GBT37276" ? "GB/T 37276-2018《养老机构等级划分与评定》"
                                                            : "WS/T 821-2023《托育机构质量评估标准》";
      department = g[0].str("department_code");
      if (e.topic == "rating.published") {
        int rank = payload->optValue<int>("level_rank", 0);
        int levels = payload->optValue<int>("levels", 5);
        r.kind = rank == 0 || rank == 1 ? "rating_low" : rank >= levels - 1 ? "rating_high" : "rating_mid";
        if (rank == 1 && levels > 4) r.kind = "rating_mid";  // 一级 is a level, only "no level" / D is low
        r.severity = "general";
        std::string level = payload->optValue<std::string>("level", "");
        static const char* kNumerals[] = {"一", "二", "三", "四", "五"};
        if (level.size() == 2 && level[0] == 'L' && level[1] >= '1' && level[1] <= '5') {
          level = std::string(kNumerals[level[1] - '1']) + "级";
        } else if (!level.empty()) {
          level += " 级";
        }
        r.title = "等级评定：" + (level.empty() ? std::string("未达等级") : level);
        r.facts = "等级评定结果公布（" + g[0].str("scheme_code") + "），有效期至 " +
                  payload->optValue<std::string>("valid_until", "") + "。";
        if (auto until = core::parseDay(payload->optValue<std::string>("valid_until", ""))) {
          int months = monthsBetween(*core::parseDay(r.decidedOn), *until);
          r.publishMonths = r.kind == "rating_low" ? std::clamp(months, 3, 12) : months;
        }
      } else {
        r.kind = "rating_downgraded";
        r.severity = "general";
        r.title = "评定等级下调";
        r.facts = "等级评定复核后下调：" + payload->optValue<std::string>("reason", "") ;
      }
    } else if (e.topic == "inspection.published") {
      std::string code = payload->optValue<std::string>("result_code", "");
      department = payload->optValue<std::string>("department_code", department.value_or(""));
      r.documentNo = "抽查结果 #" + std::to_string(e.aggregateId);
      r.legalBasis = "国发〔2019〕5号；" + payload->optValue<std::string>("task_name", "双随机抽查");
      if (code == "1") {
        r.kind = "inspection_clean", r.severity = "minor", r.publishMonths = 12;
        r.title = "双随机抽查未发现问题";
      } else if (code == "A") {
        r.kind = "inspection_problem", r.severity = "general", r.title = "双随机抽查发现问题";
      } else if (code == "8") {
        r.kind = "inspection_problem", r.severity = "serious", r.title = "不配合检查情节严重";
      } else if (code == "E") {
        r.kind = "inspection_problem", r.severity = "minor", r.title = "发现问题经责令已改正";
      } else {
        continue;
      }
      r.facts = r.title + "（结果代码 " + code + "，检查日期 " + payload->optValue<std::string>("inspected_on", "") + "）";
    } else {
      continue;
    }
    if (!department || department->empty()) continue;
    auto id = insertRecord(c, entity->code, *department, r, "event", "ev:" + std::to_string(e.id), std::nullopt, now);
    if (!id) continue;  // already recorded (a second guard behind the cursor)
    ++report.records;
    if (listable) {
      std::string key = repo::openKey("blacklist", *department, entity->code);
      if (c.query("SELECT id FROM credit_list_entries WHERE open_key = ?", key).empty()) {
        const Ground* g = blacklistGround("fire_hazard");
        auto notice = serveNotice(*department, today);
        c.execute("INSERT INTO credit_list_entries (list_kind, department_code, entity_code, ground, basis, facts,"
                  " record_id, state, open_key, notice_no, noticed_at, objection_until, source, source_ref, created_at,"
                  " updated_at) VALUES ('blacklist', ?, ?, 'fire_hazard', ?, ?, ?, 'proposed', ?, ?, ?, ?, 'event', ?,"
                  " ?, ?)",
                  *department, entity->code, g->basis, r.facts, *id, key, notice.number, now, notice.objectionUntil,
                  "ev:" + std::to_string(e.id), now, now);
        audit_.append(c, system, {"credit.list.propose", "credit_list_entry", std::to_string(c.lastInsertId()),
                                  http::jsonText({{"list", "blacklist"}, {"entity", entity->code},
                                                {"ground", "fire_hazard"}, {"event", e.id}})});
        ++report.proposals;
      }
    }
    rescore(c, entity->code, r.title, now);
    touched.insert(entity->code);
  }
  if (!events.empty()) db::advanceCursor(c, kConsumer, cursor, now);
  tx.commit();
  for (const auto& code : touched) refreshEntity(c, code);
  for (auto id : relationsChanged) refreshRelations(c, id);
  return report;
}

int CreditService::followChanges() {
  flushViews();
  std::lock_guard lock(followMutex_);
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  auto rows = c.query("SELECT id, kind, ref FROM credit_changes WHERE id > ? ORDER BY id LIMIT 2000", changesLow_);
  int applied = 0;
  std::int64_t maxSeen = changesLow_;
  for (const auto& r : rows) {
    std::int64_t id = r.i64("id");
    maxSeen = std::max(maxSeen, id);
    if (changesSeen_.count(id)) continue;
    std::string kind = r.str("kind"), ref = r.str("ref");
    if (kind == "entity") refreshEntity(c, ref);
    else if (kind == "memorandum") refreshMemorandum(c, std::stoll(ref));
    else if (kind == "relations") refreshRelations(c, std::stoll(ref));
    changesSeen_.insert(id);
    ++applied;
  }
  // Ids below the highest seen that are missing belong to transactions still open (or rolled back): wait for
  // them for a while, then give up on them.
  auto now = std::chrono::steady_clock::now();
  for (std::int64_t id = changesLow_ + 1; id < maxSeen; ++id) {
    if (!changesSeen_.count(id) && !changesGaps_.count(id)) changesGaps_[id] = now;
  }
  for (;;) {
    std::int64_t next = changesLow_ + 1;
    if (changesSeen_.erase(next)) {
      changesLow_ = next;
      continue;
    }
    auto gap = changesGaps_.find(next);
    if (gap != changesGaps_.end() && now - gap->second > std::chrono::seconds(30)) {
      changesGaps_.erase(gap);
      changesLow_ = next;
      continue;
    }
    break;
  }
  for (auto it = changesGaps_.begin(); it != changesGaps_.end() && it->first <= changesLow_;) it = changesGaps_.erase(it);
  return applied;
}

DailyReport CreditService::daily() {
  DailyReport report;
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  core::Day today = core::shanghaiDay(clock_.now());
  std::string day = core::formatDay(today);
  // First (nothing below can keep it from running): related parties whose relation ended yesterday or starts today;
  // every process's graph reloads them through the change log, as when the registry changes them. The job runs
  // hourly, so a day's turn is logged up to 24 times; reloading is idempotent.
  std::string yesterday = core::formatDay(today - std::chrono::days(1));
  auto turning = c.query("SELECT DISTINCT institution_id FROM institution_relations WHERE valid_to = ? OR valid_from = ?",
                         yesterday, day);
  if (!turning.empty()) {
    db::Transaction tx(c);
    std::string now = core::formatSqlDateTime(clock_.now());
    for (const auto& r : turning) repo::logChange(c, "relations", std::to_string(r.i64("institution_id")), now);
    tx.commit();
    report.relationsChanged = static_cast<int>(turning.size());
  }
  std::set<std::string> codes;
  for (const auto& r : c.query("SELECT DISTINCT entity_code FROM credit_records WHERE state = 'active' AND"
                               " publish_until <= ? LIMIT 5000",
                               day)) {
    codes.insert(r.str("entity_code"));
  }
  std::vector<std::int64_t> entries;
  for (const auto& r : c.query("SELECT id FROM credit_list_entries WHERE state = 'listed' AND ends_on <= ? LIMIT 5000",
                               day)) {
    entries.push_back(r.i64("id"));
  }
  audit::Actor system = audit::Actor::system("信用：到期", "");
  for (const auto& code : codes) {
    db::Transaction tx(c);
    std::string now = core::formatSqlDateTime(clock_.now());
    repo::findEntity(c, code, true);
    report.recordsExpired += static_cast<int>(
        c.execute("UPDATE credit_records SET state = 'expired', ended_on = publish_until, end_reason = 'window'"
                  " WHERE entity_code = ? AND state = 'active' AND publish_until <= ?",
                  code, day));
    rescore(c, code, "信用记录公示期满", now);
    tx.commit();
    ++report.rescored;
  }
  for (auto id : entries) {
    db::Transaction tx(c);
    std::string now = core::formatSqlDateTime(clock_.now());
    auto head = c.query("SELECT entity_code FROM credit_list_entries WHERE id = ?", id);
    repo::findEntity(c, head[0].str("entity_code"), true);
    auto e = repo::loadEntry(c, id, today, true);
    if (e->state != "listed") continue;
    closeEntry(c, *e, "expired", "period_end", "", std::nullopt, now);
    rescore(c, e->entityCode, e->listName + "期满自动移出", now);
    audit_.append(c, system, {"credit.list.expire", "credit_list_entry", std::to_string(id), "{}"});
    tx.commit();
    refreshEntity(c, e->entityCode);
    ++report.entriesEnded;
  }
  // Decay: scores computed before today with records in their windows; and every score of an earlier scorecard
  // version (an entity without records too: the base, bands or list effects may have changed).
  // Only the process whose scorecard is the active one rescores for a version: during a rolling upgrade the others
  // would rewrite the scores back and forth.
  auto card = scorecard();
  std::map<std::string, std::string> stale;  // entity -> reason (an entity due for both is rescored once)
  for (const auto& r : c.query("SELECT DISTINCT s.entity_code FROM credit_scores s JOIN credit_records r ON"
                               " r.entity_code = s.entity_code AND r.state = 'active' WHERE s.computed_on < ? LIMIT 5000",
                               day)) {
    stale.emplace(r.str("entity_code"), "按日衰减重算");
  }
  if (card && !c.query("SELECT 1 AS x FROM credit_scorecards WHERE id = ? AND version = ? AND active = 1",
                       card->id, card->version)
                   .empty()) {
    for (const auto& r : c.query("SELECT entity_code FROM credit_scores WHERE scorecard_id <> ? OR scorecard_version <> ?"
                                 " LIMIT 5000",
                                 card->id, card->version)) {
      stale.emplace(r.str("entity_code"), "评分卡更新为 " + card->version + " 版");
    }
  }
  for (const auto& [code, reason] : stale) {
    db::Transaction tx(c);
    repo::findEntity(c, code, true);
    rescore(c, code, reason, core::formatSqlDateTime(clock_.now()));
    tx.commit();
    ++report.rescored;
  }
  return report;
}

void CreditService::rebuildGraph() {
  std::lock_guard lock(followMutex_);
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  // Changes newer than this are applied again by followChanges() (applying is idempotent).
  auto settled = core::formatSqlDateTime(clock_.now() - std::chrono::seconds(30));
  auto low = c.query("SELECT COALESCE(MAX(id), 0) AS id FROM credit_changes WHERE created_at < ?", settled);
  changesLow_ = low[0].i64("id");
  changesSeen_.clear();
  changesGaps_.clear();
  graph_.clear();
  auto counts = c.query("SELECT (SELECT COUNT(*) FROM institutions) AS i, (SELECT COUNT(*) FROM institution_relations) AS r");
  graph_.reserve(static_cast<std::size_t>(counts[0].i64("i")), static_cast<std::size_t>(counts[0].i64("r")),
                 static_cast<std::size_t>(counts[0].i64("r")));
  for (const auto& r : c.query("SELECT code, name FROM departments")) graph_.upsertDepartment(r.str("code"), r.str("name"));
  for (const auto& r : c.query("SELECT credit_code, name FROM institutions")) graph_.upsertEntity(r.str("credit_code"), r.str("name"));
  for (const auto& r : c.query("SELECT code, name FROM credit_entities WHERE kind = 'company'")) {
    graph_.upsertEntity(r.str("code"), r.str("name"));
  }
  for (const auto& m : repo::loadMemoranda(c, true)) graph_.upsertMemorandum(m);
  std::string today = core::formatDay(core::shanghaiDay(clock_.now()));
  // Rows come grouped by institution; they go to the graph in batches (one write each, lookups overlapped) so that a
  // batch holds the write lock briefly.
  constexpr std::size_t kRelationBatch = 4096;
  std::vector<EntityRelations> batch;
  for (const auto& r : c.query(
           "SELECT i.credit_code, x.relation, x.party_name, x.party_credit_code, x.party_id_index,"
           " ri.credit_code AS related_code FROM institution_relations x JOIN institutions i ON i.id = x.institution_id"
           " LEFT JOIN institutions ri ON ri.id = x.related_institution_id"
           " WHERE x.valid_from <= ? AND (x.valid_to IS NULL OR x.valid_to >= ?) ORDER BY x.institution_id, x.id",
           today, today)) {
    auto key = repo::partyKey(r);
    if (!key) continue;
    std::string code = r.str("credit_code");
    if (batch.empty() || batch.back().entity != code) {
      if (batch.size() >= kRelationBatch) {
        graph_.setRelations(batch);
        batch.clear();
      }
      batch.push_back({std::move(code), {}});
    }
    batch.back().relations.push_back({r.str("relation"), *key, r.str("party_name")});
  }
  graph_.setRelations(batch);
  std::map<std::string, std::vector<Membership>> lists;
  for (const auto& r : c.query("SELECT id, list_kind, department_code, entity_code, listed_on, ground FROM"
                               " credit_list_entries WHERE state = 'listed' ORDER BY id")) {
    lists[r.str("entity_code")].push_back({listKey(r.str("department_code"), r.str("list_kind")), r.i64("id"),
                                           r.str("listed_on"), r.str("ground")});
  }
  for (const auto& [code, list] : lists) graph_.setMemberships(code, list);
  graphReady_ = true;
}

}  // namespace cw::credit
