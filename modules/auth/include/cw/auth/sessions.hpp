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

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
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
  /// plus one database read: past it, a background thread reads the session again while requests are still served
  /// the entry, so that no request of a cached session waits for the database.
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
  ~SessionService() override;
  SessionService(const SessionService&) = delete;
  SessionService& operator=(const SessionService&) = delete;

  /// Unauthenticated for bad credentials (one message for every cause), ResourceExhausted while locked out.
  core::Result<LoginResult> login(const std::string& username, const std::string& password, const std::string& clientIp,
                                  const std::string& userAgent, const std::string& requestId);
  core::Status logout(const http::Principal& principal, const audit::Actor& actor);

  /// Concurrent requests of one session that is not in the cache share one database read.
  core::Result<std::optional<http::Principal>> authenticate(const http::Request& request) override;
  /// From the cache only: nullopt when answering would need the database.
  std::optional<core::Result<std::optional<http::Principal>>> authenticateFromMemory(
      const http::Request& request) override;

  /// Deletes expired and long-revoked sessions; returns how many. Called by the scheduled cleanup job.
  std::uint64_t purgeExpired();

  const SessionConfig& config() const { return config_; }

  /// What a request presents: the SHA-256 of its session token, and whether the token came in the cookie.
  struct Credentials {
    std::string tokenHash;
    bool viaCookie = false;
  };

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
    bool refreshing = false;  // the background thread is reading the session again; requests are served this entry
  };
  // One database read of a session, shared by every request that needs it while it runs.
  struct Flight {
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    std::optional<http::Principal> result;
    std::exception_ptr error;
  };

  struct Lookup {
    std::optional<http::Principal> principal;  // served from the cache
    bool claimed = false;  // not served: this request is to read the session again (the others are served meanwhile)
  };
  /// The cached principal when it may be served (scheduling a background read when the entry is past the TTL);
  /// with mayClaim, the claim to read it again when its last-seen time is due to be moved on.
  Lookup fromCache(const std::string& tokenHash, bool mayClaim);
  /// Reads the session (joining a read of it already under way), stores or drops the cache entry.
  std::optional<http::Principal> readShared(const std::string& tokenHash);
  std::optional<http::Principal> readAndStore(const std::string& tokenHash);
  void refreshInBackground();

  std::shared_mutex cacheMutex_;
  std::unordered_map<std::string, Cached> cache_;  // by token hash
  std::atomic<std::uint64_t> invalidations_{0};     // logouts and revocations in this process, under cacheMutex_
  std::mutex flightsMutex_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;  // by token hash
  std::mutex refreshMutex_;
  std::condition_variable refreshWanted_;
  std::deque<std::string> refreshQueue_;  // token hashes
  bool stopping_ = false;
  std::thread refresher_;  // started with the first background read
};

}  // namespace cw::auth
