#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cw/audit/audit_log.hpp"
#include "cw/draws/routes.hpp"
#include "cw/http/json.hpp"
#include "cw/registry/tabular.hpp"

namespace cw::draws {

namespace {

using core::Error;
using http::Access;
using http::Request;
using http::Response;
using Poco::JSON::Array;
using Poco::JSON::Object;
using Reply = core::Result<Response>;
using Var = Poco::Dynamic::Var;

Var opt(const std::optional<std::string>& v) { return v ? Var(*v) : Var(); }
Var optInt(const std::optional<std::int64_t>& v) { return v ? Var(*v) : Var(); }

Array::Ptr strings(const std::vector<std::string>& v) {
  Array::Ptr a = new Array;
  for (const auto& s : v) a->add(s);
  return a;
}

core::Result<std::vector<std::string>> stringList(const Object::Ptr& o, const std::string& field, bool required) {
  std::vector<std::string> out;
  if (!o->has(field) || o->isNull(field)) {
    if (required) return Error::invalid(field, field + " is required");
    return out;
  }
  Array::Ptr a = o->getArray(field);
  if (!a) return Error::invalid(field, field + " must be an array of strings");
  for (std::size_t i = 0; i < a->size(); ++i) {
    Var v = a->get(static_cast<unsigned>(i));
    if (!v.isString()) return Error::invalid(field, field + " must be an array of strings");
    out.push_back(v.extract<std::string>());
  }
  return out;
}

core::Result<bool> optionalBool(const Object::Ptr& o, const std::string& field, bool fallback) {
  if (!o->has(field) || o->isNull(field)) return fallback;
  Var v = o->get(field);
  if (!v.isBoolean()) return Error::invalid(field, field + " must be true or false");
  return v.extract<bool>();
}

Object::Ptr itemJson(const InspectionItem& i) {
  Object::Ptr o = new Object;
  o->set("code", i.code);
  o->set("name", i.name);
  o->set("department_code", i.departmentCode);
  o->set("legal_basis", i.legalBasis);
  o->set("kinds", strings(i.kinds));
  o->set("check_methods", strings(i.checkMethods));
  o->set("active", i.active);
  return o;
}

Object::Ptr inspectorJson(const Inspector& i) {
  Object::Ptr o = new Object;
  o->set("id", i.id);
  o->set("code", i.code);
  o->set("user_id", optInt(i.userId));
  o->set("name", i.name);
  o->set("department_code", i.departmentCode);
  o->set("region_code", i.regionCode);
  o->set("region_name", i.regionName);
  o->set("certificate_no", opt(i.certificateNo));
  o->set("member_kind", i.memberKind);
  o->set("status", i.status);
  o->set("expertise", i.expertise);
  return o;
}

Object::Ptr conflictJson(const Conflict& c) {
  Object::Ptr o = new Object;
  o->set("id", c.id);
  o->set("inspector_id", c.inspectorId);
  o->set("institution_id", c.institutionId);
  o->set("institution_name", c.institutionName);
  o->set("credit_code", c.creditCode);
  o->set("reason", c.reason);
  o->set("valid_from", c.validFrom);
  o->set("valid_to", opt(c.validTo));
  o->set("declared_at", c.declaredAt);
  return o;
}

Object::Ptr ratiosJson(const std::map<std::string, std::int64_t>& ratios) {
  Object::Ptr o = new Object;
  for (const auto& [g, bp] : ratios) o->set(g, percentText(bp));
  return o;
}

Object::Ptr taskJson(const Task& t, const std::map<std::string, std::string>& departments, bool publicView) {
  Object::Ptr o = new Object;
  auto name = [&](const std::string& code) {
    auto it = departments.find(code);
    return it == departments.end() ? code : it->second;
  };
  o->set("id", t.id);
  o->set("plan_id", t.input.planId);
  o->set("plan_year", t.planYear);
  o->set("title", t.input.title);
  o->set("department_code", t.departmentCode);
  o->set("department_name", name(t.departmentCode));
  o->set("region_code", t.input.regionCode);
  o->set("region_name", t.regionName);
  o->set("kinds", strings(t.input.kinds));
  o->set("filing_states", strings(t.input.filingStates));
  o->set("special_list", opt(t.input.specialListCode));
  std::string strata;
  for (const auto& d : t.input.strataBy) strata += (strata.empty() ? "" : ",") + d;
  o->set("strata_by", strata);
  o->set("ratios", ratiosJson(t.input.gradeRatios));
  Object::Ptr counts = new Object;
  for (const auto& [k, n] : t.input.stratumCounts) counts->set(k, n);
  o->set("stratum_counts", counts);
  o->set("window_start", t.input.windowStart);
  o->set("window_end", t.input.windowEnd);
  o->set("joint", t.input.joint);
  o->set("cross_jurisdiction", t.input.crossJurisdiction);
  o->set("cap_slack", t.input.capSlack);
  o->set("beacon_source", t.input.beaconSource);
  o->set("previous_task_id", optInt(t.input.previousTaskId));
  o->set("items", strings(t.input.itemCodes));
  Array::Ptr requirements = new Array;
  for (const auto& d : t.input.departments) {
    Object::Ptr x = new Object;
    x->set("department_code", d.departmentCode);
    x->set("department_name", name(d.departmentCode));
    x->set("per_entity", d.perEntity);
    x->set("state", d.state);
    requirements->add(x);
  }
  o->set("requirements", requirements);
  o->set("state", t.state);
  o->set("selected_count", t.selectedCount);
  o->set("locked_at", opt(t.lockedAt));
  o->set("drawn_at", opt(t.drawnAt));
  if (!publicView) o->set("created_at", t.createdAt);
  return o;
}

Object::Ptr resultJson(const InspectionResult& r, bool publicView) {
  Object::Ptr o = new Object;
  o->set("id", r.id);
  o->set("task_id", r.taskId);
  o->set("task_title", r.taskTitle);
  o->set("credit_code", r.creditCode);
  o->set("institution_name", r.institutionName);
  o->set("region_name", r.regionName);
  o->set("department_code", r.departmentCode);
  o->set("result_code", opt(r.resultCode));
  o->set("inspected_on", opt(r.inspectedOn));
  o->set("published_at", opt(r.publishedAt));
  if (publicView) return o;
  o->set("institution_id", r.institutionId);
  o->set("state", r.state);
  o->set("problem_reasons", strings(r.problemReasons));
  o->set("findings", opt(r.findings));
  o->set("followup", opt(r.followup));
  o->set("followup_description", opt(r.followupDescription));
  o->set("followup_hazard_code", opt(r.followupHazardCode));
  o->set("review_comment", opt(r.reviewComment));
  o->set("publish_due", opt(r.publishDue));
  o->set("publish_overdue", r.publishOverdue);
  o->set("window_start", r.windowStart);
  o->set("window_end", r.windowEnd);
  o->set("inspectors", strings(r.inspectors));
  Array::Ptr items = new Array;
  for (const auto& i : r.items) {
    Object::Ptr x = new Object;
    x->set("item_code", i.itemCode);
    x->set("result_code", i.resultCode);
    x->set("check_method", i.checkMethod);
    x->set("note", i.note);
    items->add(x);
  }
  o->set("items", items);
  return o;
}

/// {"items": [...]}: the shape of every unpaged list.
Response itemsResponse(Array::Ptr items) {
  Object::Ptr out = new Object;
  out->set("items", items);
  return Response::json(out);
}

Response page(Array::Ptr items, std::int64_t total, const http::Page& p) {
  Object::Ptr out = new Object;
  out->set("items", items);
  out->set("total", total);
  out->set("page", p.page);
  out->set("page_size", p.pageSize);
  return Response::json(out);
}

core::Result<TaskInput> taskFromBody(const std::string& body) {
  auto o = http::parseJsonObject(body);
  if (!o) return o.error();
  const auto& b = *o;
  TaskInput t;
  auto plan = http::optionalInt(b, "plan_id");
  if (!plan) return plan.error();
  t.planId = plan->value_or(0);
  auto title = http::requireString(b, "title", 2, 128);
  if (!title) return title.error();
  t.title = *title;
  auto region = http::requireString(b, "region_code", 6, 12);
  if (!region) return region.error();
  t.regionCode = *region;
  auto kinds = stringList(b, "kinds", true);
  if (!kinds) return kinds.error();
  t.kinds = *kinds;
  if (b->has("filing_states")) {
    auto states = stringList(b, "filing_states", true);
    if (!states) return states.error();
    t.filingStates = *states;
  }
  auto list = http::optionalString(b, "special_list", 32);
  if (!list) return list.error();
  t.specialListCode = *list;
  if (b->has("strata_by")) {
    auto dims = stringList(b, "strata_by", true);
    if (!dims) return dims.error();
    t.strataBy = *dims;
  }
  t.gradeRatios = defaultGradeRatios();
  if (b->has("ratios") && !b->isNull("ratios")) {
    Object::Ptr ratios = b->getObject("ratios");
    if (!ratios) return Error::invalid("ratios", "ratios must be an object such as {\"A\": \"1%\", \"D\": \"30%\"}");
    for (const auto& [grade, value] : *ratios) {
      if (!value.isString()) return Error::invalid("ratios", "ratios." + grade + " must be a string such as \"10%\"");
      auto bp = parseRatio("ratios." + grade, value.extract<std::string>());
      if (!bp) return bp.error();
      t.gradeRatios[grade] = *bp;
    }
  }
  if (b->has("stratum_counts") && !b->isNull("stratum_counts")) {
    Object::Ptr counts = b->getObject("stratum_counts");
    if (!counts) return Error::invalid("stratum_counts", "stratum_counts must be an object of stratum key -> count");
    for (const auto& [key, value] : *counts) {
      auto count = http::integerValue(value);
      if (!count) return Error::invalid("stratum_counts", "stratum_counts." + key + " must be an integer");
      t.stratumCounts[key] = *count;
    }
  }
  for (auto [field, target] : {std::pair{"window_start", &t.windowStart}, {"window_end", &t.windowEnd}}) {
    auto v = http::requireString(b, field, 10, 10);
    if (!v) return v.error();
    *target = *v;
  }
  auto joint = optionalBool(b, "joint", false);
  if (!joint) return joint.error();
  t.joint = *joint;
  auto cross = optionalBool(b, "cross_jurisdiction", false);
  if (!cross) return cross.error();
  t.crossJurisdiction = *cross;
  auto slack = http::optionalInt(b, "cap_slack");
  if (!slack) return slack.error();
  t.capSlack = static_cast<int>(slack->value_or(1));
  auto beacon = http::optionalString(b, "beacon_source", 255);
  if (!beacon) return beacon.error();
  t.beaconSource = beacon->value_or("");
  auto previous = http::optionalInt(b, "previous_task_id");
  if (!previous) return previous.error();
  t.previousTaskId = *previous;
  auto items = stringList(b, "items", true);
  if (!items) return items.error();
  t.itemCodes = *items;
  Array::Ptr departments = b->has("requirements") ? b->getArray("requirements") : nullptr;
  if (!departments) {
    return Error::invalid("requirements", "requirements must list {department_code, per_entity} for each department");
  }
  for (std::size_t i = 0; i < departments->size(); ++i) {
    Object::Ptr d = departments->getObject(static_cast<unsigned>(i));
    if (!d) return Error::invalid("requirements", "requirements[" + std::to_string(i) + "] must be an object");
    auto code = http::requireString(d, "department_code", 1, 16);
    if (!code) return Error::invalid("requirements", "requirements[" + std::to_string(i) + "]: " + code.error().message);
    auto per = http::optionalInt(d, "per_entity");
    if (!per || !*per) return Error::invalid("requirements", "requirements[" + std::to_string(i) + "].per_entity is required");
    t.departments.push_back({*code, static_cast<int>(**per), "open"});
  }
  return t;
}

std::optional<std::string> textParam(const Request& r, const std::string& name) {
  auto v = r.queryParam(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

// An XLSX download built with the registry's writer in a temporary file that is always removed.
Reply xlsxResponse(const Request& r, const std::string& sheet, const std::vector<std::string>& header,
                   const std::vector<std::vector<std::optional<std::string>>>& rows, const std::string& asciiName,
                   const std::string& utf8Name) {
  std::string path = (std::filesystem::temp_directory_path() / ("cw-draws-" + r.requestId + ".xlsx")).string();
  struct Remove {
    std::string path;
    ~Remove() { std::filesystem::remove(path); }
  } remove{path};
  registry::XlsxWriter writer(path, sheet, header);
  for (const auto& row : rows) writer.addRow(row);
  writer.close();
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  Response response = Response::text(bytes.str(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  std::string encoded;
  for (unsigned char ch : utf8Name) {
    static const char* hex = "0123456789ABCDEF";
    if (std::isalnum(ch) || ch == '.' || ch == '-' || ch == '_') {
      encoded += static_cast<char>(ch);
    } else {
      encoded += '%';
      encoded += hex[ch >> 4];
      encoded += hex[ch & 15];
    }
  }
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"" + asciiName + "\"; filename*=UTF-8''" + encoded);
  response.headers.emplace_back("X-Row-Count", std::to_string(rows.size()));
  return response;
}

Reply recordResponse(DrawService& draws, Request& r) {
  auto id = http::idParam(r);
  if (!id) return id.error();
  auto record = draws.record(*id);
  if (!record) return record.error();
  return Response::text(recordToJson(*record), "application/json; charset=utf-8");
}

Reply fileResponse(DrawService& draws, Request& r, std::string FrozenFiles::*which) {
  auto id = http::idParam(r);
  if (!id) return id.error();
  auto files = draws.frozenFiles(*id);
  if (!files) return files.error();
  Response out = Response::text(std::move((*files).*which), "text/plain; charset=utf-8");
  out.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
  return out;
}

}  // namespace

void registerRoutes(http::Router& router, DrawService& draws) {
  const Access staff = Access::only({"admin", "officer", "inspector", "bureau"});
  const Access officers = Access::only({"admin", "officer"});

  // ---- item list and inspector directory
  router.add("GET", "/api/v1/inspection-items", Access::signedIn(), [&](Request& r) -> Reply {
    Array::Ptr items = new Array;
    for (const auto& i : draws.items(r.queryParam("all") != std::optional<std::string>("true"))) items->add(itemJson(i));
    return itemsResponse(items);
  });
  router.add("POST", "/api/v1/inspection-items", officers, [&](Request& r) -> Reply {
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    InspectionItem item;
    for (auto [field, target, max] : {std::tuple{"code", &item.code, 32}, {"name", &item.name, 128},
                                      {"department_code", &item.departmentCode, 16}, {"legal_basis", &item.legalBasis, 512}}) {
      auto v = http::requireString(*b, field, 1, static_cast<std::size_t>(max));
      if (!v) return v.error();
      *target = *v;
    }
    auto kinds = stringList(*b, "kinds", true);
    if (!kinds) return kinds.error();
    item.kinds = *kinds;
    auto methods = stringList(*b, "check_methods", true);
    if (!methods) return methods.error();
    item.checkMethods = *methods;
    auto created = draws.createItem(audit::Actor::of(r), *r.principal, item);
    if (!created) return created.error();
    return Response::json(itemJson(*created), 201);
  });
  router.add("GET", "/api/v1/inspectors", officers, [&](Request& r) -> Reply {
    auto p = http::pageParams(r);
    if (!p) return p.error();
    auto [list, total] = draws.inspectors(textParam(r, "department"), textParam(r, "status"), p->offset(), p->pageSize);
    Array::Ptr items = new Array;
    for (const auto& i : list) items->add(inspectorJson(i));
    return page(items, total, *p);
  });
  router.add("GET", "/api/v1/inspectors/me", Access::only({"inspector"}), [&](Request& r) -> Reply {
    auto me = draws.inspectorOf(*r.principal);
    if (!me) return me.error();
    return Response::json(inspectorJson(*me));
  });
  router.add("POST", "/api/v1/inspectors", officers, [&](Request& r) -> Reply {
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    Inspector in;
    for (auto [field, target, max] : {std::tuple{"name", &in.name, 64}, {"department_code", &in.departmentCode, 16},
                                      {"region_code", &in.regionCode, 12}}) {
      auto v = http::requireString(*b, field, 1, static_cast<std::size_t>(max));
      if (!v) return v.error();
      *target = *v;
    }
    auto kind = http::optionalString(*b, "member_kind", 16);
    if (!kind) return kind.error();
    in.memberKind = kind->value_or("enforcement");
    auto cert = http::optionalString(*b, "certificate_no", 32);
    if (!cert) return cert.error();
    in.certificateNo = *cert;
    auto expertise = http::optionalString(*b, "expertise", 255);
    if (!expertise) return expertise.error();
    in.expertise = expertise->value_or("");
    auto user = http::optionalInt(*b, "user_id");
    if (!user) return user.error();
    in.userId = *user;
    auto created = draws.createInspector(audit::Actor::of(r), *r.principal, in);
    if (!created) return created.error();
    return Response::json(inspectorJson(*created), 201);
  });
  router.add("POST", "/api/v1/inspectors/{id}/status", officers, [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    auto status = http::requireString(*b, "status", 1, 16);
    if (!status) return status.error();
    auto updated = draws.setInspectorStatus(audit::Actor::of(r), *r.principal, *id, *status);
    if (!updated) return updated.error();
    return Response::json(inspectorJson(*updated));
  });
  router.add("GET", "/api/v1/inspectors/{id}/conflicts", Access::only({"admin", "officer", "inspector"}),
             [&](Request& r) -> Reply {
               auto id = http::idParam(r);
               if (!id) return id.error();
               auto list = draws.conflicts(*r.principal, *id);
               if (!list) return list.error();
               Array::Ptr items = new Array;
               for (const auto& c : *list) items->add(conflictJson(c));
               return itemsResponse(items);
             });
  router.add("POST", "/api/v1/inspectors/{id}/conflicts", Access::only({"admin", "officer", "inspector"}),
             [&](Request& r) -> Reply {
               auto id = http::idParam(r);
               if (!id) return id.error();
               auto b = http::parseJsonObject(r.body);
               if (!b) return b.error();
               auto code = http::requireString(*b, "credit_code", 18, 18);
               if (!code) return code.error();
               auto reason = http::requireString(*b, "reason", 2, 255);
               if (!reason) return reason.error();
               auto from = http::requireString(*b, "valid_from", 10, 10);
               if (!from) return from.error();
               auto to = http::optionalString(*b, "valid_to", 10);
               if (!to) return to.error();
               auto c = draws.declareConflict(audit::Actor::of(r), *r.principal, *id, *code, *reason, *from, *to);
               if (!c) return c.error();
               return Response::json(conflictJson(*c), 201);
             });

  // ---- special lists of the entity directory
  router.add("GET", "/api/v1/special-lists", officers, [&](Request&) -> Reply {
    Array::Ptr items = new Array;
    for (const auto& l : draws.specialLists()) {
      Object::Ptr o = new Object;
      o->set("code", l.code);
      o->set("name", l.name);
      o->set("list_kind", l.kind);
      o->set("members", l.members);
      items->add(o);
    }
    return itemsResponse(items);
  });
  auto memberJson = [](const ListMember& m) {
    Object::Ptr o = new Object;
    o->set("institution_id", m.institutionId);
    o->set("credit_code", m.creditCode);
    o->set("name", m.name);
    o->set("reason", m.reason);
    o->set("added_at", m.addedAt);
    return o;
  };
  router.add("GET", "/api/v1/special-lists/{code}/members", officers, [&, memberJson](Request& r) -> Reply {
    auto members = draws.listMembers(r.pathParam("code"));
    if (!members) return members.error();
    Array::Ptr items = new Array;
    for (const auto& m : *members) items->add(memberJson(m));
    return itemsResponse(items);
  });
  router.add("POST", "/api/v1/special-lists/{code}/members", officers, [&, memberJson](Request& r) -> Reply {
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    auto code = http::requireString(*b, "credit_code", 18, 18);
    if (!code) return code.error();
    auto reason = http::requireString(*b, "reason", 2, 255);
    if (!reason) return reason.error();
    auto added = draws.addListMember(audit::Actor::of(r), *r.principal, r.pathParam("code"), *code, *reason);
    if (!added) return added.error();
    return Response::json(memberJson(*added), 201);
  });
  router.add("DELETE", "/api/v1/special-lists/{code}/members/{id}", officers, [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto removed = draws.removeListMember(audit::Actor::of(r), *r.principal, r.pathParam("code"), *id);
    if (!removed) return removed.error();
    return Response::emptyObject(200);
  });

  // ---- plans and tasks
  router.add("GET", "/api/v1/inspection-plans", staff, [&](Request&) -> Reply {
    Array::Ptr items = new Array;
    for (const auto& p : draws.plans()) {
      Object::Ptr o = new Object;
      o->set("id", p.id);
      o->set("year", p.year);
      o->set("title", p.title);
      o->set("department_code", p.departmentCode);
      o->set("created_at", p.createdAt);
      items->add(o);
    }
    return itemsResponse(items);
  });
  router.add("POST", "/api/v1/inspection-plans", Access::only({"officer"}), [&](Request& r) -> Reply {
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    auto year = http::optionalInt(*b, "year");
    if (!year) return year.error();
    if (!*year) return Error::invalid("year", "year is required");
    auto title = http::requireString(*b, "title", 2, 128);
    if (!title) return title.error();
    auto plan = draws.createPlan(audit::Actor::of(r), *r.principal, static_cast<int>(**year), *title);
    if (!plan) return plan.error();
    Object::Ptr o = new Object;
    o->set("id", plan->id);
    o->set("year", plan->year);
    o->set("title", plan->title);
    o->set("department_code", plan->departmentCode);
    return Response::json(o, 201);
  });
  router.add("GET", "/api/v1/inspection-tasks", staff, [&](Request& r) -> Reply {
    auto p = http::pageParams(r);
    if (!p) return p.error();
    TaskFilter f;
    f.state = textParam(r, "state");
    auto year = http::queryInt(r, "year", 2000, 2100);
    if (!year) return year.error();
    if (*year) f.year = static_cast<int>(**year);
    f.offset = p->offset();
    f.limit = p->pageSize;
    auto [list, total] = draws.tasks(f);
    auto names = draws.departmentNames();
    Array::Ptr items = new Array;
    for (const auto& t : list) items->add(taskJson(t, names, false));
    return page(items, total, *p);
  });
  router.add("POST", "/api/v1/inspection-tasks", Access::only({"officer"}), [&](Request& r) -> Reply {
    auto input = taskFromBody(r.body);
    if (!input) return input.error();
    auto t = draws.createTask(audit::Actor::of(r), *r.principal, *input);
    if (!t) return t.error();
    return Response::json(taskJson(*t, draws.departmentNames(), false), 201);
  });
  router.add("GET", "/api/v1/inspection-tasks/{id}", staff, [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto t = draws.task(*id);
    if (!t) return t.error();
    return Response::json(taskJson(*t, draws.departmentNames(), false));
  });
  router.add("PUT", "/api/v1/inspection-tasks/{id}", officers, [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto input = taskFromBody(r.body);
    if (!input) return input.error();
    auto t = draws.updateTask(audit::Actor::of(r), *r.principal, *id, *input);
    if (!t) return t.error();
    return Response::json(taskJson(*t, draws.departmentNames(), false));
  });
  using TaskStep = core::Result<Task> (DrawService::*)(const audit::Actor&, const http::Principal&, std::int64_t);
  auto taskStep = [&](TaskStep step) {
    return [&draws, step](Request& r) -> Reply {
      auto id = http::idParam(r);
      if (!id) return id.error();
      auto t = (draws.*step)(audit::Actor::of(r), *r.principal, *id);
      if (!t) return t.error();
      return Response::json(taskJson(*t, draws.departmentNames(), false));
    };
  };
  router.add("POST", "/api/v1/inspection-tasks/{id}/lock", officers, taskStep(&DrawService::lock));
  router.add("POST", "/api/v1/inspection-tasks/{id}/draw", officers, [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body.empty() ? "{}" : r.body);
    if (!b) return b.error();
    auto beacon = http::optionalString(*b, "beacon_value", 512);
    if (!beacon) return beacon.error();
    auto t = draws.draw(audit::Actor::of(r), *r.principal, *id, beacon->value_or(""));
    if (!t) return t.error();
    return Response::json(taskJson(*t, draws.departmentNames(), false));
  });
  router.add("POST", "/api/v1/inspection-tasks/{id}/swaps", officers, [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    auto code = http::requireString(*b, "credit_code", 18, 18);
    if (!code) return code.error();
    auto removed = http::requireString(*b, "removed_inspector", 1, 16);
    if (!removed) return removed.error();
    auto added = http::requireString(*b, "added_inspector", 1, 16);
    if (!added) return added.error();
    auto reason = http::requireString(*b, "reason", 2, 255);
    if (!reason) return reason.error();
    auto t = draws.swap(audit::Actor::of(r), *r.principal, *id, *code, *removed, *added, *reason);
    if (!t) return t.error();
    return Response::json(taskJson(*t, draws.departmentNames(), false));
  });
  router.add("POST", "/api/v1/inspection-tasks/{id}/start", officers, taskStep(&DrawService::start));
  router.add("GET", "/api/v1/inspection-tasks/{id}/drawn", Access::only({"admin", "officer", "bureau"}),
             [&](Request& r) -> Reply {
               auto id = http::idParam(r);
               if (!id) return id.error();
               auto list = draws.drawnList(*id);
               if (!list) return list.error();
               Array::Ptr items = new Array;
               for (const auto& e : *list) {
                 Object::Ptr o = new Object;
                 o->set("position", e.position);
                 o->set("institution_id", e.institutionId);
                 o->set("credit_code", e.creditCode);
                 o->set("name", e.name);
                 o->set("kind", e.kind);
                 o->set("region_name", e.regionName);
                 o->set("stratum", e.stratum);
                 Array::Ptr members = new Array;
                 for (const auto& m : e.inspectors) {
                   Object::Ptr x = new Object;
                   x->set("inspector_id", m.inspectorId);
                   x->set("code", m.code);
                   x->set("name", m.name);
                   x->set("department_code", m.departmentCode);
                   members->add(x);
                 }
                 o->set("inspectors", members);
                 items->add(o);
               }
               return itemsResponse(items);
             });

  // The list inspectors carry: drawn institutions with their inspectors, the items and the window.
  router.add("GET", "/api/v1/inspection-tasks/{id}/list.xlsx", staff, [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto t = draws.task(*id);
    if (!t) return t.error();
    auto list = draws.drawnListFor(*r.principal, *id);
    if (!list) return list.error();
    if (!t->drawnAt) return Error::precondition("task " + std::to_string(*id) + " has not been drawn yet");
    auto names = draws.departmentNames();
    std::string items;
    for (const auto& code : t->input.itemCodes) items += (items.empty() ? "" : "、") + code;
    std::vector<std::vector<std::optional<std::string>>> rows;
    for (const auto& e : *list) {
      std::string members;
      for (const auto& m : e.inspectors) {
        members += (members.empty() ? "" : "；") + m.name + "（" + m.code + "，" +
                   (names.count(m.departmentCode) ? names[m.departmentCode] : m.departmentCode) + "）";
      }
      rows.push_back({std::to_string(e.position), e.creditCode, e.name, e.kind, e.regionName, e.stratum, members, items,
                      t->input.windowStart + " ~ " + t->input.windowEnd});
    }
    return xlsxResponse(r, "抽查名单", {"序号", "统一社会信用代码", "机构名称", "机构类型", "所在地区", "分层", "检查人员", "抽查事项", "检查期限"},
                        rows, "draw-list-" + std::to_string(*id) + ".xlsx", "抽查名单-" + std::to_string(*id) + ".xlsx");
  });

  // ---- results
  router.add("GET", "/api/v1/inspection-results/mine/schedule.xlsx", Access::only({"inspector"}), [&](Request& r) -> Reply {
    auto list = draws.myResults(*r.principal);
    if (!list) return list.error();
    std::vector<std::vector<std::optional<std::string>>> rows;
    for (const auto& x : *list) {
      std::string team;
      for (const auto& code : x.inspectors) team += (team.empty() ? "" : "、") + code;
      rows.push_back({x.taskTitle, x.windowStart, x.windowEnd, x.creditCode, x.institutionName, x.regionName,
                      x.departmentCode, team, x.state, x.inspectedOn, x.publishDue});
    }
    return xlsxResponse(r, "我的检查安排", {"任务", "开始日期", "截止日期", "统一社会信用代码", "机构名称", "所在地区", "部门", "检查组", "状态", "检查日期", "公示期限"},
                        rows, "my-inspections.xlsx", "我的检查安排.xlsx");
  });
  router.add("GET", "/api/v1/inspection-results/mine", Access::only({"inspector"}), [&](Request& r) -> Reply {
    auto list = draws.myResults(*r.principal);
    if (!list) return list.error();
    Array::Ptr items = new Array;
    for (const auto& x : *list) items->add(resultJson(x, false));
    return itemsResponse(items);
  });
  router.add("GET", "/api/v1/inspection-results", Access::only({"admin", "officer", "bureau", "institution"}),
             [&](Request& r) -> Reply {
               auto p = http::pageParams(r);
               if (!p) return p.error();
               ResultFilter f;
               auto task = http::queryInt(r, "task_id", 1, INT64_MAX);
               if (!task) return task.error();
               f.taskId = *task;
               f.state = textParam(r, "state");
               f.creditCode = textParam(r, "credit_code");
               f.offset = p->offset();
               f.limit = p->pageSize;
               auto list = draws.results(*r.principal, f);
               if (!list) return list.error();
               Array::Ptr items = new Array;
               for (const auto& x : list->first) items->add(resultJson(x, false));
               return page(items, list->second, *p);
             });
  router.add("GET", "/api/v1/inspection-results/{id}", Access::signedIn(), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto x = draws.result(*r.principal, *id);
    if (!x) return x.error();
    return Response::json(resultJson(*x, false));
  });
  router.add("PUT", "/api/v1/inspection-results/{id}", Access::only({"inspector"}), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    ResultInput in;
    auto code = http::requireString(*b, "result_code", 1, 4);
    if (!code) return code.error();
    in.resultCode = *code;
    auto reasons = stringList(*b, "problem_reasons", false);
    if (!reasons) return reasons.error();
    in.problemReasons = *reasons;
    auto on = http::requireString(*b, "inspected_on", 10, 10);
    if (!on) return on.error();
    in.inspectedOn = *on;
    auto findings = http::optionalString(*b, "findings", 4000);
    if (!findings) return findings.error();
    in.findings = findings->value_or("");
    auto followup = http::optionalString(*b, "followup", 32);
    if (!followup) return followup.error();
    in.followup = followup->value_or("none");
    auto description = http::optionalString(*b, "followup_description", 1024);
    if (!description) return description.error();
    in.followupDescription = description->value_or("");
    auto hazardCode = http::optionalString(*b, "followup_hazard_code", 8);
    if (!hazardCode) return hazardCode.error();
    in.followupHazardCode = *hazardCode;
    Array::Ptr items = (*b)->has("items") ? (*b)->getArray("items") : nullptr;
    for (std::size_t i = 0; items && i < items->size(); ++i) {
      Object::Ptr x = items->getObject(static_cast<unsigned>(i));
      if (!x) return Error::invalid("items", "items[" + std::to_string(i) + "] must be an object");
      ItemResult item;
      for (auto [field, target] : {std::pair{"item_code", &item.itemCode}, {"result_code", &item.resultCode},
                                   {"check_method", &item.checkMethod}}) {
        auto v = http::requireString(x, field, 1, 32);
        if (!v) return Error::invalid("items", "items[" + std::to_string(i) + "]: " + v.error().message);
        *target = *v;
      }
      auto note = http::optionalString(x, "note", 512);
      if (!note) return Error::invalid("items", "items[" + std::to_string(i) + "]: " + note.error().message);
      item.note = note->value_or("");
      in.items.push_back(item);
    }
    auto saved = draws.recordResult(audit::Actor::of(r), *r.principal, *id, in);
    if (!saved) return saved.error();
    return Response::json(resultJson(*saved, false));
  });
  auto evidenceJson = [](const Evidence& e) {
    Object::Ptr o = new Object;
    o->set("sha256", e.sha256);
    o->set("name", e.name);
    o->set("media_type", e.mediaType);
    o->set("size_bytes", e.sizeBytes);
    o->set("uploaded_at", e.uploadedAt);
    return o;
  };
  router.add(
      "POST", "/api/v1/inspection-results/{id}/evidence", Access::only({"inspector"}),
      [&, evidenceJson](Request& r) -> Reply {
        auto id = http::idParam(r);
        if (!id) return id.error();
        auto name = textParam(r, "name");
        if (!name) return Error::invalid("name", "name (the file's name) is required as a query parameter");
        auto added = draws.addEvidence(audit::Actor::of(r), *r.principal, *id, *name, r.body);
        if (!added) return added.error();
        return Response::json(evidenceJson(*added), 201);
      },
      kMaxEvidenceRequestBytes);
  router.add("GET", "/api/v1/inspection-results/{id}/evidence", Access::signedIn(), [&, evidenceJson](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto list = draws.evidence(*r.principal, *id);
    if (!list) return list.error();
    Array::Ptr items = new Array;
    for (const auto& e : *list) items->add(evidenceJson(e));
    return itemsResponse(items);
  });
  router.add("GET", "/api/v1/inspection-results/{id}/evidence/{sha256}", Access::signedIn(), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    const std::string& sha = r.pathParam("sha256");
    if (sha.size() != 64 || sha.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return Error::invalid("sha256", "sha256 must be 64 lower-case hex characters");
    }
    auto file = draws.evidenceFile(*r.principal, *id, sha);
    if (!file) return file.error();
    Response response = Response::text(std::move(file->second), file->first.mediaType);
    // Always a download, never rendered in the console's origin.
    response.headers.emplace_back("Content-Disposition", "attachment; filename=\"evidence\"");
    response.headers.emplace_back("Content-Security-Policy", "default-src 'none'; sandbox");
    return response;
  });
  router.add("POST", "/api/v1/inspection-results/{id}/submit", Access::only({"inspector"}), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto x = draws.submitResult(audit::Actor::of(r), *r.principal, *id);
    if (!x) return x.error();
    return Response::json(resultJson(*x, false));
  });
  router.add("POST", "/api/v1/inspection-results/{id}/review", officers, [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    auto decision = http::requireString(*b, "decision", 1, 16);
    if (!decision) return decision.error();
    auto comment = http::optionalString(*b, "comment", 512);
    if (!comment) return comment.error();
    auto x = draws.reviewResult(audit::Actor::of(r), *r.principal, *id, *decision, comment->value_or(""));
    if (!x) return x.error();
    return Response::json(resultJson(*x, false));
  });
  router.add("GET", "/api/v1/inspections/coverage", Access::only({"admin", "officer", "bureau"}), [&](Request& r) -> Reply {
    auto rows = draws.coverage(textParam(r, "region"), textParam(r, "kind"));
    if (!rows) return rows.error();
    Array::Ptr items = new Array;
    for (const auto& c : *rows) {
      Object::Ptr o = new Object;
      o->set("region_code", c.regionCode);
      o->set("region_name", c.regionName);
      o->set("kind", c.kind);
      o->set("institutions", c.institutions);
      o->set("not_inspected", c.notInspected);
      items->add(o);
    }
    return itemsResponse(items);
  });

  // ---- the public record (一公开): no sign-in, nothing personal
  router.add("GET", "/api/v1/public/tasks", Access::anyone(), [&](Request& r) -> Reply {
    auto p = http::pageParams(r);
    if (!p) return p.error();
    TaskFilter f;
    f.offset = p->offset();
    f.limit = p->pageSize;
    auto state = textParam(r, "state");
    if (state && *state == "draft") return Error::invalid("state", "draft tasks are not public");
    f.state = state;
    f.publicOnly = true;
    auto [list, total] = draws.tasks(f);
    auto names = draws.departmentNames();
    Array::Ptr items = new Array;
    for (const auto& t : list) items->add(taskJson(t, names, true));
    return page(items, total, *p);
  });
  router.add("GET", "/api/v1/public/tasks/{id}", Access::anyone(), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto t = draws.task(*id);
    if (!t || t->state == "draft") return Error::notFound("task " + std::to_string(*id) + " is not published");
    auto names = draws.departmentNames();
    Object::Ptr o = taskJson(*t, names, true);
    auto all = draws.items(false);
    Array::Ptr items = new Array;
    for (const auto& code : t->input.itemCodes) {
      Object::Ptr x = new Object;
      x->set("code", code);
      for (const auto& i : all) {
        if (i.code == code) x->set("name", i.name);
      }
      items->add(x);
    }
    o->set("items", items);
    Array::Ptr drawn = new Array;
    if (t->drawnAt) {
      auto list = draws.drawnList(*id);
      if (!list) return list.error();
      for (const auto& e : *list) {
        Object::Ptr x = new Object;
        x->set("credit_code", e.creditCode);
        x->set("name", e.name);
        x->set("region_name", e.regionName);
        x->set("kind", e.kind);
        x->set("stratum", e.stratum);
        std::map<std::string, int> perDept;
        for (const auto& m : e.inspectors) ++perDept[m.departmentCode];
        Array::Ptr depts = new Array;
        for (const auto& [code, n] : perDept) {
          Object::Ptr d = new Object;
          d->set("department_code", code);
          d->set("department_name", names.count(code) ? names[code] : code);
          d->set("inspectors", n);
          depts->add(d);
        }
        x->set("departments", depts);
        drawn->add(x);
      }
    }
    o->set("drawn", drawn);
    return Response::json(o);
  });
  router.add("GET", "/api/v1/public/draws/{id}", Access::anyone(), [&](Request& r) { return recordResponse(draws, r); });
  router.add("GET", "/api/v1/public/draws/{id}/pool.txt", Access::anyone(),
             [&](Request& r) { return fileResponse(draws, r, &FrozenFiles::pool); });
  router.add("GET", "/api/v1/public/draws/{id}/inspectors.txt", Access::anyone(),
             [&](Request& r) { return fileResponse(draws, r, &FrozenFiles::inspectors); });
  router.add("GET", "/api/v1/public/draws/{id}/exclusions.txt", Access::anyone(),
             [&](Request& r) { return fileResponse(draws, r, &FrozenFiles::exclusions); });
  router.add("POST", "/api/v1/public/draws/{id}/verify", Access::anyone(), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto ok = draws.verifyStored(*id);
    Object::Ptr o = new Object;
    if (!ok && ok.error().code != core::ErrorCode::FailedPrecondition) return ok.error();
    o->set("ok", ok.ok());
    if (!ok) o->set("mismatch", ok.error().message);
    return Response::json(o);
  });
  router.add("GET", "/api/v1/public/results", Access::anyone(), [&](Request& r) -> Reply {
    auto p = http::pageParams(r);
    if (!p) return p.error();
    ResultFilter f;
    f.creditCode = textParam(r, "credit_code");
    f.text = textParam(r, "q");
    f.offset = p->offset();
    f.limit = p->pageSize;
    auto [list, total] = draws.publishedResults(f);
    auto names = draws.departmentNames();
    Array::Ptr items = new Array;
    for (const auto& x : list) {
      auto o = resultJson(x, true);
      o->set("department_name", names.count(x.departmentCode) ? names[x.departmentCode] : x.departmentCode);
      items->add(o);
    }
    return page(items, total, *p);
  });
}

}  // namespace cw::draws
