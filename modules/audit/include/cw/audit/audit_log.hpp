#pragma once
// The audit chain (审计日志). Every state-changing action appends a record in the same transaction as the change;
// each record's hash covers its canonical form and the previous record's hash, so editing, deleting or
// reordering any row breaks verification at that row.
//
// Thread-safety: AuditLog is stateless apart from its clock and may be shared. append() must run inside a
// transaction on the given connection; it locks the single chain head row until that transaction ends, which
// serialises concurrent writers so the chain cannot fork.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cw/core/clock.hpp"
#include "cw/db/pool.hpp"
#include "cw/http/request.hpp"

namespace cw::audit {

/// Who did it. CLI actions use a system actor (no id, role "system").
struct Actor {
  std::optional<std::int64_t> id;
  std::string name;
  std::string role;
  std::string clientIp;
  std::string requestId;

  static Actor system(std::string name, std::string requestId);
  /// The signed-in caller of a request (or "anonymous" when there is none).
  static Actor of(const http::Request& request);
};

/// What was done: `summary` is a JSON object text with the before/after of the fields that changed (never
/// secrets such as password hashes or tokens).
struct Entry {
  std::string action;      // "user.create", "auth.login" ...
  std::string objectType;  // "user", "session" ...
  std::string objectId;
  std::string summary = "{}";
};

struct Record {
  std::int64_t seq = 0;
  std::string occurredAt;  // "YYYY-MM-DD HH:MM:SS.ffffff" UTC, exactly as stored
  std::optional<std::int64_t> actorId;
  std::string actorName;
  std::string actorRole;
  std::string action;
  std::string objectType;
  std::string objectId;
  std::string summary;
  std::string clientIp;
  std::string requestId;
  std::string prevHash;
  std::string hash;
};

/// The bytes the hash covers: every field length-prefixed, in a fixed order, so no two records share a form.
std::string canonicalForm(const Record& record);
/// hex SHA-256(canonicalForm(record) || record.prevHash).
std::string chainHash(const Record& record);

struct AuditQuery {
  std::optional<std::string> actorName;
  std::optional<std::string> action;
  std::optional<std::string> objectType;
  std::optional<std::string> objectId;
  std::optional<core::TimePoint> from;
  std::optional<core::TimePoint> to;
  std::int64_t offset = 0;
  std::int64_t limit = 20;
};

struct VerifyReport {
  bool ok = true;
  std::int64_t checked = 0;
  std::optional<std::int64_t> brokenSeq;  // the first record that fails
  std::string problem;
};

class AuditLog {
 public:
  explicit AuditLog(const core::Clock& clock) : clock_(clock) {}

  /// Appends within the caller's open transaction. Throws std::logic_error when no transaction is open.
  Record append(db::Connection& connection, const Actor& actor, const Entry& entry);
  /// Newest first, with the total number of matches.
  std::pair<std::vector<Record>, std::int64_t> list(db::Connection& connection, const AuditQuery& query);
  /// Walks the whole chain in order.
  VerifyReport verify(db::Connection& connection);

 private:
  const core::Clock& clock_;
};

}  // namespace cw::audit
