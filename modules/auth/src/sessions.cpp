#include "cw/auth/sessions.hpp"

#include <Poco/JSON/Object.h>

#include "cw/core/crypto.hpp"
#include "cw/core/time.hpp"
#include "cw/core/validation.hpp"
#include "cw/http/json.hpp"
#include "user_sql.hpp"

namespace cw::auth {

using core::Error;
using core::ErrorCode;

namespace {

constexpr auto kTouchEvery = std::chrono::seconds(60);
// A cached session being read again is served to the other requests for at most this long after its last read.
constexpr auto kRefreshingAtMost = std::chrono::seconds(10);
constexpr const char* kBadCredentials = "username or password is incorrect";
constexpr std::size_t kMaxUsernameBytes = 64;
constexpr std::size_t kMaxPasswordBytes = 1024;

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string bearerToken(const http::Request& request) {
  std::string header = request.header("Authorization");
  constexpr std::string_view kPrefix = "Bearer ";
  if (header.size() > kPrefix.size() && lower(header.substr(0, kPrefix.size())) == "bearer ") {
    return core::trim(header.substr(kPrefix.size()));
  }
  return {};
}

bool isSafeMethod(const std::string& method) { return method == "GET" || method == "HEAD" || method == "OPTIONS"; }

}  // namespace

SessionService::SessionService(db::Pool& pool, audit::AuditLog& audit, UserService& users, const PasswordHasher& hasher,
                               const core::Clock& clock, core::RandomSource& random, SessionConfig config)
    : pool_(pool), audit_(audit), users_(users), hasher_(hasher), clock_(clock), random_(random),
      config_(std::move(config)) {
  users_.setSessionsRevokedListener([this](std::int64_t userId) {
    std::unique_lock lock(cacheMutex_);
    std::erase_if(cache_, [&](const auto& entry) { return entry.second.principal.userId == userId; });
  });
}

core::Result<LoginResult> SessionService::login(const std::string& rawUsername, const std::string& password,
                                                const std::string& clientIp, const std::string& userAgent,
                                                const std::string& requestId) {
  std::string username = lower(core::trim(rawUsername));
  if (username.empty()) return Error::invalid("username", "username is required");
  if (username.size() > kMaxUsernameBytes || !core::isValidUtf8(username)) {
    return Error::invalid("username", "username must be at most 64 characters of valid text");
  }
  if (password.empty()) return Error::invalid("password", "password is required");
  if (password.size() > kMaxPasswordBytes) return Error::invalid("password", "password is too long");

  auto now = clock_.now();
  std::string nowSql = core::formatSqlDateTime(now);
  auto lease = pool_.acquire();
  db::Connection& c = *lease;

  // The address's count shares the table with the usernames' under a key no username can have (they start with a
  // letter); a typed name that is not a possible username is counted for the address only.
  std::string addressKey = "@address:" + clientIp.substr(0, 54);
  bool possibleUser = checkUsername("username", username).ok();
  auto lockedUntil = [&](const std::string& key) -> std::optional<core::TimePoint> {
    auto state = c.query(sql::kThrottleState, key);
    if (state.empty() || state[0].isNull("locked_until")) return std::nullopt;
    auto until = core::parseSqlDateTime(state[0].str("locked_until"));
    if (until && *until > now) return until;
    return std::nullopt;
  };
  if (auto until = lockedUntil(addressKey)) {
    return Error{ErrorCode::ResourceExhausted,
                 "too many failed sign-in attempts from this address; try again after " + core::formatIsoUtc(*until) +
                     " (UTC)",
                 {}};
  }
  if (auto until = possibleUser ? lockedUntil(username) : std::nullopt) {
    return Error{ErrorCode::ResourceExhausted,
                 "too many failed sign-in attempts; this account is locked until " + core::formatIsoUtc(*until) +
                     " (UTC)",
                 {}};
  }

  auto rows = c.query(sql::kUserForLogin, username);
  bool valid = false;
  if (rows.empty()) {
    hasher_.verifyDummy(password);
  } else {
    valid = hasher_.verify(password, rows[0].str("password_hash")) && rows[0].str("status") == "active";
  }

  audit::Actor actor{std::nullopt, username, "anonymous", clientIp, requestId};
  if (!valid) {
    db::Transaction tx(c);
    // A run of failures counts only while each follows the previous within the lockout window. Returns the count.
    auto countFailure = [&](const std::string& key) {
      c.execute(sql::kResetStaleFailures, key, core::formatSqlDateTime(now - config_.lockout));
      c.execute(sql::kCountFailure, key, nowSql, nowSql);
      auto state = c.query(sql::kThrottleState, key);
      return state.empty() ? std::int64_t{0} : state[0].i64("failures");
    };
    auto lock = [&](const std::string& key, const std::string& targetType, const std::string& target) {
      auto until = now + config_.lockout;
      c.execute(sql::kLockUsername, core::formatSqlDateTime(until), key);
      Poco::JSON::Object::Ptr detail = new Poco::JSON::Object;
      detail->set("locked_until", core::formatIsoUtc(until));
      audit_.append(c, actor, {"auth.locked", targetType, target, http::toJsonText(detail)});
    };
    std::int64_t failures = possibleUser ? countFailure(username) : 0;
    std::int64_t fromAddress = countFailure(addressKey);
    Poco::JSON::Object::Ptr summary = new Poco::JSON::Object;
    summary->set("failures", failures);
    summary->set("failures_from_address", fromAddress);
    audit_.append(c, actor, {"auth.login_failed", "username", username.substr(0, 64), http::toJsonText(summary)});
    if (possibleUser && failures >= config_.maxFailures) lock(username, "username", username);
    if (fromAddress >= config_.maxFailuresPerAddress) lock(addressKey, "address", clientIp);
    tx.commit();
    return Error{ErrorCode::Unauthenticated, kBadCredentials, {}};
  }

  std::int64_t userId = rows[0].i64("id");
  std::string token = core::randomToken(random_, 32);
  std::string csrf = core::randomToken(random_, 24);
  auto expires = now + config_.absoluteTimeout;
  std::string ua = userAgent.substr(0, 255);
  if (!core::isValidUtf8(ua)) ua = "";
  db::Transaction tx(c);
  // The user row's exclusive lock first: the session's foreign key takes a shared lock on that row, and two sign-ins
  // to one account that each held it before updating the row deadlocked (error 1213).
  c.execute(sql::kTouchLogin, nowSql, userId);
  c.execute(sql::kClearThrottle, username);
  c.execute(sql::kInsertSession, core::sha256Hex(token), userId, csrf, nowSql, nowSql,
            core::formatSqlDateTime(expires), clientIp, ua);
  std::int64_t sessionId = c.lastInsertId();
  actor.id = userId;
  actor.role = rows[0].str("role");
  audit_.append(c, actor, {"auth.login", "session", std::to_string(sessionId), "{}"});
  tx.commit();
  auto user = users_.find(c, userId);
  if (!user) return Error::notFound("user " + std::to_string(userId) + " does not exist");
  return LoginResult{token, csrf, core::formatIsoUtc(expires), *user};
}

core::Status SessionService::logout(const http::Principal& principal, const audit::Actor& actor) {
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  c.execute(sql::kRevokeSession, core::formatSqlDateTime(clock_.now()), principal.sessionId);
  audit_.append(c, actor, {"auth.logout", "session", std::to_string(principal.sessionId), "{}"});
  tx.commit();
  // After the commit: a request reading the session before it would otherwise cache it again as active.
  {
    std::unique_lock lock(cacheMutex_);
    std::erase_if(cache_, [&](const auto& entry) { return entry.second.principal.sessionId == principal.sessionId; });
  }
  return core::Ok{};
}

core::Result<std::optional<http::Principal>> SessionService::authenticate(const http::Request& request) {
  std::string token = bearerToken(request);
  bool viaCookie = false;
  if (token.empty()) {
    auto it = request.cookies.find(config_.cookieName);
    if (it == request.cookies.end() || it->second.empty()) return std::optional<http::Principal>();
    token = it->second;
    viaCookie = true;
  }
  if (token.size() > 128) return std::optional<http::Principal>();
  std::string tokenHash = core::sha256Hex(token);
  // Within the TTL a cached session is served as it is. Past it (or when its last-seen time is due to be moved on),
  // one request reads the database again while the others are still served the entry, so that an expiry does not
  // send every request in flight to the database at once.
  bool claimed = false;
  if (config_.cacheTtl.count() > 0) {
    auto steadyNow = std::chrono::steady_clock::now();
    auto now = clock_.now();
    // usable: may be served while another request refreshes it (until that read ends, however long the database
    // takes under load, up to kRefreshingAtMost: sending every request to a slow database at once would only make it
    // slower); fresh: needs no refresh (read within the TTL, its last-seen time not yet due to be moved on).
    auto usable = [&](const Cached& e) {
      auto age = steadyNow - e.readAt;
      return (age < 2 * config_.cacheTtl || (e.refreshing && age < kRefreshingAtMost)) && now < e.expires &&
             now < e.lastSeen + config_.idleTimeout;
    };
    auto servable = [&](const Cached& e) {
      return (steadyNow - e.readAt < config_.cacheTtl && now - e.lastSeen < kTouchEvery) || e.refreshing;
    };
    std::optional<http::Principal> cached;
    {
      std::shared_lock lock(cacheMutex_);
      auto it = cache_.find(tokenHash);
      if (it != cache_.end() && usable(it->second) && servable(it->second)) cached = it->second.principal;
    }
    if (!cached) {
      std::unique_lock lock(cacheMutex_);
      auto it = cache_.find(tokenHash);
      if (it != cache_.end() && usable(it->second)) {
        if (servable(it->second)) {
          cached = it->second.principal;
        } else {
          it->second.refreshing = true;
          claimed = true;
        }
      }
    }
    if (cached) {
      if (viaCookie && !isSafeMethod(request.method) &&
          !core::constantTimeEquals(request.header("X-CSRF-Token"), cached->csrfToken)) {
        return Error::denied("missing or invalid X-CSRF-Token header (required for cookie-authenticated changes)");
      }
      cached->viaCookie = viaCookie;
      return cached;
    }
  }
  // A claimed entry that is not stored again below is dropped when the session is gone or the read failed (nobody
  // is served it any more), and only released for the next request to refresh when the session is fine but this
  // request is refused (a wrong CSRF token).
  struct Unclaim {
    SessionService& self;
    const std::string& hash;
    bool active;
    bool sessionValid = false;
    ~Unclaim() {
      if (!active) return;
      std::unique_lock lock(self.cacheMutex_);
      auto it = self.cache_.find(hash);
      if (it == self.cache_.end()) return;
      if (sessionValid) it->second.refreshing = false;
      else self.cache_.erase(it);
    }
  } unclaim{*this, tokenHash, claimed};
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  auto rows = c.query(sql::kSessionByToken, tokenHash);
  if (rows.empty()) return std::optional<http::Principal>();
  const auto& row = rows[0];
  auto now = clock_.now();
  auto lastSeen = core::parseSqlDateTime(row.str("last_seen_at"));
  auto expires = core::parseSqlDateTime(row.str("expires_at"));
  if (!lastSeen || !expires || now >= *expires || now >= *lastSeen + config_.idleTimeout ||
      row.str("status") != "active") {
    return std::optional<http::Principal>();
  }
  unclaim.sessionValid = true;
  if (viaCookie && !isSafeMethod(request.method) &&
      !core::constantTimeEquals(request.header("X-CSRF-Token"), row.str("csrf_token"))) {
    return Error::denied("missing or invalid X-CSRF-Token header (required for cookie-authenticated changes)");
  }
  if (now - *lastSeen >= kTouchEvery) c.execute(sql::kTouchSession, core::formatSqlDateTime(now), row.i64("id"));
  http::Principal p;
  p.userId = row.i64("user_id");
  p.username = row.str("username");
  p.displayName = row.str("display_name");
  p.role = row.str("role");
  p.departmentCode = row.optStr("department_code");
  p.regionCode = row.optStr("region_code");
  p.institutionId = row.optI64("institution_id");
  p.sessionId = row.i64("id");
  p.sessionExpiresAt = core::formatIsoUtc(*expires);
  p.csrfToken = row.str("csrf_token");
  p.viaCookie = viaCookie;
  if (config_.cacheTtl.count() > 0) {
    std::unique_lock lock(cacheMutex_);
    if (cache_.size() > 50000) cache_.clear();  // bounded: an entry is worth one database read
    cache_[tokenHash] = {p, now - *lastSeen >= kTouchEvery ? now : *lastSeen, *expires, std::chrono::steady_clock::now()};
    unclaim.active = false;
  }
  return std::optional<http::Principal>(std::move(p));
}

std::uint64_t SessionService::purgeExpired() {
  auto now = clock_.now();
  auto lease = pool_.acquire();
  std::uint64_t total = 0;
  for (;;) {
    auto n = lease->execute(sql::kDeleteOldSessions, core::formatSqlDateTime(now),
                            core::formatSqlDateTime(now - config_.idleTimeout),
                            core::formatSqlDateTime(now - std::chrono::hours(24)));
    total += n;
    if (n < 1000) break;
  }
  return total;
}

}  // namespace cw::auth
