#pragma once
// Sign-in, sessions and the request authenticator.
//
// A session token is 32 random bytes (base64url) handed to the client once; the database keeps only its
// SHA-256. Sessions end after `idleTimeout` without a request, `absoluteTimeout` after sign-in, on logout, and
// when the account is disabled or its password reset. A token is accepted as `Authorization: Bearer <token>` or
// as the HttpOnly SameSite=Strict cookie; cookie-authenticated writes must also carry the session's CSRF token
// in the X-CSRF-Token header.
//
// Failed sign-ins are counted per submitted username (existing or not): `maxFailures` in a row lock that
// username for `lockout`. They are also counted per client address (any usernames): `maxFailuresPerAddress` lock
// the address for `lockout`, so that one client cannot try a few passwords on each of many accounts. Both counts
// live in the database (login_throttle), shared by every process. Unknown users, wrong passwords and disabled
// accounts get the same answer.
//
// Thread-safety: SessionService may be shared by all request threads.

#include <chrono>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "cw/audit/audit_log.hpp"
#include "cw/auth/password.hpp"
#include "cw/auth/users.hpp"
#include "cw/core/clock.hpp"
#include "cw/core/random.hpp"
#include "cw/db/pool.hpp"
#include "cw/http/server.hpp"

namespace cw::auth {

struct SessionConfig {
  std::chrono::seconds idleTimeout{30 * 60};
  std::chrono::seconds absoluteTimeout{12 * 60 * 60};
  int maxFailures = 5;
  int maxFailuresPerAddress = 50;
  std::chrono::seconds lockout{15 * 60};
  std::string cookieName = "cw_session";
  bool cookieSecure = false;  // set true when served over HTTPS
  /// How long this process trusts a session it has read without reading it again (0 = read every request). A
  /// logout here takes effect at once; a revocation by another process (logout, account disabled) within twice this
  /// plus one database read: past it, one request reads the session again while the others are still served.
  std::chrono::milliseconds cacheTtl{1000};
};

struct LoginResult {
  std::string token;
  std::string csrfToken;
  std::string expiresAt;  // ISO-8601 UTC
  User user;
};

class SessionService final : public http::Authenticator {
 public:
  SessionService(db::Pool& pool, audit::AuditLog& audit, UserService& users, const PasswordHasher& hasher,
                 const core::Clock& clock, core::RandomSource& random, SessionConfig config);

  /// Unauthenticated for bad credentials (one message for every cause), ResourceExhausted while locked out.
  core::Result<LoginResult> login(const std::string& username, const std::string& password, const std::string& clientIp,
                                  const std::string& userAgent, const std::string& requestId);
  core::Status logout(const http::Principal& principal, const audit::Actor& actor);

  core::Result<std::optional<http::Principal>> authenticate(const http::Request& request) override;

  /// Deletes expired and long-revoked sessions; returns how many. Called by the scheduled cleanup job.
  std::uint64_t purgeExpired();

  const SessionConfig& config() const { return config_; }

 private:
  db::Pool& pool_;
  audit::AuditLog& audit_;
  UserService& users_;
  const PasswordHasher& hasher_;
  const core::Clock& clock_;
  core::RandomSource& random_;
  SessionConfig config_;
  struct Cached {
    http::Principal principal;
    core::TimePoint lastSeen;
    core::TimePoint expires;
    std::chrono::steady_clock::time_point readAt;
    bool refreshing = false;  // one request is reading the session again; the others are served this entry
  };
  std::shared_mutex cacheMutex_;
  std::unordered_map<std::string, Cached> cache_;  // by token hash
};

}  // namespace cw::auth
