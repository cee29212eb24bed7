#include <Poco/JSON/Array.h>

#include "cw/audit/audit_log.hpp"
#include "cw/core/validation.hpp"
#include "cw/credit/routes.hpp"
#include "cw/http/json.hpp"
#include "render.hpp"

namespace cw::credit {

namespace {

using core::Error;
using http::Access;
using http::Request;
using http::Response;
using Poco::JSON::Array;
using Poco::JSON::Object;
using Reply = core::Result<Response>;
using Var = Poco::Dynamic::Var;
using detail::derivedJson;
using detail::measureJson;

Var opt(const std::optional<std::string>& v) { return v ? Var(*v) : Var(); }
Var optId(const std::optional<std::int64_t>& v) { return v ? Var(*v) : Var(); }

Object::Ptr recordJson(const Record& r) {
  Object::Ptr o = new Object;
  o->set("id", r.id);
  o->set("entity_code", r.entityCode);
  o->set("entity_name", r.entityName);
  o->set("department_code", r.departmentCode);
  o->set("department_name", r.departmentName);
  o->set("kind", r.kind);
  o->set("kind_name", r.kindName);
  o->set("polarity", r.positive ? "positive" : "negative");
  o->set("severity", r.severity);
  o->set("severe_penalty", r.severePenalty);
  o->set("title", r.title);
  o->set("legal_basis", r.legalBasis);
  o->set("document_no", opt(r.documentNo));
  o->set("facts", r.facts);
  o->set("decided_on", r.decidedOn);
  o->set("min_until", r.minUntil);
  o->set("publish_until", r.publishUntil);
  o->set("state", r.state);
  o->set("ended_on", opt(r.endedOn));
  o->set("end_reason", opt(r.endReason));
  o->set("source", r.source);
  o->set("created_at", r.createdAt);
  o->set("in_window", r.inWindow);
  o->set("repairable", r.repairable);
  o->set("repairable_from", opt(r.repairableFrom));
  return o;
}

Object::Ptr summaryJson(const TaskSummary& s) {
  Object::Ptr o = new Object;
  o->set("total", s.total);
  o->set("done", s.done);
  o->set("overdue", s.overdue);
  return o;
}

Object::Ptr entryJson(const ListEntry& e) {
  Object::Ptr o = new Object;
  o->set("id", e.id);
  o->set("list", e.listKind);
  o->set("list_name", e.listName);
  o->set("department_code", e.departmentCode);
  o->set("department_name", e.departmentName);
  o->set("entity_code", e.entityCode);
  o->set("entity_name", e.entityName);
  o->set("institution_id", optId(e.institutionId));
  o->set("ground", e.ground);
  o->set("ground_name", e.groundName);
  o->set("basis", e.basis);
  o->set("facts", e.facts);
  o->set("record_id", optId(e.recordId));
  o->set("state", e.state);
  o->set("notice_no", opt(e.noticeNo));
  o->set("noticed_at", opt(e.noticedAt));
  o->set("objection_until", opt(e.objectionUntil));
  o->set("objection_open", e.objectionOpen);
  o->set("objection", opt(e.objection));
  o->set("objection_at", opt(e.objectionAt));
  o->set("decision", opt(e.decision));
  o->set("decision_reason", opt(e.decisionReason));
  o->set("decided_at", opt(e.decidedAt));
  o->set("listed_on", opt(e.listedOn));
  o->set("removable_from", opt(e.removableFrom));
  o->set("ends_on", opt(e.endsOn));
  o->set("removed_at", opt(e.removedAt));
  o->set("removal_reason", opt(e.removalReason));
  o->set("removal_note", opt(e.removalNote));
  o->set("source", e.source);
  o->set("created_at", e.createdAt);
  o->set("proposed_by", optId(e.proposedBy));
  o->set("apply_tasks", summaryJson(e.apply));
  o->set("lift_tasks", summaryJson(e.lift));
  o->set("decide_blocked_by", e.decideBlockedBy.empty() ? Var() : Var(e.decideBlockedBy));
  return o;
}

Object::Ptr taskJson(const Task& t) {
  Object::Ptr o = new Object;
  o->set("id", t.id);
  o->set("entry_id", t.entryId);
  o->set("list", t.listKind);
  o->set("entity_code", t.entityCode);
  o->set("entity_name", t.entityName);
  o->set("initiator_department", t.initiatorDepartment);
  o->set("department_code", t.departmentCode);
  o->set("department_name", t.departmentName);
  o->set("kind", t.kind);
  Array::Ptr measures = new Array;
  for (const auto& m : t.measures) measures->add(measureJson(m));
  o->set("measures", measures);
  o->set("state", t.state);
  o->set("due_on", t.dueOn);
  o->set("overdue", t.overdue);
  o->set("response_reason", opt(t.responseReason));
  o->set("responded_at", opt(t.respondedAt));
  o->set("feedback", opt(t.feedback));
  o->set("fed_back_at", opt(t.fedBackAt));
  o->set("created_at", t.createdAt);
  return o;
}

Object::Ptr memorandumJson(const Memorandum& m) {
  Object::Ptr o = new Object;
  o->set("id", m.spec.id);
  o->set("number", m.spec.number);
  o->set("title", m.spec.title);
  o->set("initiator", m.spec.initiator);
  o->set("basis", m.spec.basis);
  o->set("signed_on", m.signedOn);
  o->set("active", m.active);
  o->set("created_at", m.createdAt);
  Array::Ptr lists = new Array;
  for (const auto& l : m.spec.lists) lists->add(l);
  o->set("lists", lists);
  Array::Ptr measures = new Array;
  for (const auto& x : m.spec.measures) measures->add(measureJson(x));
  o->set("measures", measures);
  return o;
}

Object::Ptr repairJson(const Repair& r) {
  Object::Ptr o = new Object;
  o->set("id", r.id);
  o->set("entity_code", r.entityCode);
  o->set("entity_name", r.entityName);
  o->set("record_id", r.recordId);
  o->set("record_title", r.recordTitle);
  o->set("record_department", r.recordDepartment);
  o->set("list_entry_id", optId(r.listEntryId));
  o->set("rectification", r.rectification);
  o->set("pledge", r.pledge);
  o->set("evidence", opt(r.evidence));
  o->set("state", r.state);
  o->set("applied_at", r.appliedAt);
  o->set("decided_at", opt(r.decidedAt));
  o->set("decision_reason", opt(r.decisionReason));
  return o;
}

Object::Ptr scoreJson(const Score& s) {
  Object::Ptr o = new Object;
  o->set("scorecard", s.scorecardId);
  o->set("scorecard_version", s.scorecardVersion);
  o->set("base", s.base);
  o->set("total", s.total);
  o->set("band_grade", s.bandGrade);
  o->set("grade", s.grade);
  o->set("grade_label", s.gradeLabel);
  o->set("draw_tier", s.drawTier);
  Array::Ptr lines = new Array;
  for (const auto& l : s.lines) {
    Object::Ptr x = new Object;
    x->set("record_id", l.recordId);
    x->set("kind", l.kind);
    x->set("severity", l.severity);
    x->set("title", l.title);
    x->set("item", l.itemLabel);
    x->set("full_points", l.fullPoints);
    x->set("decayed_points", l.decayedPoints);
    x->set("counted_points", l.countedPoints);
    x->set("days_left", l.daysLeft);
    x->set("note", l.note.empty() ? Var() : Var(l.note));
    lines->add(x);
  }
  o->set("lines", lines);
  Array::Ptr notes = new Array;
  for (const auto& n : s.listNotes) notes->add(n);
  o->set("list_notes", notes);
  o->set("next_change", s.nextChange ? Var(core::formatDay(*s.nextChange)) : Var());
  return o;
}

Object::Ptr entityJson(const EntityView& v, bool explain) {
  Object::Ptr o = new Object;
  o->set("code", v.code);
  o->set("name", v.name);
  o->set("kind", v.kind);
  o->set("institution_id", optId(v.institutionId));
  o->set("region_code", opt(v.regionCode));
  o->set("sector", opt(v.sector));
  Object::Ptr score = scoreJson(v.score);
  if (!explain) score->remove("lines");
  o->set("score", score);
  Array::Ptr records = new Array;
  for (const auto& r : v.records) records->add(recordJson(r));
  o->set("records", records);
  Array::Ptr lists = new Array;
  for (const auto& e : v.lists) lists->add(entryJson(e));
  o->set("lists", lists);
  Array::Ptr measures = new Array;
  for (const auto& m : v.measures) measures->add(derivedJson(m));
  o->set("measures", measures);
  Array::Ptr related = new Array;
  for (const auto& r : v.related) {
    Object::Ptr x = new Object;
    x->set("relation", r.relation);
    bool person = r.key.rfind("P:", 0) == 0;
    x->set("key", person ? Var() : Var(r.key));  // a person's blind index is no business of the caller's
    x->set("kind", person ? "person" : "entity");
    x->set("name", r.name);
    x->set("direction", r.direction);
    related->add(x);
  }
  o->set("related", related);
  Array::Ptr history = new Array;
  for (const auto& h : v.history) {
    Object::Ptr x = new Object;
    x->set("grade", h.grade);
    x->set("previous_grade", opt(h.previousGrade));
    x->set("score", h.score);
    x->set("reason", h.reason);
    x->set("changed_at", h.changedAt);
    history->add(x);
  }
  o->set("grade_history", history);
  Array::Ptr activity = new Array;
  for (const auto& a : v.activity) {
    Object::Ptr x = new Object;
    x->set("kind", a.kind);
    x->set("id", a.id);
    x->set("date", a.date);
    x->set("title", a.title);
    x->set("state", a.state);
    activity->add(x);
  }
  o->set("activity", activity);
  return o;
}

core::Result<std::string> listParam(const Request& r) {
  std::string list = r.pathParams.at("list");
  if (std::find(kListKinds.begin(), kListKinds.end(), list) == kListKinds.end()) {
    return Error::notFound("no list " + list + " (blacklist, watchlist, redlist)");
  }
  return list;
}

Response pageJson(Array::Ptr items, std::int64_t total) {
  Object::Ptr o = new Object;
  o->set("items", items);
  o->set("total", total);
  return Response::json(o);
}

}  // namespace

void registerRoutes(http::Router& router, CreditService& credit) {
  const Access staff = Access::only({"admin", "officer", "bureau"});
  const Access staffOrInstitution = Access::only({"admin", "officer", "bureau", "institution"});

  router.add("GET", "/api/v1/credit/meta", Access::signedIn(), [&](Request&) -> Reply {
    Object::Ptr o = new Object;
    Array::Ptr kinds = new Array;
    for (const auto& k : recordKinds()) {
      Object::Ptr x = new Object;
      x->set("code", k.code);
      x->set("name", k.name);
      x->set("name_en", k.nameEn);
      x->set("positive", k.positive);
      x->set("department_may_enter", k.departmentMayEnter);
      kinds->add(x);
    }
    o->set("record_kinds", kinds);
    Array::Ptr grounds = new Array;
    for (const auto& g : blacklistGrounds()) {
      Object::Ptr x = new Object;
      x->set("code", g.code);
      x->set("name", g.name);
      x->set("basis", g.basis);
      grounds->add(x);
    }
    o->set("blacklist_grounds", grounds);
    Array::Ptr lists = new Array;
    for (const auto& l : kListKinds) {
      Object::Ptr x = new Object;
      x->set("code", l);
      x->set("name", listKindName(l));
      lists->add(x);
    }
    o->set("lists", lists);
    if (auto card = credit.scorecard()) {
      Object::Ptr c = new Object;
      c->set("id", card->id);
      c->set("version", card->version);
      c->set("title", card->title);
      c->set("base", card->base);
      Array::Ptr bands = new Array;
      for (const auto& b : card->bands) {
        Object::Ptr x = new Object;
        x->set("grade", b.grade);
        x->set("min", b.minScore);
        x->set("draw_tier", b.drawTier);
        x->set("label", b.label);
        bands->add(x);
      }
      c->set("bands", bands);
      Array::Ptr items = new Array;
      for (const auto& i : card->items) {
        Object::Ptr x = new Object;
        x->set("kind", i.kind);
        x->set("severity", i.severity);
        x->set("points", i.points);
        x->set("label", i.label);
        items->add(x);
      }
      c->set("items", items);
      o->set("scorecard", c);
    }
    return Response::json(o);
  });

  router.add("GET", "/api/v1/credit/search", staff, [&](Request& r) -> Reply {
    auto hits = credit.search(*r.principal, r.queryParam("q").value_or(""));
    if (!hits) return hits.error();
    Array::Ptr items = new Array;
    for (const auto& h : *hits) {
      Object::Ptr x = new Object;
      x->set("code", h.code);
      x->set("name", h.name);
      x->set("kind", h.kind);
      x->set("grade", opt(h.grade));
      x->set("score", h.score ? Var(*h.score) : Var());
      Array::Ptr lists = new Array;
      for (const auto& l : h.lists) lists->add(l);
      x->set("lists", lists);
      items->add(x);
    }
    Object::Ptr o = new Object;
    o->set("items", items);
    return Response::json(o);
  });

  router.add("GET", "/api/v1/credit/entities/{code}", staffOrInstitution, [&](Request& r) -> Reply {
    auto v = credit.entity(*r.principal, r.pathParams.at("code"), "detail");
    if (!v) return v.error();
    return Response::json(entityJson(*v, false));
  });

  router.add("GET", "/api/v1/credit/entities/{code}/explain", staffOrInstitution, [&](Request& r) -> Reply {
    auto v = credit.entity(*r.principal, r.pathParams.at("code"), "explain");
    if (!v) return v.error();
    return Response::json(entityJson(*v, true));
  });

  router.add("GET", "/api/v1/credit/entities/{code}/report.pdf", staffOrInstitution, [&](Request& r) -> Reply {
    auto report = credit.report(audit::Actor::of(r), *r.principal, r.pathParams.at("code"));
    if (!report) return report.error();
    Response resp = Response::text(std::move(report->pdf), "application/pdf");
    resp.headers.push_back({"Content-Disposition", "attachment; filename=\"credit-report-" + report->info.number + ".pdf\""});
    resp.headers.push_back({"X-Report-Number", report->info.number});
    resp.headers.push_back({"X-Report-SHA256", report->info.sha256});
    return resp;
  });

  // Answered from memory (the graph and the rendered-answer cache): also served by the check listener.
  router.addFromMemory("GET", "/api/v1/credit/check", staff, [&](Request& r) -> Reply {
    auto entity = r.queryParam("entity");
    if (!entity || entity->empty()) return Error::invalid("entity", "entity (a credit code or an ID number) is required");
    std::string action = r.queryParam("action").value_or("");
    if (action.size() > 32) return Error::invalid("action", "action is at most 32 characters");
    auto a = credit.check(*r.principal, *entity, action);
    if (!a) return a.error();
    Response resp;
    resp.sharedBody = std::shared_ptr<const std::string>(*a, &(*a)->json);  // shares the cached answer's text
    return resp;
  });

  router.add("GET", "/api/v1/credit/records", staffOrInstitution, [&](Request& r) -> Reply {
    auto p = http::pageParams(r);
    if (!p) return p.error();
    RecordFilter f;
    f.entity = r.queryParam("entity");
    f.department = r.queryParam("department");
    f.kind = r.queryParam("kind");
    f.state = r.queryParam("state");
    f.inWindowOnly = r.queryParam("in_window").value_or("") == "true";
    f.offset = p->offset();
    f.limit = p->pageSize;
    auto page = credit.records(*r.principal, f);
    if (!page) return page.error();
    Array::Ptr items = new Array;
    for (const auto& x : page->first) items->add(recordJson(x));
    return pageJson(items, page->second);
  });

  router.add("POST", "/api/v1/credit/records", Access::only({"admin", "officer"}), [&](Request& r) -> Reply {
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    RecordInput in;
    for (auto [field, target, max] : {std::tuple{"entity", &in.entityCode, 18}, {"kind", &in.kind, 32},
                                      {"severity", &in.severity, 8}, {"legal_basis", &in.legalBasis, 255},
                                      {"document_no", &in.documentNo, 64}, {"facts", &in.facts, 4000},
                                      {"decided_on", &in.decidedOn, 10}}) {
      auto v = http::requireString(*b, field, 1, static_cast<std::size_t>(max));
      if (!v) return v.error();
      *target = *v;
    }
    auto title = http::optionalString(*b, "title", 128);
    if (!title) return title.error();
    in.title = title->value_or("");
    auto name = http::optionalString(*b, "entity_name", 128);
    if (!name) return name.error();
    in.entityName = *name;
    auto months = http::optionalInt(*b, "publish_months");
    if (!months) return months.error();
    if (*months) in.publishMonths = static_cast<int>(**months);
    if ((*b)->has("severe_penalty")) {
      auto v = (*b)->get("severe_penalty");
      if (!v.isBoolean()) return Error::invalid("severe_penalty", "severe_penalty must be true or false");
      in.severePenalty = v.convert<bool>();
    }
    auto x = credit.addRecord(audit::Actor::of(r), *r.principal, in);
    if (!x) return x.error();
    return Response::json(recordJson(*x), 201);
  });

  router.add("POST", "/api/v1/credit/records/import", Access::only({"admin", "officer"}), [&](Request& r) -> Reply {
    auto n = credit.importCourtList(audit::Actor::of(r), *r.principal, r.body);
    if (!n) return n.error();
    Object::Ptr o = new Object;
    o->set("added", *n);
    return Response::json(o, 201);
  }, 2 * 1024 * 1024);

  router.add("GET", "/api/v1/credit/lists/{list}/entries", Access::signedIn(), [&](Request& r) -> Reply {
    auto list = listParam(r);
    if (!list) return list.error();
    auto p = http::pageParams(r);
    if (!p) return p.error();
    EntryFilter f;
    f.listKind = *list;
    f.state = r.queryParam("state");
    f.department = r.queryParam("department");
    f.entity = r.queryParam("entity");
    f.q = r.queryParam("q");
    f.offset = p->offset();
    f.limit = p->pageSize;
    auto page = credit.entries(*r.principal, f);
    if (!page) return page.error();
    Array::Ptr items = new Array;
    for (const auto& e : page->first) items->add(entryJson(e));
    return pageJson(items, page->second);
  });

  router.add("POST", "/api/v1/credit/lists/{list}/entries", Access::only({"officer"}), [&](Request& r) -> Reply {
    auto list = listParam(r);
    if (!list) return list.error();
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    ProposalInput in;
    auto entity = http::requireString(*b, "entity", 1, 18);
    if (!entity) return entity.error();
    in.entityCode = *entity;
    auto ground = http::requireString(*b, "ground", 1, 32);
    if (!ground) return ground.error();
    in.ground = *ground;
    auto facts = http::requireString(*b, "facts", 1, 4000);
    if (!facts) return facts.error();
    in.facts = *facts;
    auto basis = http::optionalString(*b, "basis", 255);
    if (!basis) return basis.error();
    in.basis = basis->value_or("");
    auto record = http::optionalInt(*b, "record_id");
    if (!record) return record.error();
    in.recordId = *record;
    auto e = credit.propose(audit::Actor::of(r), *r.principal, *list, in);
    if (!e) return e.error();
    return Response::json(entryJson(*e), 201);
  });

  router.add("GET", "/api/v1/credit/lists/{list}/entries/{id}", Access::signedIn(), [&](Request& r) -> Reply {
    auto list = listParam(r);
    if (!list) return list.error();
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto e = credit.entry(*r.principal, *id);
    if (!e || e->listKind != *list) return Error::notFound("list entry " + std::to_string(*id) + " does not exist");
    return Response::json(entryJson(*e));
  });

  router.add("POST", "/api/v1/credit/lists/{list}/entries/{id}/objection", Access::only({"institution"}),
             [&](Request& r) -> Reply {
               auto id = http::idParam(r);
               if (!id) return id.error();
               auto list = listParam(r);
               if (!list) return list.error();
               auto b = http::parseJsonObject(r.body);
               if (!b) return b.error();
               auto text = http::requireString(*b, "objection", 1, 4000);
               if (!text) return text.error();
               auto e = credit.object(audit::Actor::of(r), *r.principal, *list, *id, *text);
               if (!e) return e.error();
               return Response::json(entryJson(*e));
             });

  router.add("POST", "/api/v1/credit/lists/{list}/entries/{id}/decide", Access::only({"admin", "officer"}),
             [&](Request& r) -> Reply {
               auto id = http::idParam(r);
               if (!id) return id.error();
               auto list = listParam(r);
               if (!list) return list.error();
               auto b = http::parseJsonObject(r.body);
               if (!b) return b.error();
               auto decision = http::requireString(*b, "decision", 1, 16);
               if (!decision) return decision.error();
               auto reason = http::requireString(*b, "reason", 1, 2000);
               if (!reason) return reason.error();
               auto e = credit.decide(audit::Actor::of(r), *r.principal, *list, *id, *decision, *reason);
               if (!e) return e.error();
               return Response::json(entryJson(*e));
             });

  router.add("POST", "/api/v1/credit/lists/{list}/entries/{id}/remove", Access::only({"admin", "officer"}),
             [&](Request& r) -> Reply {
               auto id = http::idParam(r);
               if (!id) return id.error();
               auto list = listParam(r);
               if (!list) return list.error();
               auto b = http::parseJsonObject(r.body);
               if (!b) return b.error();
               auto reason = http::requireString(*b, "reason", 1, 32);
               if (!reason) return reason.error();
               auto note = http::optionalString(*b, "note", 2000);
               if (!note) return note.error();
               auto e = credit.remove(audit::Actor::of(r), *r.principal, *list, *id, *reason, note->value_or(""));
               if (!e) return e.error();
               return Response::json(entryJson(*e));
             });

  router.add("GET", "/api/v1/credit/memoranda", Access::only({"admin", "officer", "bureau", "inspector"}),
             [&](Request&) -> Reply {
               Array::Ptr items = new Array;
               for (const auto& m : credit.memoranda()) items->add(memorandumJson(m));
               Object::Ptr o = new Object;
               o->set("items", items);
               return Response::json(o);
             });

  router.add("POST", "/api/v1/credit/memoranda", Access::only({"admin", "officer"}), [&](Request& r) -> Reply {
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    Memorandum m;
    for (auto [field, target, max] : {std::tuple{"number", &m.spec.number, 64}, {"title", &m.spec.title, 255},
                                      {"initiator", &m.spec.initiator, 16}, {"basis", &m.spec.basis, 255},
                                      {"signed_on", &m.signedOn, 10}}) {
      auto v = http::requireString(*b, field, 1, static_cast<std::size_t>(max));
      if (!v) return v.error();
      *target = *v;
    }
    auto lists = (*b)->getArray("lists");
    if (!lists) return Error::invalid("lists", "lists must be an array of \"<department>:<list>\"");
    for (std::size_t i = 0; i < lists->size(); ++i) {
      auto v = lists->get(static_cast<unsigned>(i));
      if (!v.isString()) return Error::invalid("lists[" + std::to_string(i) + "]", "must be a string");
      m.spec.lists.push_back(v.convert<std::string>());
    }
    auto measures = (*b)->getArray("measures");
    if (!measures) return Error::invalid("measures", "measures must be an array of objects");
    for (std::size_t i = 0; i < measures->size(); ++i) {
      auto x = measures->getObject(static_cast<unsigned>(i));
      std::string field = "measures[" + std::to_string(i) + "]";
      if (!x) return Error::invalid(field, "must be an object");
      MeasureSpec s;
      for (auto [name, target] : {std::pair{"code", &s.code}, {"name", &s.name}, {"action", &s.action},
                                  {"effect", &s.effect}, {"department", &s.department}, {"basis", &s.basis}}) {
        auto v = http::requireString(x, name, 1, 255);
        if (!v) return Error::invalid(field + "." + name, v.error().message);
        *target = *v;
      }
      auto subject = http::optionalString(x, "subject", 32);
      if (!subject) return Error::invalid(field + ".subject", subject.error().message);
      s.subject = subject->value_or("entity");
      m.spec.measures.push_back(std::move(s));
    }
    auto created = credit.addMemorandum(audit::Actor::of(r), *r.principal, std::move(m));
    if (!created) return created.error();
    return Response::json(memorandumJson(*created), 201);
  });

  router.add("GET", "/api/v1/credit/feedback", staff, [&](Request& r) -> Reply {
    auto p = http::pageParams(r);
    if (!p) return p.error();
    TaskFilter f;
    f.department = r.queryParam("department");
    auto entry = http::queryInt(r, "entry", 1, INT64_MAX);
    if (!entry) return entry.error();
    f.entry = *entry;
    f.state = r.queryParam("state");
    f.overdueOnly = r.queryParam("overdue").value_or("") == "true";
    f.offset = p->offset();
    f.limit = p->pageSize;
    auto page = credit.tasks(*r.principal, f);
    if (!page) return page.error();
    Array::Ptr items = new Array;
    for (const auto& t : page->first) items->add(taskJson(t));
    return pageJson(items, page->second);
  });

  router.add("POST", "/api/v1/credit/feedback/{id}", Access::only({"admin", "officer"}), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    auto action = http::requireString(*b, "action", 1, 16);
    if (!action) return action.error();
    auto text = http::optionalString(*b, *action == "feedback" ? "feedback" : "reason", 4000);
    if (!text) return text.error();
    auto t = credit.respond(audit::Actor::of(r), *r.principal, *id, *action, text->value_or(""));
    if (!t) return t.error();
    return Response::json(taskJson(*t));
  });

