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

// The SHA-256 of the bearer token or, without one, of the session cookie; nullopt when the request carries neither
// (or a token too long to be one of ours).
std::optional<SessionService::Credentials> credentialsOf(const http::Request& request, const std::string& cookieName) {
  std::string token = bearerToken(request);
  bool viaCookie = false;
  if (token.empty()) {
    auto it = request.cookies.find(cookieName);
    if (it == request.cookies.end() || it->second.empty()) return std::nullopt;
    token = it->second;
    viaCookie = true;
  }
  if (token.size() > 128) return std::nullopt;
  return SessionService::Credentials{core::sha256Hex(token), viaCookie};
}

}  // namespace

SessionService::SessionService(db::Pool& pool, audit::AuditLog& audit, UserService& users, const PasswordHasher& hasher,
                               const core::Clock& clock, core::RandomSource& random, SessionConfig config)
    : pool_(pool), audit_(audit), users_(users), hasher_(hasher), clock_(clock), random_(random),
      config_(std::move(config)) {
  users_.setSessionsRevokedListener([this](std::int64_t userId) {
    std::unique_lock lock(cacheMutex_);
    ++invalidations_;
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
    ++invalidations_;
    std::erase_if(cache_, [&](const auto& entry) { return entry.second.principal.sessionId == principal.sessionId; });
  }
  return core::Ok{};
}

namespace {

// The CSRF rule on top of a session found: a cookie-authenticated change must echo the session's token.
core::Result<std::optional<http::Principal>> admit(http::Principal principal, const http::Request& request,
                                                   bool viaCookie) {
  if (viaCookie && !isSafeMethod(request.method) &&
      !core::constantTimeEquals(request.header("X-CSRF-Token"), principal.csrfToken)) {
    return Error::denied("missing or invalid X-CSRF-Token header (required for cookie-authenticated changes)");
  }
  principal.viaCookie = viaCookie;
  return std::optional<http::Principal>(std::move(principal));
}

}  // namespace

SessionService::~SessionService() {
  {
    std::lock_guard lock(refreshMutex_);
    stopping_ = true;
  }
  refreshWanted_.notify_all();
  if (refresher_.joinable()) refresher_.join();
}

SessionService::Lookup SessionService::fromCache(const std::string& tokenHash, bool mayClaim) {
  if (config_.cacheTtl.count() <= 0) return {};
  auto steadyNow = std::chrono::steady_clock::now();
  auto now = clock_.now();
  // usable: may be served (read within twice the TTL, or being read again for up to kRefreshingAtMost however long
  // the database takes under load); stale: read again by the background thread, served meanwhile; touchDue: its
  // last-seen time is to be moved on, which the request does itself before it is served (so that the database
  // knows of every request a session was served for when another process reads it).
  auto usable = [&](const Cached& e) {
    auto age = steadyNow - e.readAt;
    return (age < 2 * config_.cacheTtl || (e.refreshing && age < kRefreshingAtMost)) && now < e.expires &&
           now < e.lastSeen + config_.idleTimeout;
  };
  auto touchDue = [&](const Cached& e) { return !e.refreshing && now - e.lastSeen >= kTouchEvery; };
  auto stale = [&](const Cached& e) { return !e.refreshing && steadyNow - e.readAt >= config_.cacheTtl; };
  {
    std::shared_lock lock(cacheMutex_);
    auto it = cache_.find(tokenHash);
    if (it == cache_.end() || !usable(it->second)) return {};
    if (touchDue(it->second) && !mayClaim) return {};
    if (!touchDue(it->second) && !stale(it->second)) return {it->second.principal, false};
  }
  Lookup found;
  bool schedule = false;
  {
    std::unique_lock lock(cacheMutex_);
    auto it = cache_.find(tokenHash);
    if (it == cache_.end() || !usable(it->second)) return {};
    if (touchDue(it->second)) {
      if (!mayClaim) return {};
      it->second.refreshing = found.claimed = true;
      return found;
    }
    if (stale(it->second)) it->second.refreshing = schedule = true;
    found.principal = it->second.principal;
  }
  if (schedule) {
    {
      std::lock_guard lock(refreshMutex_);
      refreshQueue_.push_back(tokenHash);
      if (!refresher_.joinable()) refresher_ = std::thread([this] { refreshInBackground(); });
    }
    refreshWanted_.notify_one();
  }
  return found;
}

void SessionService::refreshInBackground() {
  std::unique_lock lock(refreshMutex_);
  for (;;) {
    refreshWanted_.wait(lock, [&] { return stopping_ || !refreshQueue_.empty(); });
    if (stopping_) return;
    std::string tokenHash = std::move(refreshQueue_.front());
    refreshQueue_.pop_front();
    lock.unlock();
    bool wanted = false;
    {
      std::shared_lock cacheLock(cacheMutex_);
      auto it = cache_.find(tokenHash);
      wanted = it != cache_.end() && it->second.refreshing;
    }
    try {
      // An entry read meanwhile (by a request, once it was past twice the TTL) or dropped is not read again.
      if (wanted) readShared(tokenHash);
    } catch (const std::exception&) {
      // The database failed: nobody is served the entry any more, so the next request reads it (and reports the
      // failure) itself.
      std::unique_lock cacheLock(cacheMutex_);
      cache_.erase(tokenHash);
    }
    lock.lock();
  }
}

std::optional<http::Principal> SessionService::readShared(const std::string& tokenHash) {
  if (config_.cacheTtl.count() <= 0) return readAndStore(tokenHash);  // every request reads the database
  std::shared_ptr<Flight> flight;
  bool leader = false;
  {
    std::lock_guard lock(flightsMutex_);
    auto& slot = flights_[tokenHash];
    if (!slot) slot = std::make_shared<Flight>(), leader = true;
    flight = slot;
  }
  if (leader) {
    try {
      flight->result = readAndStore(tokenHash);
    } catch (...) {
      flight->error = std::current_exception();
    }
    {
      std::lock_guard lock(flightsMutex_);
      flights_.erase(tokenHash);
    }
    {
      std::lock_guard lock(flight->mutex);
      flight->done = true;
    }
    flight->finished.notify_all();
  } else {
    std::unique_lock lock(flight->mutex);
    flight->finished.wait(lock, [&] { return flight->done; });
  }
  if (flight->error) std::rethrow_exception(flight->error);
  return flight->result;
}

std::optional<http::Principal> SessionService::readAndStore(const std::string& tokenHash) {
  // Whatever ends this read without storing the session again drops its entry: nobody is served it any more.
  struct Drop {
    SessionService& self;
    const std::string& hash;
    bool active = true;
    ~Drop() {
      if (!active) return;
      std::unique_lock lock(self.cacheMutex_);
      self.cache_.erase(hash);
    }
  } drop{*this, tokenHash};
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  // A logout or a disabled account in this process while the session was being read: its result may predate the
  // change, so it is read again rather than stored (twice at most; then answered, not stored).
  for (int attempt = 0;; ++attempt) {
    auto generation = invalidations_.load();
    auto rows = c.query(sql::kSessionByToken, tokenHash);
    if (rows.empty()) return std::nullopt;
    const auto& row = rows[0];
    auto now = clock_.now();
    auto lastSeen = core::parseSqlDateTime(row.str("last_seen_at"));
    auto expires = core::parseSqlDateTime(row.str("expires_at"));
    if (!lastSeen || !expires || now >= *expires || now >= *lastSeen + config_.idleTimeout ||
        row.str("status") != "active") {
      return std::nullopt;
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
    if (config_.cacheTtl.count() > 0) {
      std::unique_lock lock(cacheMutex_);
      if (invalidations_.load() != generation) {
        if (attempt < 2) continue;
        return p;
      }
      if (cache_.size() > 50000) cache_.clear();  // bounded: an entry is worth one database read
      cache_[tokenHash] = {p, now - *lastSeen >= kTouchEvery ? now : *lastSeen, *expires,
                           std::chrono::steady_clock::now()};
      drop.active = false;
    }
    return p;
  }
}

core::Result<std::optional<http::Principal>> SessionService::authenticate(const http::Request& request) {
  auto credentials = credentialsOf(request, config_.cookieName);
  if (!credentials) return std::optional<http::Principal>();
  auto found = fromCache(credentials->tokenHash, true);
  if (found.principal) return admit(std::move(*found.principal), request, credentials->viaCookie);
  // A claimed entry is read by this request alone (the others are served it meanwhile); a session not in the cache
  // is read once for every request that wants it at the time.
  auto read = found.claimed ? readAndStore(credentials->tokenHash) : readShared(credentials->tokenHash);
  if (!read) return std::optional<http::Principal>();
  return admit(std::move(*read), request, credentials->viaCookie);
}

std::optional<core::Result<std::optional<http::Principal>>> SessionService::authenticateFromMemory(
    const http::Request& request) {
  auto credentials = credentialsOf(request, config_.cookieName);
  if (!credentials) return core::Result<std::optional<http::Principal>>(std::optional<http::Principal>());
  auto found = fromCache(credentials->tokenHash, false);
  if (found.principal) return admit(std::move(*found.principal), request, credentials->viaCookie);
  return std::nullopt;
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
