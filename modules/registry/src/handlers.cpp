#include <Poco/JSON/Array.h>

#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cw/audit/audit_log.hpp"
#include "cw/core/validation.hpp"
#include "cw/http/json.hpp"
#include "cw/registry/routes.hpp"
#include "record_json.hpp"

namespace cw::registry {

namespace {

using core::Error;
using http::Request;
using http::Response;
using Reply = core::Result<Response>;

const std::vector<std::string> kEveryRole{"admin", "officer", "inspector", "institution", "bureau"};

std::optional<std::string> textParam(const Request& request, const std::string& name) {
  auto v = request.queryParam(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

Poco::Dynamic::Var opt(const std::optional<std::string>& v) { return v ? Poco::Dynamic::Var(*v) : Poco::Dynamic::Var(); }

Poco::JSON::Object::Ptr institutionJson(const Institution& inst) {
  Poco::JSON::Object::Ptr o = recordToApi(inst.record);
  o->set("id", inst.id);
  o->set("version", inst.version);
  o->set("sector", inst.sector);
  o->set("filing_state", inst.filingState);
  o->set("filing_no", opt(inst.filingNo));
  o->set("region_name", inst.regionName);
  o->set("created_at", inst.createdAt);
  o->set("updated_at", inst.updatedAt);
  return o;
}

Poco::JSON::Object::Ptr filingJson(const Filing& f) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("id", f.id);
  o->set("institution_id", f.institutionId ? Poco::Dynamic::Var(*f.institutionId) : Poco::Dynamic::Var());
  o->set("institution_name", f.institutionName);
  o->set("credit_code", f.creditCode);
  o->set("kind", f.kind);
  o->set("state", f.state);
  o->set("proposed", recordToApi(f.proposed));
  o->set("changes", changesToApi(f.changes));
  o->set("reason", opt(f.reason));
  o->set("department_code", f.departmentCode);
  o->set("submitted_by", f.submittedBy);
  o->set("submitted_at", f.submittedAt);
  o->set("due_on", f.dueOn);
  o->set("working_days_left", f.workingDaysLeft);
  o->set("overdue", f.overdue);
  o->set("submissions", f.submissions);
  o->set("reviewed_by", opt(f.reviewedBy));
  o->set("reviewed_at", opt(f.reviewedAt));
  Poco::JSON::Object::Ptr reasons = new Poco::JSON::Object;
  for (const auto& [k, v] : f.returnReasons) reasons->set(k, v);
  o->set("return_reasons", reasons);
  Poco::JSON::Array::Ptr rounds = new Poco::JSON::Array;
  for (const auto& round : f.rounds) {
    Poco::JSON::Object::Ptr x = new Poco::JSON::Object;
    x->set("returned_at", round.returnedAt);
    x->set("reviewer", round.reviewer);
    Poco::JSON::Object::Ptr why = new Poco::JSON::Object;
    for (const auto& [k, v] : round.reasons) why->set(k, v);
    x->set("reasons", why);
    rounds->add(x);
  }
  o->set("review_rounds", rounds);
  o->set("filing_no", opt(f.filingNo));
  return o;
}

Response page(Poco::JSON::Array::Ptr items, std::int64_t total, const http::Page& p, bool totalCapped = false) {
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
  out->set("items", items);
  out->set("total", total);
  out->set("total_capped", totalCapped);
  out->set("page", p.page);
  out->set("page_size", p.pageSize);
  return Response::json(out);
}

core::Result<SearchQuery> searchQuery(const Request& r) {
  auto p = http::pageParams(r);
  if (!p) return p.error();
  SearchQuery q;
  q.text = textParam(r, "q");
  if (q.text) {
    if (auto ok = core::checkText("q", *q.text, 1, 64); !ok) return ok.error();
  }
  q.creditCode = textParam(r, "credit_code");
  q.region = textParam(r, "region");
  if (q.region) {
    if (auto ok = core::checkRegionCode("region", *q.region); !ok) return ok.error();
  }
  q.kind = textParam(r, "kind");
  q.sector = textParam(r, "sector");
  q.ownership = textParam(r, "ownership");
  q.filingState = textParam(r, "filing_state");
  auto minCap = http::queryInt(r, "capacity_min", 0, 100000);
  if (!minCap) return minCap.error();
  auto maxCap = http::queryInt(r, "capacity_max", 0, 100000);
  if (!maxCap) return maxCap.error();
  q.capacityMin = *minCap;
  q.capacityMax = *maxCap;
  if (auto sort = textParam(r, "sort")) {
    if (*sort != "name" && *sort != "capacity" && *sort != "updated_at" && *sort != "credit_code") {
      return Error::invalid("sort", "sort must be name, capacity, updated_at or credit_code");
    }
    q.sort = *sort;
  }
  if (auto order = textParam(r, "order")) {
    if (*order != "asc" && *order != "desc") return Error::invalid("order", "order must be asc or desc");
    q.descending = *order == "desc";
  }
  q.offset = p->offset();
  q.limit = p->pageSize;
  return q;
}

Reply search(RegistryService& registry, Request& r) {
  auto p = http::pageParams(r);
  if (!p) return p.error();
  auto query = searchQuery(r);
  if (!query) return query.error();
  const SearchQuery& q = *query;
  auto result = registry.search(*r.principal, q);
  if (!result) return result.error();
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& inst : result->items) {
    auto o = institutionJson(inst);
    o->remove("licences");  // not loaded for lists: see the detail
    o->remove("relations");
    items->add(o);
  }
  return page(items, result->total, *p, result->totalCapped);
}

Reply create(RegistryService& registry, Request& r) {
  auto body = http::parseJsonObject(r.body);
  if (!body) return body.error();
  auto changes = changesFromApi(*body);
  if (!changes) return changes.error();
  auto state = textParam(r, "filing_state");
  if (state && *state != "filed" && *state != "unfiled") {
    return Error::invalid("filing_state", "filing_state must be filed (register now) or unfiled (the institution "
                                          "files itself)");
  }
  auto inst = state && *state == "unfiled" ? registry.preregister(audit::Actor::of(r), *r.principal, changes->values)
                                           : registry.registerDirect(audit::Actor::of(r), *r.principal, changes->values);
  if (!inst) return inst.error();
  return Response::json(institutionJson(*inst), 201);
}

Reply getOne(RegistryService& registry, Request& r) {
  auto id = http::idParam(r);
  if (!id) return id.error();
  auto inst = registry.get(*r.principal, *id);
  if (!inst) return inst.error();
  return Response::json(institutionJson(*inst));
}

Reply patch(RegistryService& registry, Request& r) {
  auto id = http::idParam(r);
  if (!id) return id.error();
  auto body = http::parseJsonObject(r.body);
  if (!body) return body.error();
  auto changes = changesFromApi(*body);
  if (!changes) return changes.error();
  if (r.principal->role == "institution") {
    // An institution does not edit its record: its change opens a change filing for the department to review.
    auto own = registry.get(*r.principal, *id);
    if (!own) return own.error();
    auto filing = registry.submitFiling(audit::Actor::of(r), *r.principal, "change", *changes, std::nullopt);
    if (!filing) return filing.error();
    return Response::json(filingJson(*filing), 202);
  }
  auto inst = registry.editDirect(audit::Actor::of(r), *r.principal, *id, *changes);
  if (!inst) return inst.error();
  return Response::json(institutionJson(*inst));
}

Reply versions(RegistryService& registry, Request& r) {
  auto id = http::idParam(r);
  if (!id) return id.error();
  auto list = registry.versions(*r.principal, *id);
  if (!list) return list.error();
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& v : *list) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("version", v.version);
    o->set("source", v.source);
    o->set("filing_id", v.filingId ? Poco::Dynamic::Var(*v.filingId) : Poco::Dynamic::Var());
    o->set("created_by", opt(v.createdBy));
    o->set("created_at", v.createdAt);
    o->set("record", recordToApi(v.record));
    items->add(o);
  }
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
  out->set("items", items);
  return Response::json(out);
}