  router.add("GET", "/api/v1/credit/repairs", staffOrInstitution, [&](Request& r) -> Reply {
    auto list = credit.repairs(*r.principal, r.queryParam("state"));
    if (!list) return list.error();
    Array::Ptr items = new Array;
    for (const auto& x : *list) items->add(repairJson(x));
    Object::Ptr o = new Object;
    o->set("items", items);
    return Response::json(o);
  });

  router.add("POST", "/api/v1/credit/repairs", Access::only({"institution"}), [&](Request& r) -> Reply {
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    RepairInput in;
    auto record = http::optionalInt(*b, "record_id");
    if (!record) return record.error();
    if (!*record) return Error::invalid("record_id", "record_id is required");
    in.recordId = **record;
    auto rect = http::requireString(*b, "rectification", 1, 4000);
    if (!rect) return rect.error();
    in.rectification = *rect;
    auto pledge = http::requireString(*b, "pledge", 1, 2000);
    if (!pledge) return pledge.error();
    in.pledge = *pledge;
    auto evidence = http::optionalString(*b, "evidence", 4000);
    if (!evidence) return evidence.error();
    in.evidence = evidence->value_or("");
    auto x = credit.applyRepair(audit::Actor::of(r), *r.principal, in);
    if (!x) return x.error();
    return Response::json(repairJson(*x), 201);
  });

