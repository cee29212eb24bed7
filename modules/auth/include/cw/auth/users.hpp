#pragma once
// Accounts and roles. Every change is written with its audit record in one transaction.
//
// Roles: admin; officer (a department officer, belongs to one department); inspector (department + jurisdiction
// region + enforcement certificate number); institution (bound to exactly one institution); bureau (market
// supervision credit analyst, read-mostly). Anonymous callers are the public.
//
// Thread-safety: UserService is stateless apart from injected dependencies and may be shared.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cw/audit/audit_log.hpp"
#include "cw/auth/password.hpp"
#include "cw/core/clock.hpp"
#include "cw/core/result.hpp"
#include "cw/db/pool.hpp"

namespace cw::auth {

inline const std::vector<std::string> kRoles{"admin", "officer", "inspector", "institution", "bureau"};

struct User {
  std::int64_t id = 0;
  std::string username;
  std::string displayName;
  std::string role;
  std::optional<std::string> departmentCode;
  std::optional<std::string> departmentName;
  std::optional<std::string> regionCode;
  std::optional<std::string> regionName;
  std::optional<std::string> certificateNo;
  std::optional<std::int64_t> institutionId;
  std::string status;  // active | disabled
  std::optional<std::string> lockedUntil;  // ISO-8601 UTC, when sign-in is throttled for this username
  std::optional<std::string> lastLoginAt;
  std::string createdAt;
};

struct NewUser {
  std::string username;
  std::string displayName;
  std::string role;
  std::string password;
  std::optional<std::string> departmentCode;
  std::optional<std::string> regionCode;
  std::optional<std::string> certificateNo;
  std::optional<std::int64_t> institutionId;
};

struct UserFilter {
  std::optional<std::string> role;
  std::optional<std::string> status;
  std::optional<std::string> keyword;  // matches username or display name
  std::int64_t offset = 0;
  std::int64_t limit = 20;
};

/// Username rule: 3..32 of a-z 0-9 . _ - , starting with a letter.
core::Status checkUsername(std::string_view field, std::string_view username);

class UserService {
 public:
  UserService(db::Pool& pool, audit::AuditLog& audit, const PasswordHasher& hasher, const core::Clock& clock);

  core::Result<User> create(const audit::Actor& actor, const NewUser& user);
  core::Result<User> get(std::int64_t id);
  /// Loads a user on the caller's connection (inside its transaction, if any).
  std::optional<User> find(db::Connection& connection, std::int64_t id);
  core::Result<User> getByUsername(const std::string& username);
  std::pair<std::vector<User>, std::int64_t> list(const UserFilter& filter);
  /// Disabling also ends the user's sessions. An admin cannot disable their own account.
  core::Result<User> setStatus(const audit::Actor& actor, std::int64_t id, const std::string& status);
  /// Sets a new password, ends the user's sessions and clears the sign-in lockout.
  core::Status resetPassword(const audit::Actor& actor, std::int64_t id, const std::string& password);

  /// Called after a change that revoked a user's sessions commits (the session service drops what it cached).
  void setSessionsRevokedListener(std::function<void(std::int64_t userId)> listener) {
    sessionsRevoked_ = std::move(listener);
  }

 private:
  core::Status checkNewUser(db::Connection& connection, const NewUser& user);
  std::function<void(std::int64_t)> sessionsRevoked_;

  db::Pool& pool_;
  audit::AuditLog& audit_;
  const PasswordHasher& hasher_;
  const core::Clock& clock_;
};

}  // namespace cw::auth