Reply diff(RegistryService& registry, Request& r) {
  auto id = http::idParam(r);
  if (!id) return id.error();
  auto from = http::queryInt(r, "from", 1, 1000000);
  if (!from) return from.error();
  auto to = http::queryInt(r, "to", 1, 1000000);
  if (!to) return to.error();
  if (!*from) return Error::invalid("from", "from (a version number) is required");
  if (!*to) return Error::invalid("to", "to (a version number) is required");
  auto changes = registry.diff(*r.principal, *id, static_cast<int>(**from), static_cast<int>(**to));
  if (!changes) return changes.error();
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
  out->set("from", **from);
  out->set("to", **to);
  out->set("changes", changesToApi(*changes));
  return Response::json(out);
}

Reply revealId(RegistryService& registry, Request& r) {
  auto id = http::idParam(r);
  if (!id) return id.error();
  auto plain = registry.revealLegalRepId(audit::Actor::of(r), *r.principal, *id);
  if (!plain) return plain.error();
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
  out->set("legal_rep_id_number", *plain);
  return Response::json(out);
}

core::Result<std::optional<std::string>> reasonOf(const Poco::JSON::Object::Ptr& body) {
  return http::optionalString(body, "reason", 500);
}

// A filing body: {"kind": "new"|"change"|"cancel", "record": {fields...}, "reason": "..."} (resubmit: no kind).
core::Result<RecordChanges> recordOf(const Poco::JSON::Object::Ptr& body) {
  if (!body->has("record") || body->isNull("record")) return RecordChanges{};
  auto record = body->getObject("record");
  if (!record) return Error::invalid("record", "record must be an object of institution fields");
  return changesFromApi(record);
}

