#include "cw/auth/users.hpp"

#include <Poco/JSON/Object.h>

#include <algorithm>

#include "cw/core/time.hpp"
#include "cw/core/validation.hpp"
#include "cw/http/json.hpp"
#include "user_sql.hpp"

namespace cw::auth {

using core::Error;

core::Status checkUsername(std::string_view field, std::string_view username) {
  std::string name(field);
  if (username.size() < 3 || username.size() > 32) {
    return Error::invalid(name, name + " must be 3 to 32 characters");
  }
  if (!(username[0] >= 'a' && username[0] <= 'z')) {
    return Error::invalid(name, name + " must start with a lower-case letter");
  }
  for (char c : username) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return Error::invalid(name, name + " may contain only a-z, 0-9, '.', '_' and '-'");
  }
  return core::Ok{};
}

User userFromRow(const db::Row& row) {
  User u;
  u.id = row.i64("id");
  u.username = row.str("username");
  u.displayName = row.str("display_name");
  u.role = row.str("role");
  u.departmentCode = row.optStr("department_code");
  u.departmentName = row.optStr("department_name");
  u.regionCode = row.optStr("region_code");
  u.regionName = row.optStr("region_name");
  u.certificateNo = row.optStr("certificate_no");
  u.institutionId = row.optI64("institution_id");
  u.status = row.str("status");
  auto iso = [](const std::optional<std::string>& sql) -> std::optional<std::string> {
    if (!sql) return std::nullopt;
    return core::sqlToIsoUtc(*sql);
  };
  u.lockedUntil = iso(row.optStr("locked_until"));
  u.lastLoginAt = iso(row.optStr("last_login_at"));
  u.createdAt = *iso(row.optStr("created_at"));
  return u;
}

UserService::UserService(db::Pool& pool, audit::AuditLog& audit, const PasswordHasher& hasher,
                         const core::Clock& clock)
    : pool_(pool), audit_(audit), hasher_(hasher), clock_(clock) {}

std::optional<User> UserService::find(db::Connection& connection, std::int64_t id) {
  auto rows = connection.query(sql::kSelectUserById, core::formatSqlDateTime(clock_.now()), id);
  if (rows.empty()) return std::nullopt;
  return userFromRow(rows[0]);
}

core::Status UserService::checkNewUser(db::Connection& connection, const NewUser& u) {
  if (auto ok = checkUsername("username", u.username); !ok) return ok;
  if (auto ok = core::checkText("display_name", u.displayName, 1, 64); !ok) return ok;
  if (std::find(kRoles.begin(), kRoles.end(), u.role) == kRoles.end()) {
    return Error::invalid("role", "role must be one of admin, officer, inspector, institution, bureau");
  }
  if (auto ok = checkPasswordPolicy("password", u.password, u.username); !ok) return ok;
  bool needsDepartment = u.role == "officer" || u.role == "inspector" || u.role == "bureau";
  if (needsDepartment && !u.departmentCode) {
    return Error::invalid("department_code", "department_code is required for the " + u.role + " role");
  }
  if (u.role == "inspector") {
    if (!u.regionCode) return Error::invalid("region_code", "region_code (jurisdiction) is required for inspectors");
    if (!u.certificateNo) {
      return Error::invalid("certificate_no", "certificate_no (enforcement certificate) is required for inspectors");
    }
  }
  if (u.role == "institution" && !u.institutionId) {
    return Error::invalid("institution_id", "institution_id is required for the institution role");
  }
  if (u.role != "institution" && u.institutionId) {
    return Error::invalid("institution_id", "only institution accounts are bound to an institution");
  }
  if (u.certificateNo) {
    if (auto ok = core::checkText("certificate_no", *u.certificateNo, 4, 32); !ok) return ok;
  }
  if (u.departmentCode && connection.query(sql::kDepartmentExists, *u.departmentCode).empty()) {
    return Error::invalid("department_code", "department_code '" + *u.departmentCode + "' does not exist");
  }
  if (u.regionCode) {
    if (auto ok = core::checkRegionCode("region_code", *u.regionCode); !ok) return ok;
    if (connection.query(sql::kRegionExists, *u.regionCode).empty()) {
      return Error::invalid("region_code", "region_code '" + *u.regionCode + "' does not exist");
    }
  }
  if (u.institutionId && connection.query(sql::kInstitutionExists, *u.institutionId).empty()) {
    return Error::invalid("institution_id", "institution " + std::to_string(*u.institutionId) + " does not exist");
  }
  return core::Ok{};
}

