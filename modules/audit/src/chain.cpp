#include "cw/audit/audit_log.hpp"
#include "cw/core/crypto.hpp"

namespace cw::audit {

namespace {
void field(std::string& out, const std::string& value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += '\n';
}
}  // namespace

Actor Actor::system(std::string name, std::string requestId) {
  return Actor{std::nullopt, std::move(name), "system", "local", std::move(requestId)};
}

Actor Actor::of(const http::Request& request) {
  if (!request.principal) return Actor{std::nullopt, "anonymous", "anonymous", request.clientIp, request.requestId};
  const auto& p = *request.principal;
  return Actor{p.userId, p.username, p.role, request.clientIp, request.requestId};
}

std::string canonicalForm(const Record& r) {
  std::string out = "cw-audit-v1\n";
  field(out, std::to_string(r.seq));
  field(out, r.occurredAt);
  field(out, r.actorId ? std::to_string(*r.actorId) : std::string("-"));
  field(out, r.actorName);
  field(out, r.actorRole);
  field(out, r.action);
  field(out, r.objectType);
  field(out, r.objectId);
  field(out, r.summary);
  field(out, r.clientIp);
  field(out, r.requestId);
  return out;
}

std::string chainHash(const Record& record) { return core::sha256Hex(canonicalForm(record) + record.prevHash); }

}  // namespace cw::audit