core::Status onlyKeys(const Poco::JSON::Object::Ptr& body, const std::vector<std::string>& allowed) {
  for (const auto& key : body->getNames()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return Error::invalid(key, "unknown field '" + key + "' (a filing has " +
                                     (allowed.size() == 3 ? "kind, record and reason" : "record and reason") + ")");
    }
  }
  return core::Ok{};
}

Reply submit(RegistryService& registry, Request& r) {
  auto body = http::parseJsonObject(r.body);
  if (!body) return body.error();
  if (auto ok = onlyKeys(*body, {"kind", "record", "reason"}); !ok) return ok.error();
  auto kind = http::requireString(*body, "kind", 1, 16);
  if (!kind) return kind.error();
  auto reason = reasonOf(*body);
  if (!reason) return reason.error();
  auto changes = recordOf(*body);
  if (!changes) return changes.error();
  auto filing = registry.submitFiling(audit::Actor::of(r), *r.principal, *kind, *changes, *reason);
  if (!filing) return filing.error();
  return Response::json(filingJson(*filing), 201);
}

Reply resubmit(RegistryService& registry, Request& r) {
  auto id = http::idParam(r);
  if (!id) return id.error();
  auto body = http::parseJsonObject(r.body);
  if (!body) return body.error();
  if (auto ok = onlyKeys(*body, {"record", "reason"}); !ok) return ok.error();
  auto reason = reasonOf(*body);
  if (!reason) return reason.error();
  auto changes = recordOf(*body);
  if (!changes) return changes.error();
  auto filing = registry.resubmitFiling(audit::Actor::of(r), *r.principal, *id, *changes, *reason);
  if (!filing) return filing.error();
  return Response::json(filingJson(*filing));
}

Reply listFilings(RegistryService& registry, Request& r) {
  auto p = http::pageParams(r);
  if (!p) return p.error();
  auto result = registry.listFilings(*r.principal, textParam(r, "state"), p->offset(), p->pageSize);
  if (!result) return result.error();
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& f : result->first) items->add(filingJson(f));
  return page(items, result->second, *p);
}

Reply getFiling(RegistryService& registry, Request& r) {
  auto id = http::idParam(r);
  if (!id) return id.error();
  auto f = registry.getFiling(*r.principal, *id);
  if (!f) return f.error();
  return Response::json(filingJson(*f));
}

Reply accept(RegistryService& registry, Request& r) {
  auto id = http::idParam(r);
  if (!id) return id.error();
  auto f = registry.acceptFiling(audit::Actor::of(r), *r.principal, *id);
  if (!f) return f.error();
  return Response::json(filingJson(*f));
}