core::Result<User> UserService::create(const audit::Actor& actor, const NewUser& input) {
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  if (auto ok = checkNewUser(c, input); !ok) return ok.error();
  std::string hash = hasher_.hash(input.password);
  std::string now = core::formatSqlDateTime(clock_.now());
  db::Transaction tx(c);
  if (!c.query(sql::kUsernameTaken, input.username).empty()) {
    return Error::conflict("username '" + input.username + "' is already taken", "username");
  }
  try {
    c.execute(sql::kInsertUser, input.username, input.displayName, input.role, input.departmentCode, input.regionCode,
              input.certificateNo, input.institutionId, hash, now, now, now);
  } catch (const db::DbError& e) {
    if (e.isDuplicateKey()) return Error::conflict("username '" + input.username + "' is already taken", "username");
    throw;
  }
  std::int64_t id = c.lastInsertId();
  Poco::JSON::Object::Ptr after = new Poco::JSON::Object;
  after->set("username", input.username);
  after->set("display_name", input.displayName);
  after->set("role", input.role);
  if (input.departmentCode) after->set("department_code", *input.departmentCode);
  if (input.regionCode) after->set("region_code", *input.regionCode);
  if (input.certificateNo) after->set("certificate_no", *input.certificateNo);
  if (input.institutionId) after->set("institution_id", *input.institutionId);
  Poco::JSON::Object::Ptr summary = new Poco::JSON::Object;
  summary->set("after", after);
  audit_.append(c, actor, {"user.create", "user", std::to_string(id), http::toJsonText(summary)});
  tx.commit();
  return *find(c, id);
}

core::Result<User> UserService::get(std::int64_t id) {
  auto lease = pool_.acquire();
  auto user = find(*lease, id);
  if (!user) return Error::notFound("user " + std::to_string(id) + " does not exist");
  return *user;
}

core::Result<User> UserService::getByUsername(const std::string& username) {
  auto lease = pool_.acquire();
  auto rows = lease->query(sql::kSelectUserIdByUsername, username);
  if (rows.empty()) return Error::notFound("user '" + username + "' does not exist");
  return *find(*lease, rows[0].i64("id"));
}

std::pair<std::vector<User>, std::int64_t> UserService::list(const UserFilter& f) {
  auto lease = pool_.acquire();
  std::optional<std::string> like;
  if (f.keyword) {
    std::string escaped;
    for (char ch : *f.keyword) {
      if (ch == '%' || ch == '_' || ch == '\\') escaped += '\\';
      escaped += ch;
    }
    like = "%" + escaped + "%";
  }
  std::string now = core::formatSqlDateTime(clock_.now());
  auto total = lease->query(sql::kCountUsers, f.role, f.role, f.status, f.status, like, like, like)[0].i64("n");
  auto rows = lease->query(sql::kListUsers, now, f.role, f.role, f.status, f.status, like, like, like, f.limit, f.offset);
  std::vector<User> users;
  for (const auto& row : rows) users.push_back(userFromRow(row));
  return {std::move(users), total};
}

core::Result<User> UserService::setStatus(const audit::Actor& actor, std::int64_t id, const std::string& status) {
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  auto rows = c.query(sql::kLockUser, id);
  if (rows.empty()) return Error::notFound("user " + std::to_string(id) + " does not exist");
  std::string before = rows[0].str("status");
  if (status == "disabled" && actor.id && *actor.id == id) {
    return Error::precondition("you cannot disable your own account");
  }
  if (before != status) {
    std::string now = core::formatSqlDateTime(clock_.now());
    c.execute(sql::kSetStatus, status, now, id);
    if (status == "disabled") c.execute(sql::kRevokeUserSessions, now, id);
    Poco::JSON::Object::Ptr summary = new Poco::JSON::Object;
    Poco::JSON::Object::Ptr b = new Poco::JSON::Object, a = new Poco::JSON::Object;
    b->set("status", before);
    a->set("status", status);
    summary->set("before", b);
    summary->set("after", a);
    audit_.append(c, actor, {status == "disabled" ? "user.disable" : "user.enable", "user", std::to_string(id),
                             http::toJsonText(summary)});
  }
  tx.commit();
  if (status == "disabled" && sessionsRevoked_) sessionsRevoked_(id);
  return *find(c, id);
}

core::Status UserService::resetPassword(const audit::Actor& actor, std::int64_t id, const std::string& password) {
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  auto existing = find(c, id);
  if (!existing) return Error::notFound("user " + std::to_string(id) + " does not exist");
  if (auto ok = checkPasswordPolicy("password", password, existing->username); !ok) return ok;
  std::string hash = hasher_.hash(password);
  std::string now = core::formatSqlDateTime(clock_.now());
  db::Transaction tx(c);
  c.execute(sql::kSetPassword, hash, now, now, id);
  c.execute(sql::kRevokeUserSessions, now, id);
  c.execute(sql::kClearThrottle, existing->username);
  audit_.append(c, actor, {"user.password_reset", "user", std::to_string(id), "{}"});
  tx.commit();
  if (sessionsRevoked_) sessionsRevoked_(id);
  return core::Ok{};
}

}  // namespace cw::auth
