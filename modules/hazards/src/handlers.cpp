#include <Poco/JSON/Array.h>

#include "cw/audit/audit_log.hpp"
#include "cw/core/crypto.hpp"
#include "cw/hazards/routes.hpp"
#include "cw/http/json.hpp"

namespace cw::hazards {

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

Object::Ptr hazardJson(const Hazard& h) {
  Object::Ptr o = new Object;
  o->set("id", h.id);
  o->set("reference", h.reference);
  o->set("institution_id", h.institutionId);
  o->set("institution_name", h.institutionName);
  o->set("credit_code", h.creditCode);
  o->set("region_code", h.regionCode);
  o->set("region_name", h.regionName);
  o->set("department_code", h.departmentCode);
  o->set("catalogue_code", h.catalogueCode);
  o->set("catalogue_name", h.catalogueName);
  o->set("category", h.category);
  o->set("severity", h.severity);
  o->set("fire_safety", h.fireSafety);
  o->set("legal_basis", h.legalBasis);
  o->set("title", h.title);
  o->set("description", h.description);
  o->set("location", h.location);
  o->set("source", h.source);
  o->set("state", h.state);
  o->set("reported_by", h.reportedByName);
  o->set("reported_by_id", h.reportedBy);
  o->set("reported_at", h.reportedAt);
  o->set("deadline", h.deadline);
  o->set("original_deadline", h.originalDeadline);
  o->set("deadline_reason", opt(h.deadlineReason));
  o->set("days_left", h.daysLeft);
  o->set("overdue", h.overdue);
  o->set("escalated_at", opt(h.escalatedAt));
  Object::Ptr ext = new Object;
  ext->set("state", h.extensionState);
  ext->set("days", h.extensionDays ? Var(*h.extensionDays) : Var());
  ext->set("reason", opt(h.extensionReason));
  ext->set("note", opt(h.extensionNote));
  o->set("extension", ext);
  o->set("round", h.round);
  o->set("acknowledged_at", opt(h.acknowledgedAt));
  o->set("submitted_at", opt(h.submittedAt));
  o->set("verified_at", opt(h.verifiedAt));
  o->set("verified_by", opt(h.verifiedByName));
  o->set("closed_on_time", h.closedOnTime ? Var(*h.closedOnTime) : Var());
  o->set("reopen_count", h.reopenCount);
  o->set("last_rejection", opt(h.lastRejection));
  o->set("evidence_count", h.evidenceCount);
  o->set("evidence_bytes", h.evidenceBytes);
  o->set("updated_at", h.updatedAt);
  return o;
}

Object::Ptr evidenceJson(const EvidenceItem& e) {
  Object::Ptr o = new Object;
  o->set("id", e.id);
  o->set("round", e.round);
  o->set("sha256", e.sha256);
  o->set("size_bytes", e.sizeBytes);
  o->set("media_type", e.mediaType);
  o->set("original_name", e.originalName);
  o->set("uploaded_by", e.uploadedBy);
  o->set("uploaded_at", e.uploadedAt);
  o->set("taken_at", opt(e.takenAt));
  if (e.latitude && e.longitude) {
    Object::Ptr gps = new Object;
    gps->set("latitude", *e.latitude);
    gps->set("longitude", *e.longitude);
    o->set("gps", gps);
  } else {
    o->set("gps", Var());
  }
  o->set("url", "/api/v1/evidence/" + e.sha256);
  return o;
}

Object::Ptr complaintJson(const Complaint& p) {
  Object::Ptr o = new Object;
  o->set("id", p.id);
  o->set("tracking_code", p.trackingCode);
  o->set("institution_id", p.institutionId);
  o->set("institution_name", p.institutionName);
  o->set("category", p.category);
  o->set("description", p.description);
  o->set("contact", opt(p.contact));
  o->set("state", p.state);
  o->set("hazard_id", p.hazardId ? Var(*p.hazardId) : Var());
  o->set("hazard_reference", opt(p.hazardReference));
  o->set("hazard_state", opt(p.hazardState));
  o->set("reply", opt(p.reply));
  o->set("created_at", p.createdAt);
  o->set("handled_at", opt(p.handledAt));
  return o;
}

Object::Ptr statsJson(const HazardStats& s) {
  Object::Ptr o = new Object;
  o->set("open", s.open);
  o->set("overdue", s.overdue);
  o->set("major_open", s.majorOpen);
  o->set("escalated", s.escalated);
  auto counts = [](const std::vector<CountRow>& rows) {
    Array::Ptr a = new Array;
    for (const auto& r : rows) {
      Object::Ptr x = new Object;
      x->set("key", r.key);
      x->set("label", r.label);
      x->set("count", r.count);
      a->add(x);
    }
    return a;
  };
  o->set("open_by_category", counts(s.openByCategory));
  o->set("open_by_region", counts(s.openByRegion));
  o->set("by_state", counts(s.byState));
  Array::Ptr months = new Array;
  for (const auto& m : s.months) {
    Object::Ptr x = new Object;
    x->set("month", m.month);
    x->set("closed", m.closed);
    x->set("on_time", m.onTime);
    x->set("on_time_rate", m.closed ? Var(static_cast<double>(m.onTime) / static_cast<double>(m.closed)) : Var());
    months->add(x);
  }
  o->set("months", months);
  return o;
}

Reply hazardReply(const core::Result<Hazard>& h) {
  if (!h) return h.error();
  return Response::json(hazardJson(*h));
}

core::Result<ReportInput> reportInput(const Object::Ptr& b, bool needInstitution) {
  ReportInput in;
  if (needInstitution) {
    auto inst = http::optionalInt(b, "institution_id");
    if (!inst) return inst.error();
    if (!*inst) return Error::invalid("institution_id", "institution_id is required");
    in.institutionId = **inst;
  }
  auto code = http::requireString(b, "catalogue_code", 1, 8);
  if (!code) return code.error();
  in.catalogueCode = *code;
  auto severity = http::optionalString(b, "severity", 8);
  if (!severity) return severity.error();
  in.severity = *severity;
  auto title = http::requireString(b, "title", 1, 128);
  if (!title) return title.error();
  in.title = *title;
  auto description = http::requireString(b, "description", 1, 2000);
  if (!description) return description.error();
  in.description = *description;
  auto location = http::optionalString(b, "location", 1024);
  if (!location) return location.error();
  in.location = location->value_or("");
  auto deadline = http::optionalString(b, "deadline", 10);
  if (!deadline) return deadline.error();
  in.deadline = *deadline;
  auto reason = http::optionalString(b, "deadline_reason", 2048);
  if (!reason) return reason.error();
  in.deadlineReason = *reason;
  return in;
}

// The text of an optional string field ("" when absent).
core::Result<std::string> textField(const Object::Ptr& b, const std::string& field, std::size_t maxBytes) {
  auto v = http::optionalString(b, field, maxBytes);
  if (!v) return v.error();
  return v->value_or("");
}

// RFC 6266 / 5987: an ASCII fallback name and the UTF-8 original.
std::string contentDisposition(const std::string& kind, const EvidenceFile& f) {
  std::string ext = f.mediaType == "image/jpeg" ? "jpg"
                    : f.mediaType == "image/png" ? "png"
                    : f.mediaType == "application/pdf" ? "pdf"
                                                       : "mp4";
  std::string encoded;
  static const char* kHex = "0123456789ABCDEF";
  for (unsigned char ch : f.originalName) {
    if (std::isalnum(ch) || ch == '.' || ch == '-' || ch == '_') {
      encoded += static_cast<char>(ch);
    } else {
      encoded += '%';
      encoded += kHex[ch >> 4];
      encoded += kHex[ch & 15];
    }
  }
  return kind + "; filename=\"evidence-" + f.sha256.substr(0, 12) + "." + ext + "\"; filename*=UTF-8''" + encoded;
}

}  // namespace