Reply giveBack(RegistryService& registry, Request& r) {
  auto id = http::idParam(r);
  if (!id) return id.error();
  auto body = http::parseJsonObject(r.body);
  if (!body) return body.error();
  auto reasonsObject = (*body)->getObject("reasons");
  if (!reasonsObject) return Error::invalid("reasons", "reasons must be an object of field -> reason");
  std::map<std::string, std::string> reasons;
  for (const auto& key : reasonsObject->getNames()) {
    auto v = reasonsObject->get(key);
    if (!v.isString()) return Error::invalid("reasons", "reasons." + key + " must be text");
    reasons[key] = v.extract<std::string>();
  }
  auto f = registry.returnFiling(audit::Actor::of(r), *r.principal, *id, reasons);
  if (!f) return f.error();
  return Response::json(filingJson(*f));
}

Reply expiring(RegistryService& registry, Request& r) {
  auto days = http::queryInt(r, "days", 0, 3660);
  if (!days) return days.error();
  auto region = textParam(r, "region");
  if (region) {
    if (auto ok = core::checkRegionCode("region", *region); !ok) return ok.error();
  }
  auto list = registry.expiringLicences(*r.principal, static_cast<int>(days->value_or(30)), region);
  if (!list) return list.error();
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& e : *list) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("institution_id", e.institutionId);
    o->set("institution_name", e.institutionName);
    o->set("region_code", e.regionCode);
    o->set("kind", e.licence.kind);
    o->set("number", e.licence.number);
    o->set("issuer", opt(e.licence.issuer));
    o->set("expires_on", opt(e.licence.expiresOn));
    o->set("days_left", e.daysLeft);
    items->add(o);
  }
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
  out->set("items", items);
  return Response::json(out);
}

Reply startImport(Importer& importer, Request& r) {
  auto partial = textParam(r, "partial");
  if (partial && *partial != "true" && *partial != "false") {
    return Error::invalid("partial", "partial must be true or false");
  }
  auto id = importer.start(audit::Actor::of(r), *r.principal, std::move(r.body), partial && *partial == "true");
  if (!id) return id.error();
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
  out->set("job_id", *id);
  return Response::json(out, 202);
}

Reply jobStatus(Importer& importer, Request& r) {
  auto status = importer.status(*r.principal, r.pathParam("id"));
  if (!status) return status.error();
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
  out->set("id", status->id);
  out->set("kind", status->kind);
  out->set("state", status->state);
  out->set("total", status->total);
  out->set("done", status->done);
  out->set("created_at", status->createdAt);
  out->set("finished_at", opt(status->finishedAt));
  if (status->resultJson) {
    out->set("result", Poco::JSON::Parser().parse(*status->resultJson));
  } else {
    out->set("result", Poco::Dynamic::Var());
  }
  return Response::json(out);
}

Reply exportFile(RegistryService& registry, Request& r) {
  auto q = searchQuery(r);
  if (!q) return q.error();
  std::string path = (std::filesystem::temp_directory_path() / ("cw-export-" + r.requestId + ".xlsx")).string();
  struct Remove {
    std::string path;
    ~Remove() { std::filesystem::remove(path); }
  } remove{path};
  auto rows = exportXlsx(registry, *r.principal, *q, path);
  if (!rows) return rows.error();
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  Response response = Response::text(bytes.str(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"institutions.xlsx\"; filename*=UTF-8''%E6%9C%BA%E6%9E%84%E5%90%8D%E5%BD%95.xlsx");
  response.headers.emplace_back("X-Row-Count", std::to_string(*rows));
  return response;
}

Poco::JSON::Object::Ptr documentJson(const FilingDocument& d) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("sha256", d.sha256);
  o->set("name", d.name);
  o->set("media_type", d.mediaType);
  o->set("size_bytes", d.sizeBytes);
  o->set("uploaded_by", d.uploadedBy);
  o->set("uploaded_at", d.uploadedAt);
  return o;
}

Reply addDocument(RegistryService& registry, Request& r) {
  auto id = http::idParam(r);
  if (!id) return id.error();
  auto name = textParam(r, "name");
  if (!name) return Error::invalid("name", "name (the document's file name) is required as a query parameter");
  auto doc = registry.addFilingDocument(audit::Actor::of(r), *r.principal, *id, *name, r.body);
  if (!doc) return doc.error();
  return Response::json(documentJson(*doc), 201);
}