  router.add("POST", "/api/v1/credit/repairs/{id}/decide", Access::only({"admin", "officer"}), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    auto decision = http::requireString(*b, "decision", 1, 16);
    if (!decision) return decision.error();
    auto reason = http::requireString(*b, "reason", 1, 2000);
    if (!reason) return reason.error();
    auto x = credit.decideRepair(audit::Actor::of(r), *r.principal, *id, *decision, *reason);
    if (!x) return x.error();
    return Response::json(repairJson(*x));
  });

  router.add("GET", "/api/v1/credit/graph", staff, [&](Request& r) -> Reply {
    auto entity = r.queryParam("entity");
    if (!entity || entity->empty()) return Error::invalid("entity", "entity (a credit code) is required");
    auto depth = http::queryInt(r, "depth", 1, 4);
    if (!depth) return depth.error();
    auto n = credit.graph(*r.principal, *entity, static_cast<int>(depth->value_or(2)));
    if (!n) return n.error();
    Object::Ptr o = new Object;
    // Person node ids carry the blind index: rename them in the edges as in the nodes.
    std::map<std::string, std::string> rename;
    for (const auto& x : n->nodes) {
      if (x.kind == "person") rename[x.id] = "person:" + std::to_string(rename.size() + 1);
    }
    Array::Ptr nodes = new Array;
    for (const auto& x : n->nodes) {
      Object::Ptr j = new Object;
      j->set("id", x.kind == "person" ? rename[x.id] : x.id);
      j->set("kind", x.kind);
      j->set("key", x.kind == "person" ? Var() : Var(x.key));
      j->set("label", x.label);
      nodes->add(j);
    }
    Array::Ptr edges = new Array;
    for (const auto& e : n->edges) {
      Object::Ptr j = new Object;
      j->set("from", rename.count(e.from) ? rename[e.from] : e.from);
      j->set("to", rename.count(e.to) ? rename[e.to] : e.to);
      j->set("kind", e.kind);
      edges->add(j);
    }
    o->set("nodes", nodes);
    o->set("edges", edges);
    o->set("truncated", n->truncated);
    return Response::json(o);
  });

  router.add("GET", "/api/v1/public/credit/lists/{list}", Access::anyone(), [&](Request& r) -> Reply {
    std::string list = r.pathParams.at("list");
    if (list != "blacklist" && list != "redlist") {
      return Error::notFound("the public lists are blacklist and redlist");
    }
    auto p = http::pageParams(r);
    if (!p) return p.error();
    auto page = credit.publicList(list, p->offset(), p->pageSize);
    Array::Ptr items = new Array;
    for (const auto& e : page.first) {
      Object::Ptr x = new Object;
      x->set("id", e.id);
      x->set("list", e.listKind);
      x->set("entity_name", e.entityName);
      x->set("entity_code", e.entityCode);
      x->set("department_name", e.departmentName);
      x->set("ground_name", e.groundName);
      x->set("basis", e.basis);
      x->set("listed_on", e.listedOn);
      x->set("ends_on", opt(e.endsOn));
      items->add(x);
    }
    return pageJson(items, page.second);
  });

  router.add("GET", "/api/v1/public/credit/reports/{number}", Access::anyone(), [&](Request& r) -> Reply {
    std::string number = r.pathParams.at("number");
    if (number.size() > 32) return Error::notFound("no credit report numbered " + number.substr(0, 32));
    auto info = credit.publicReport(number);
    if (!info) return info.error();
    Object::Ptr o = new Object;
    o->set("number", info->number);
    o->set("entity_name", info->entityName);
    o->set("entity_code", info->entityCode);
    o->set("grade", info->grade);
    o->set("score", info->score);
    o->set("sha256", info->sha256);
    o->set("size_bytes", info->sizeBytes);
    o->set("generated_at", info->generatedAt);
    return Response::json(o);
  });
}

}  // namespace cw::credit
