#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include "cw/audit/routes.hpp"
#include "cw/core/time.hpp"
#include "cw/http/json.hpp"

namespace cw::audit {

namespace {

using core::Error;

Poco::JSON::Object::Ptr toJson(const Record& r) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("seq", r.seq);
  auto when = core::parseSqlDateTime(r.occurredAt);
  o->set("occurred_at", when ? core::formatIsoUtc(*when, true) : r.occurredAt);
  if (r.actorId) o->set("actor_id", *r.actorId);
  else o->set("actor_id", Poco::Dynamic::Var());
  o->set("actor_name", r.actorName);
  o->set("actor_role", r.actorRole);
  o->set("action", r.action);
  o->set("object_type", r.objectType);
  o->set("object_id", r.objectId);
  try {
    o->set("summary", Poco::JSON::Parser().parse(r.summary));
  } catch (const Poco::Exception&) {
    o->set("summary", r.summary);
  }
  o->set("client_ip", r.clientIp);
  o->set("request_id", r.requestId);
  o->set("prev_hash", r.prevHash);
  o->set("hash", r.hash);
  return o;
}

core::Result<std::optional<core::TimePoint>> timeParam(const http::Request& request, const std::string& name) {
  auto text = request.queryParam(name);
  if (!text || text->empty()) return std::optional<core::TimePoint>();
  auto t = core::parseIsoUtc(*text);
  if (!t) return Error::invalid(name, name + " must be an ISO-8601 time such as 2026-11-22T08:00:00Z");
  return std::optional<core::TimePoint>(*t);
}

std::optional<std::string> textParam(const http::Request& request, const std::string& name) {
  auto text = request.queryParam(name);
  if (!text || text->empty()) return std::nullopt;
  return text;
}

}  // namespace

void registerRoutes(http::Router& router, db::Pool& pool, AuditLog& log) {
  router.add("GET", "/api/v1/admin/audit", http::Access::only({"admin"}),
             [&pool, &log](http::Request& request) -> core::Result<http::Response> {
               auto page = http::pageParams(request);
               if (!page) return page.error();
               auto from = timeParam(request, "from");
               if (!from) return from.error();
               auto to = timeParam(request, "to");
               if (!to) return to.error();
               AuditQuery q;
               q.actorName = textParam(request, "actor");
               q.action = textParam(request, "action");
               q.objectType = textParam(request, "object_type");
               q.objectId = textParam(request, "object_id");
               q.from = *from;
               q.to = *to;
               q.offset = page->offset();
               q.limit = page->pageSize;
               auto lease = pool.acquire();
               auto [records, total] = log.list(*lease, q);
               Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
               for (const auto& r : records) items->add(toJson(r));
               Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
               body->set("items", items);
               body->set("total", total);
               body->set("page", page->page);
               body->set("page_size", page->pageSize);
               return http::Response::json(body);
             });
}

}  // namespace cw::audit