Reply listDocuments(RegistryService& registry, Request& r) {
  auto id = http::idParam(r);
  if (!id) return id.error();
  auto docs = registry.filingDocuments(*r.principal, *id);
  if (!docs) return docs.error();
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& d : *docs) items->add(documentJson(d));
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
  out->set("items", items);
  return Response::json(out);
}

Reply getDocument(RegistryService& registry, Request& r) {
  auto id = http::idParam(r);
  if (!id) return id.error();
  const std::string& sha = r.pathParam("sha256");
  if (sha.size() != 64 || sha.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return Error::invalid("sha256", "sha256 must be 64 lower-case hex characters");
  }
  auto doc = registry.filingDocument(*r.principal, *id, sha);
  if (!doc) return doc.error();
  Response response = Response::text(std::move(doc->second), doc->first.mediaType);
  // Always a download, never rendered in the console's origin.
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"document\"");
  response.headers.emplace_back("Content-Security-Policy", "default-src 'none'; sandbox");
  return response;
}

}  // namespace

core::Result<SearchQuery> parseSearchQuery(const http::Request& request) { return searchQuery(request); }

void registerRoutes(http::Router& router, RegistryService& registry, Importer& importer) {
  using http::Access;
  const Access everyone{Access::Kind::Roles, kEveryRole};
  const Access officers = Access::only({"officer"});
  const Access queue = Access::only({"admin", "officer", "institution"});
  router.add("GET", "/api/v1/institutions", everyone, [&](Request& r) { return search(registry, r); });
  router.add("POST", "/api/v1/institutions", officers, [&](Request& r) { return create(registry, r); });
  router.add("GET", "/api/v1/institutions/{id}", everyone, [&](Request& r) { return getOne(registry, r); });
  router.add("PATCH", "/api/v1/institutions/{id}", Access::only({"officer", "institution"}),
             [&](Request& r) { return patch(registry, r); });
  router.add("GET", "/api/v1/institutions/{id}/versions", everyone, [&](Request& r) { return versions(registry, r); });
  router.add("GET", "/api/v1/institutions/{id}/diff", everyone, [&](Request& r) { return diff(registry, r); });
  router.add("GET", "/api/v1/institutions/{id}/legal-rep-id", officers,
             [&](Request& r) { return revealId(registry, r); });
  router.add("POST", "/api/v1/filings", Access::only({"institution"}), [&](Request& r) { return submit(registry, r); });
  router.add("GET", "/api/v1/filings", queue, [&](Request& r) { return listFilings(registry, r); });
  router.add("GET", "/api/v1/filings/{id}", queue, [&](Request& r) { return getFiling(registry, r); });
  router.add("POST", "/api/v1/filings/{id}/resubmit", Access::only({"institution"}),
             [&](Request& r) { return resubmit(registry, r); });
  router.add("POST", "/api/v1/filings/{id}/accept", officers, [&](Request& r) { return accept(registry, r); });
  router.add("POST", "/api/v1/filings/{id}/return", officers, [&](Request& r) { return giveBack(registry, r); });
  router.add("GET", "/api/v1/licences/expiring", Access::signedIn(), [&](Request& r) { return expiring(registry, r); });
  router.add("POST", "/api/v1/institutions/import", officers, [&](Request& r) { return startImport(importer, r); },
             kMaxImportBytes);
  router.add("GET", "/api/v1/jobs/{id}", Access::signedIn(), [&](Request& r) { return jobStatus(importer, r); });
  router.add("POST", "/api/v1/filings/{id}/documents", Access::only({"institution"}),
             [&](Request& r) { return addDocument(registry, r); }, kMaxDocumentRequestBytes);
  router.add("GET", "/api/v1/filings/{id}/documents", queue, [&](Request& r) { return listDocuments(registry, r); });
  router.add("GET", "/api/v1/filings/{id}/documents/{sha256}", queue,
             [&](Request& r) { return getDocument(registry, r); });
  router.add("GET", "/api/v1/institutions/export.xlsx", Access::only({"admin", "officer", "inspector", "bureau"}),
             [&](Request& r) { return exportFile(registry, r); });
}

}  // namespace cw::registry