void registerRoutes(http::Router& router, HazardService& hazards) {
  const Access staffAndInstitutions = Access::only({"admin", "officer", "inspector", "institution"});
  const Access staff = Access::only({"admin", "officer", "inspector"});
  const Access officers = Access::only({"admin", "officer"});

  router.add("GET", "/api/v1/hazard-catalogue", Access::signedIn(), [&](Request&) -> Reply {
    const auto& catalogue = hazards.catalogue();
    Array::Ptr items = new Array;
    for (const auto& e : catalogue.entries) {
      Object::Ptr o = new Object;
      o->set("code", e.code);
      o->set("category", e.category);
      o->set("name", e.name);
      o->set("name_en", e.nameEn);
      o->set("applies_to", e.appliesTo);
      o->set("severity", e.severity);
      o->set("rectification_days", e.rectificationDays);
      o->set("fire_safety", e.fireSafety);
      o->set("legal_basis", e.legalBasis);
      o->set("description", e.description);
      items->add(o);
    }
    Object::Ptr o = new Object;
    o->set("version", catalogue.version);
    o->set("items", items);
    return Response::json(o);
  });

  router.add("GET", "/api/v1/hazards", staffAndInstitutions, [&](Request& r) -> Reply {
    auto p = http::pageParams(r);
    if (!p) return p.error();
    HazardFilter f;
    f.state = r.queryParam("state");
    f.severity = r.queryParam("severity");
    f.category = r.queryParam("category");
    f.region = r.queryParam("region");
    f.source = r.queryParam("source");
    f.text = r.queryParam("q");
    if (f.text && f.text->empty()) f.text.reset();
    auto inst = http::queryInt(r, "institution_id", 1, INT64_MAX);
    if (!inst) return inst.error();
    f.institutionId = *inst;
    f.offset = p->offset();
    f.limit = p->pageSize;
    auto page = hazards.list(*r.principal, f);
    if (!page) return page.error();
    Array::Ptr items = new Array;
    for (const auto& h : page->items) items->add(hazardJson(h));
    Object::Ptr o = new Object;
    o->set("items", items);
    o->set("total", page->total);
    o->set("total_capped", page->totalCapped);
    o->set("page", p->page);
    o->set("page_size", p->pageSize);
    return Response::json(o);
  });

  router.add("POST", "/api/v1/hazards", staffAndInstitutions, [&](Request& r) -> Reply {
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    auto in = reportInput(*b, true);
    if (!in) return in.error();
    auto created = hazards.report(audit::Actor::of(r), *r.principal, *in);
    if (!created) return created.error();
    return Response::json(hazardJson(*created), 201);
  });

  router.add("GET", "/api/v1/hazards/stats", staffAndInstitutions, [&](Request& r) -> Reply {
    auto s = hazards.stats(*r.principal, r.queryParam("region"));
    if (!s) return s.error();
    return Response::json(statsJson(*s));
  });

  router.add("GET", "/api/v1/hazards/{id}", staffAndInstitutions, [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto d = hazards.get(*r.principal, *id);
    if (!d) return d.error();
    Object::Ptr o = hazardJson(d->hazard);
    Array::Ptr events = new Array;
    for (const auto& e : d->events) {
      Object::Ptr x = new Object;
      x->set("at", e.at);
      x->set("actor", e.actor);
      x->set("action", e.action);
      x->set("from_state", opt(e.fromState));
      x->set("to_state", opt(e.toState));
      x->set("note", e.note);
      events->add(x);
    }
    o->set("events", events);
    Array::Ptr evidence = new Array;
    for (const auto& e : d->evidence) evidence->add(evidenceJson(e));
    o->set("evidence", evidence);
    o->set("complaint_tracking_code", opt(d->complaintTracking));
    return Response::json(o);
  });

  router.add("POST", "/api/v1/hazards/{id}/acknowledge", Access::only({"institution"}), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    return hazardReply(hazards.acknowledge(audit::Actor::of(r), *r.principal, *id));
  });

  // The institution asks ({days, reason}); an officer decides ({decision: grant | refuse, note}).
  router.add("POST", "/api/v1/hazards/{id}/extend", Access::only({"admin", "officer", "institution"}),
             [&](Request& r) -> Reply {
               auto id = http::idParam(r);
               if (!id) return id.error();
               auto b = http::parseJsonObject(r.body);
               if (!b) return b.error();
               if (r.principal->role == "institution") {
                 auto days = http::optionalInt(*b, "days");
                 if (!days) return days.error();
                 if (!*days) return Error::invalid("days", "days is required");
                 auto reason = textField(*b, "reason", 2048);
                 if (!reason) return reason.error();
                 return hazardReply(hazards.requestExtension(audit::Actor::of(r), *r.principal, *id,
                                                             static_cast<int>(**days), *reason));
               }
               auto decision = http::requireString(*b, "decision", 1, 16);
               if (!decision) return decision.error();
               if (*decision != "grant" && *decision != "refuse") {
                 return Error::invalid("decision", "decision must be grant or refuse");
               }
               auto note = textField(*b, "note", 2048);
               if (!note) return note.error();
               return hazardReply(
                   hazards.decideExtension(audit::Actor::of(r), *r.principal, *id, *decision == "grant", *note));
             });

  router.add("POST", "/api/v1/hazards/{id}/deadline", officers, [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    auto deadline = http::requireString(*b, "deadline", 1, 10);
    if (!deadline) return deadline.error();
    auto reason = textField(*b, "reason", 2048);
    if (!reason) return reason.error();
    return hazardReply(hazards.changeDeadline(audit::Actor::of(r), *r.principal, *id, *deadline, *reason));
  });

  router.add("POST", "/api/v1/hazards/{id}/submit", Access::only({"institution"}), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    auto note = textField(*b, "note", 4000);
    if (!note) return note.error();
    return hazardReply(hazards.submit(audit::Actor::of(r), *r.principal, *id, *note));
  });

  router.add("POST", "/api/v1/hazards/{id}/verify", staff, [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body.empty() ? "{}" : r.body);
    if (!b) return b.error();
    auto note = textField(*b, "note", 4000);
    if (!note) return note.error();
    return hazardReply(hazards.verify(audit::Actor::of(r), *r.principal, *id, *note));
  });

  router.add("POST", "/api/v1/hazards/{id}/reject", staff, [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    auto reasons = textField(*b, "reasons", 4000);
    if (!reasons) return reasons.error();
    return hazardReply(hazards.reject(audit::Actor::of(r), *r.principal, *id, *reasons));
  });

  router.add("POST", "/api/v1/hazards/{id}/reopen", officers, [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    auto reason = textField(*b, "reason", 4000);
    if (!reason) return reason.error();
    auto days = http::optionalInt(*b, "days");
    if (!days) return days.error();
    std::optional<int> period;
    if (*days) period = static_cast<int>(**days);
    return hazardReply(hazards.reopen(audit::Actor::of(r), *r.principal, *id, *reason, period));
  });

  router.addStreaming("POST", "/api/v1/hazards/{id}/evidence", Access::only({"institution"}),
                      [&](Request& r, std::istream& body) -> Reply {
                        auto id = http::idParam(r);
                        if (!id) return id.error();
                        std::optional<std::uint64_t> length;
                        if (auto header = r.header("content-length"); !header.empty()) {
                          try {
                            length = std::stoull(header);
                          } catch (const std::exception&) {
                            return Error::invalid("Content-Length", "Content-Length is not a number");
                          }
                        }
                        auto uploaded = hazards.uploadEvidence(audit::Actor::of(r), *r.principal, *id,
                                                               r.header("content-type"), length, body);
                        if (!uploaded) return uploaded.error();
                        Object::Ptr o = evidenceJson(uploaded->evidence);
                        o->set("duplicate", uploaded->duplicate);
                        return Response::json(o, uploaded->duplicate ? 200 : 201);
                      });

  router.add("GET", "/api/v1/evidence/{sha256}", staffAndInstitutions, [&](Request& r) -> Reply {
    auto file = hazards.evidenceFile(*r.principal, r.pathParam("sha256"));
    if (!file) return file.error();
    bool preview = (file->mediaType.rfind("image/", 0) == 0 || file->mediaType == "application/pdf") &&
                   r.queryParam("download").value_or("") != "1";
    Response response = Response::file(file->path, file->mediaType);
    response.headers.emplace_back("Content-Disposition", contentDisposition(preview ? "inline" : "attachment", *file));
    response.headers.emplace_back("X-Content-SHA256", file->sha256);
    response.headers.emplace_back("Repr-Digest",
                                  "sha-256=:" + core::base64Encode(*core::hexDecode(file->sha256)) + ":");
    // Chromium's PDF viewer does not run in a sandboxed document; images and video do.
    if (file->mediaType != "application/pdf") {
      response.headers.emplace_back("Content-Security-Policy", "default-src 'none'; img-src 'self'; media-src 'self'; sandbox");
    }
    return response;
  });

  router.add("GET", "/api/v1/complaints", officers, [&](Request& r) -> Reply {
    auto p = http::pageParams(r);
    if (!p) return p.error();
    auto page = hazards.complaints(audit::Actor::of(r), *r.principal, r.queryParam("state"), p->offset(),
                                  p->pageSize);
    if (!page) return page.error();
    Array::Ptr items = new Array;
    for (const auto& c : page->first) items->add(complaintJson(c));
    Object::Ptr o = new Object;
    o->set("items", items);
    o->set("total", page->second);
    return Response::json(o);
  });

  router.add("POST", "/api/v1/complaints/{id}/handle", officers, [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    auto decision = http::requireString(*b, "decision", 1, 16);
    if (!decision) return decision.error();
    if (*decision != "accept" && *decision != "dismiss") {
      return Error::invalid("decision", "decision must be accept or dismiss");
    }
    auto reply = textField(*b, "reply", 2048);
    if (!reply) return reply.error();
    std::optional<ReportInput> report;
    if (*decision == "accept") {
      auto h = (*b)->getObject("hazard");
      if (!h) return Error::invalid("hazard", "accepting a complaint needs the hazard to report (hazard object)");
      auto in = reportInput(h, false);
      if (!in) return in.error();
      report = *in;
    }
    auto handled = hazards.handleComplaint(audit::Actor::of(r), *r.principal, *id, *decision == "accept", *reply, report);
    if (!handled) return handled.error();
    return Response::json(complaintJson(*handled));
  });

  router.add("POST", "/api/v1/public/complaints", Access::anyone(), [&](Request& r) -> Reply {
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    ComplaintInput in;
    auto inst = http::optionalInt(*b, "institution_id");
    if (!inst) return inst.error();
    if (!*inst) return Error::invalid("institution_id", "choose the institution the complaint is about");
    in.institutionId = **inst;
    auto category = http::requireString(*b, "category", 1, 32);
    if (!category) return category.error();
    in.category = *category;
    auto description = http::requireString(*b, "description", 1, 2000);
    if (!description) return description.error();
    in.description = *description;
    auto contact = http::optionalString(*b, "contact", 256);
    if (!contact) return contact.error();
    if (*contact && !(*contact)->empty()) in.contact = *contact;
    auto filed = hazards.fileComplaint(in, r.clientIp);
    if (!filed) return filed.error();
    Object::Ptr o = new Object;
    o->set("tracking_code", filed->trackingCode);
    o->set("institution_name", filed->institutionName);
    o->set("state", filed->state);
    o->set("created_at", filed->createdAt);
    return Response::json(o, 201);
  });

  router.add("GET", "/api/v1/public/complaints/{tracking_code}", Access::anyone(), [&](Request& r) -> Reply {
    auto s = hazards.complaintStatus(r.pathParam("tracking_code"));
    if (!s) return s.error();
    Object::Ptr o = new Object;
    o->set("tracking_code", s->trackingCode);
    o->set("institution_name", s->institutionName);
    o->set("category", s->category);
    o->set("state", s->state);
    o->set("created_at", s->createdAt);
    o->set("handled_at", opt(s->handledAt));
    o->set("reply", opt(s->reply));
    o->set("hazard_state", opt(s->hazardState));
    o->set("hazard_deadline", opt(s->hazardDeadline));
    return Response::json(o);
  });

  router.add("GET", "/api/v1/public/hazards/stats", Access::anyone(), [&](Request&) -> Reply {
    HazardStats s = hazards.publicStats();
    s.openByRegion.clear();  // published at city level only as counts by category and month
    Object::Ptr o = statsJson(s);
    return Response::json(o);
  });

  router.add("GET", "/api/v1/public/hazards", Access::anyone(), [&](Request& r) -> Reply {
    auto p = http::pageParams(r);
    if (!p) return p.error();
    Array::Ptr items = new Array;
    for (const auto& h : hazards.publishedOverdueMajor(p->offset(), p->pageSize)) {
      Object::Ptr o = new Object;
      o->set("reference", h.reference);
      o->set("institution_name", h.institutionName);
      o->set("region_name", h.regionName);
      o->set("category", h.category);
      o->set("catalogue_name", h.catalogueName);
      o->set("deadline", h.deadline);
      o->set("days_overdue", h.daysOverdue);
      items->add(o);
    }
    Object::Ptr o = new Object;
    o->set("items", items);
    return Response::json(o);
  });

  router.add("GET", "/api/v1/public/institutions", Access::anyone(), [&](Request& r) -> Reply {
    Array::Ptr items = new Array;
    for (const auto& [id, name] : hazards.findInstitutions(r.queryParam("q").value_or(""))) {
      Object::Ptr o = new Object;
      o->set("id", id);
      o->set("name", name);
      items->add(o);
    }
    Object::Ptr o = new Object;
    o->set("items", items);
    return Response::json(o);
  });
}

}  // namespace cw::hazards
