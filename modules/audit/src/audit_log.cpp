#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "cw/audit/audit_log.hpp"
#include "cw/core/time.hpp"

namespace cw::audit {

namespace {

// Crash tests (tests/api/fault_kill_test.cpp) set CW_FAULT_KILL_AFTER_AUDIT to an action: the process kills itself
// with SIGKILL right after writing that action's audit record, inside the change's transaction, before its commit.
// Unset (always, outside those tests) it costs one comparison with an empty string.
void killIfFaultInjected(const std::string& action) {
  static const std::string kAction = [] {
    const char* value = std::getenv("CW_FAULT_KILL_AFTER_AUDIT");
    return std::string(value ? value : "");
  }();
  if (!kAction.empty() && action == kAction) ::kill(::getpid(), SIGKILL);
}

constexpr const char* kLockHead = "SELECT last_seq, last_hash FROM audit_head WHERE id = 1 FOR UPDATE";
constexpr const char* kInsert =
    "INSERT INTO audit_log (seq, occurred_at, actor_id, actor_name, actor_role, action, object_type, object_id,"
    " summary, client_ip, request_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kMoveHead = "UPDATE audit_head SET last_seq = ?, last_hash = ? WHERE id = 1";
constexpr const char* kColumns =
    "seq, DATE_FORMAT(occurred_at, '%Y-%m-%d %H:%i:%s.%f') AS occurred_at, actor_id, actor_name, actor_role,"
    " action, object_type, object_id, summary, client_ip, request_id, prev_hash, hash";
constexpr std::int64_t kVerifyBatch = 2000;

Record toRecord(const db::Row& row) {
  Record r;
  r.seq = row.i64("seq");
  r.occurredAt = row.str("occurred_at");
  r.actorId = row.optI64("actor_id");
  r.actorName = row.str("actor_name");
  r.actorRole = row.str("actor_role");
  r.action = row.str("action");
  r.objectType = row.str("object_type");
  r.objectId = row.str("object_id");
  r.summary = row.str("summary");
  r.clientIp = row.str("client_ip");
  r.requestId = row.str("request_id");
  r.prevHash = row.str("prev_hash");
  r.hash = row.str("hash");
  return r;
}

}  // namespace

Record AuditLog::append(db::Connection& connection, const Actor& actor, const Entry& entry) {
  if (!connection.inTransaction()) {
    throw std::logic_error("audit records must be written in the transaction of the change they record");
  }
  auto head = connection.query(kLockHead);
  if (head.empty()) throw std::runtime_error("audit_head row is missing: the database was not migrated");
  Record r;
  r.seq = head[0].i64("last_seq") + 1;
  r.prevHash = head[0].str("last_hash");
  r.occurredAt = core::formatSqlDateTime(clock_.now());
  r.actorId = actor.id;
  r.actorName = actor.name;
  r.actorRole = actor.role;
  r.action = entry.action;
  r.objectType = entry.objectType;
  r.objectId = entry.objectId;
  r.summary = entry.summary;
  r.clientIp = actor.clientIp;
  r.requestId = actor.requestId;
  r.hash = chainHash(r);
  connection.execute(kInsert, r.seq, r.occurredAt, r.actorId, r.actorName, r.actorRole, r.action, r.objectType,
                     r.objectId, r.summary, r.clientIp, r.requestId, r.prevHash, r.hash);
  connection.execute(kMoveHead, r.seq, r.hash);
  killIfFaultInjected(r.action);
  return r;
}

std::pair<std::vector<Record>, std::int64_t> AuditLog::list(db::Connection& connection, const AuditQuery& q) {
  // Optional filters are written as (? IS NULL OR column = ?) so the statement text is fixed and its
  // prepared form is cached.
  static const std::string kWhere =
      " WHERE (? IS NULL OR actor_name = ?) AND (? IS NULL OR action = ?) AND (? IS NULL OR object_type = ?)"
      " AND (? IS NULL OR object_id = ?) AND (? IS NULL OR occurred_at >= ?) AND (? IS NULL OR occurred_at <= ?)";
  static const std::string kCount = "SELECT COUNT(*) AS n FROM audit_log" + kWhere;
  static const std::string kPage =
      std::string("SELECT ") + kColumns + " FROM audit_log" + kWhere + " ORDER BY seq DESC LIMIT ? OFFSET ?";
  std::optional<std::string> from, to;
  if (q.from) from = core::formatSqlDateTime(*q.from);
  if (q.to) to = core::formatSqlDateTime(*q.to);
  auto bindFilters = [&](db::Binder& b) {
    unsigned i = 1;
    for (const std::optional<std::string>* value : {&q.actorName, &q.action, &q.objectType, &q.objectId,
                                                    static_cast<const std::optional<std::string>*>(&from),
                                                    static_cast<const std::optional<std::string>*>(&to)}) {
      b.bind(i++, *value);
      b.bind(i++, *value);
    }
    return i;
  };
  auto total = connection.queryWith(kCount, [&](db::Binder& b) { bindFilters(b); })[0].i64("n");
  auto rows = connection.queryWith(kPage, [&](db::Binder& b) {
    unsigned i = bindFilters(b);
    b.bind(i++, q.limit);
    b.bind(i++, q.offset);
  });
  std::vector<Record> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(toRecord(row));
  return {std::move(out), total};
}

VerifyReport AuditLog::verify(db::Connection& connection) {
  static const std::string kBatch =
      std::string("SELECT ") + kColumns + " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?";
  // One consistent snapshot (InnoDB REPEATABLE READ), so records appended while verifying are not mistaken
  // for a head that runs ahead of the chain.
  std::optional<db::Transaction> snapshot;
  if (!connection.inTransaction()) snapshot.emplace(connection);
  VerifyReport report;
  std::int64_t lastSeq = 0;
  std::string lastHash(64, '0');
  auto fail = [&](std::int64_t seq, std::string problem) {
    report.ok = false;
    report.brokenSeq = seq;
    report.problem = std::move(problem);
    return report;
  };
  for (;;) {
    auto rows = connection.query(kBatch, lastSeq, kVerifyBatch);
    for (const auto& row : rows) {
      Record r = toRecord(row);
      if (r.seq != lastSeq + 1) {
        return fail(r.seq, "record " + std::to_string(r.seq) + " follows record " + std::to_string(lastSeq) +
                               ": records " + std::to_string(lastSeq + 1) + ".." + std::to_string(r.seq - 1) +
                               " are missing (deleted)");
      }
      if (r.prevHash != lastHash) {
        return fail(r.seq, "record " + std::to_string(r.seq) +
                               ": prev_hash does not match the hash of the record before it (records were "
                               "deleted, reordered or re-hashed)");
      }
      if (chainHash(r) != r.hash) {
        return fail(r.seq, "record " + std::to_string(r.seq) + " (" + r.action + " " + r.objectType + " " +
                               r.objectId + ", " + r.occurredAt + " UTC): its content does not match its hash "
                               "(the row was edited)");
      }
      lastSeq = r.seq;
      lastHash = r.hash;
      ++report.checked;
    }
    if (static_cast<std::int64_t>(rows.size()) < kVerifyBatch) break;
  }
  auto head = connection.query("SELECT last_seq, last_hash FROM audit_head WHERE id = 1");
  if (head.empty()) return fail(lastSeq + 1, "the audit_head row is missing");
  if (head[0].i64("last_seq") != lastSeq || head[0].str("last_hash") != lastHash) {
    return fail(lastSeq + 1, "the chain ends at record " + std::to_string(lastSeq) + " but its head records " +
                                 std::to_string(head[0].i64("last_seq")) +
                                 ": records at the end were deleted or the head was altered");
  }
  return report;
}

}  // namespace cw::audit
