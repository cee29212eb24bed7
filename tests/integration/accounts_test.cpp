#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cw/audit/audit_log.hpp"
#include "cw/auth/password.hpp"
#include "cw/auth/sessions.hpp"
#include "cw/auth/users.hpp"
#include "cw/core/clock.hpp"
#include "cw/core/crypto.hpp"
#include "cw/core/random.hpp"
#include "cw/core/time.hpp"
#include "cw/http/request.hpp"
#include "support/test_db.hpp"

namespace cw {
namespace {

using namespace std::chrono_literals;

/// Designated initializers would leave fields without defaults unnamed, which -Wextra rejects.
template <typename Fill>
audit::AuditQuery queryWhere(Fill fill) {
  audit::AuditQuery q;
  fill(q);
  return q;
}
using core::ErrorCode;

constexpr const char* kPassword = "Kx9#harbour-lamp";
constexpr const char* kOtherPassword = "Qz7!meadow-Stone";

class AccountsTest : public ::testing::Test {
 protected:
  // One hasher for the suite: its constructor spends a full PBKDF2 run on the dummy hash.
  static void SetUpTestSuite() {
    random_ = std::make_unique<core::SecureRandom>();
    hasher_ = std::make_unique<auth::PasswordHasher>(*random_, 600000);
  }
  static void TearDownTestSuite() {
    hasher_.reset();
    random_.reset();
  }

  void SetUp() override {
    auto lease = database.pool().acquire();
    lease->execute("INSERT INTO departments (code, name, name_en, sector, sort_order) VALUES (?, ?, ?, ?, ?)", "mz",
                   "民政局", "Civil Affairs", "elderly", 1);
    lease->execute("INSERT INTO regions (code, name, parent_code, level) VALUES (?, ?, ?, ?)", "320000", "江苏省",
                   std::optional<std::string>(), "province");
    lease->execute("INSERT INTO regions (code, name, parent_code, level) VALUES (?, ?, ?, ?)", "320100", "南京市",
                   "320000", "city");
    lease->execute(
        "INSERT INTO institutions (credit_code, name, kind, region_code, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        "91320100MA1XXXXX0Y", "南京市康乐养老院", "elderly", "320100", "2026-01-01 00:00:00", "2026-01-01 00:00:00");
    institutionId = lease->lastInsertId();
  }

  auth::NewUser officer(const std::string& username) {
    auth::NewUser u;
    u.username = username;
    u.displayName = "王科员";
    u.role = "officer";
    u.password = kPassword;
    u.departmentCode = "mz";
    return u;
  }

  auth::NewUser inspector(const std::string& username) {
    auth::NewUser u = officer(username);
    u.displayName = "李执法";
    u.role = "inspector";
    u.regionCode = "320100";
    u.certificateNo = "JS-2026-0042";
    return u;
  }

  auth::User createOfficer(const std::string& username) {
    auto created = users.create(admin, officer(username));
    if (!created) throw std::runtime_error("create failed: " + created.error().message);
    return *created;
  }

  http::Request bearer(const std::string& token, std::string method = "GET") {
    http::Request r;
    r.method = std::move(method);
    r.path = "/api/v1/auth/me";
    r.headers["authorization"] = "Bearer " + token;
    return r;
  }

  http::Request cookie(const std::string& token, std::string method) {
    http::Request r;
    r.method = std::move(method);
    r.path = "/api/v1/users";
    r.cookies["cw_session"] = token;
    return r;
  }

  std::optional<http::Principal> authenticated(const http::Request& request) {
    auto result = sessions.authenticate(request);
    if (!result) throw std::runtime_error("authenticate failed: " + result.error().message);
    return *result;
  }

  core::Result<auth::LoginResult> login(const std::string& username, const std::string& password) {
    return sessions.login(username, password, "192.0.2.10", "gtest", "req-login");
  }

  std::int64_t countRows(const std::string& sql) {
    auto lease = database.pool().acquire();
    return lease->query(sql)[0].i64("n");
  }

  static inline std::unique_ptr<core::SecureRandom> random_;
  static inline std::unique_ptr<auth::PasswordHasher> hasher_;

  testing::TestDatabase database;
  core::ManualClock clock{*core::parseIsoUtc("2026-03-02T01:00:00Z")};
  audit::AuditLog audit{clock};
  auth::UserService users{database.pool(), audit, *hasher_, clock};
  auth::SessionService sessions{database.pool(), audit, users, *hasher_, clock, *random_, auth::SessionConfig{}};
  audit::Actor admin{900, "root", "admin", "127.0.0.1", "req-admin"};  // not one of the users created here
  std::int64_t institutionId = 0;
};

TEST_F(AccountsTest, DuplicateUsernameIsConflictOnUsername) {
  createOfficer("officer.wang");
  auto again = users.create(admin, officer("officer.wang"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::Conflict);
  EXPECT_EQ(again.error().field, "username");
  EXPECT_NE(again.error().message.find("officer.wang"), std::string::npos) << again.error().message;
  EXPECT_EQ(countRows("SELECT COUNT(*) AS n FROM users"), 1);
  EXPECT_EQ(countRows("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'user.create'"), 1);
}

TEST_F(AccountsTest, OfficerWithoutDepartmentIsInvalidOnDepartmentCode) {
  auto input = officer("officer.li");
  input.departmentCode.reset();
  auto result = users.create(admin, input);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(result.error().field, "department_code");

  input.departmentCode = "nosuch";
  result = users.create(admin, input);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().field, "department_code");
  EXPECT_NE(result.error().message.find("nosuch"), std::string::npos) << result.error().message;
  EXPECT_EQ(countRows("SELECT COUNT(*) AS n FROM users"), 0);
}

TEST_F(AccountsTest, InspectorWithoutCertificateIsInvalidOnCertificateNo) {
  auto input = inspector("inspector.zhao");
  input.certificateNo.reset();
  auto result = users.create(admin, input);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(result.error().field, "certificate_no");

  input = inspector("inspector.zhao");
  input.regionCode.reset();
  result = users.create(admin, input);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().field, "region_code");
  EXPECT_EQ(countRows("SELECT COUNT(*) AS n FROM users"), 0);
}

TEST_F(AccountsTest, UnknownRegionCodeIsInvalidNamingIt) {
  auto input = inspector("inspector.qian");
  input.regionCode = "990101";
  auto result = users.create(admin, input);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(result.error().field, "region_code");
  EXPECT_NE(result.error().message.find("990101"), std::string::npos) << result.error().message;
}

TEST_F(AccountsTest, WeakPasswordIsInvalidOnPassword) {
  for (std::string weak : {"Short1!", "alllowercaseletters", "officer.sun-Pass1", "ABCDEFGHIJKLMN12"}) {
    auto input = officer("officer.sun");
    input.password = weak;
    auto result = users.create(admin, input);
    ASSERT_FALSE(result.ok()) << weak << " was accepted";
    EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument) << weak;
    EXPECT_EQ(result.error().field, "password") << weak;
  }
  EXPECT_EQ(countRows("SELECT COUNT(*) AS n FROM users"), 0);
}

TEST_F(AccountsTest, EachCreateWritesUserCreateAuditRecordWithoutSecrets) {
  auto wang = createOfficer("officer.wang");
  auto created = users.create(admin, inspector("inspector.zhao"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->regionCode, std::optional<std::string>("320100"));
  EXPECT_EQ(created->regionName, std::optional<std::string>("南京市"));
  EXPECT_EQ(created->departmentName, std::optional<std::string>("民政局"));
  EXPECT_EQ(created->status, "active");

  auto lease = database.pool().acquire();
  auto [records, total] = audit.list(*lease, queryWhere([&](audit::AuditQuery& q) { q.action = "user.create"; }));
  ASSERT_EQ(total, 2);
  EXPECT_EQ(records[0].objectId, std::to_string(created->id));
  EXPECT_EQ(records[1].objectId, std::to_string(wang.id));
  for (const auto& r : records) {
    EXPECT_EQ(r.objectType, "user");
    EXPECT_EQ(r.actorName, "root");
    EXPECT_EQ(r.actorId, std::optional<std::int64_t>(900));
    EXPECT_EQ(r.summary.find(kPassword), std::string::npos) << r.summary;
    EXPECT_EQ(r.summary.find("pbkdf2"), std::string::npos) << r.summary;
  }
  EXPECT_NE(records[0].summary.find("inspector.zhao"), std::string::npos) << records[0].summary;
  EXPECT_TRUE(audit.verify(*lease).ok);

  // Only a PBKDF2 hash is stored.
  auto hash = lease->query("SELECT password_hash FROM users WHERE id = ?", wang.id)[0].str("password_hash");
  EXPECT_EQ(hash.rfind("pbkdf2-sha256$600000$", 0), 0u) << hash;
}

TEST_F(AccountsTest, InstitutionAccountMustBeBoundToAnExistingInstitution) {
  auth::NewUser input;
  input.username = "inst.kangle";
  input.displayName = "康乐养老院";
  input.role = "institution";
  input.password = kPassword;
  auto result = users.create(admin, input);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().field, "institution_id");
  input.institutionId = institutionId + 100;
  result = users.create(admin, input);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().field, "institution_id");
  input.institutionId = institutionId;
  result = users.create(admin, input);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->institutionId, std::optional<std::int64_t>(institutionId));
}

TEST_F(AccountsTest, LoginReturnsTokenThatAuthenticatesAsBearer) {
  auto wang = createOfficer("officer.wang");
  auto result = login("  Officer.Wang ", kPassword);  // usernames are matched trimmed and lower-cased
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_GE(result->token.size(), 40u);
  EXPECT_FALSE(result->csrfToken.empty());
  EXPECT_EQ(result->expiresAt, "2026-03-02T13:00:00Z");
  EXPECT_EQ(result->user.id, wang.id);
  EXPECT_TRUE(result->user.lastLoginAt.has_value());

  auto principal = authenticated(bearer(result->token));
  ASSERT_TRUE(principal.has_value());
  EXPECT_EQ(principal->userId, wang.id);
  EXPECT_EQ(principal->username, "officer.wang");
  EXPECT_EQ(principal->role, "officer");
  EXPECT_EQ(principal->departmentCode, std::optional<std::string>("mz"));
  EXPECT_FALSE(principal->viaCookie);
  EXPECT_GT(principal->sessionId, 0);

  // A bearer write needs no CSRF token.
  EXPECT_TRUE(authenticated(bearer(result->token, "POST")).has_value());
  // Unknown tokens and requests without credentials are anonymous.
  EXPECT_FALSE(authenticated(bearer(result->token + "x")).has_value());
  EXPECT_FALSE(authenticated(http::Request{}).has_value());

  // Only the token's SHA-256 is stored, and the sign-in is audited.
  auto lease = database.pool().acquire();
  auto stored = lease->query("SELECT token_hash FROM sessions WHERE id = ?", principal->sessionId);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].str("token_hash"), core::sha256Hex(result->token));
  auto [records, total] = audit.list(*lease, queryWhere([&](audit::AuditQuery& q) { q.action = "auth.login"; }));
  ASSERT_EQ(total, 1);
  EXPECT_EQ(records[0].objectId, std::to_string(principal->sessionId));
  EXPECT_EQ(records[0].actorId, std::optional<std::int64_t>(wang.id));
}

TEST_F(AccountsTest, UnknownUserAndWrongPasswordGetTheSameAnswer) {
  createOfficer("officer.wang");
  auto wrong = login("officer.wang", kOtherPassword);
  auto unknown = login("officer.nobody", kPassword);
  ASSERT_FALSE(wrong.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::Unauthenticated);
  EXPECT_EQ(unknown.error().code, wrong.error().code);
  EXPECT_EQ(unknown.error().message, wrong.error().message);
  EXPECT_EQ(unknown.error().field, wrong.error().field);
  EXPECT_EQ(countRows("SELECT COUNT(*) AS n FROM sessions"), 0);
  EXPECT_EQ(countRows("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'auth.login_failed'"), 2);
}

TEST_F(AccountsTest, FiveWrongPasswordsLockOutEvenTheRightPasswordForFifteenMinutes) {
  createOfficer("officer.wang");
  for (int i = 1; i <= 5; ++i) {
    auto attempt = login("officer.wang", kOtherPassword);
    ASSERT_FALSE(attempt.ok());
    EXPECT_EQ(attempt.error().code, ErrorCode::Unauthenticated) << "attempt " << i;
    clock.advance(10s);
  }
  auto locked = login("officer.wang", kPassword);
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.error().code, ErrorCode::ResourceExhausted) << locked.error().message;

  auto user = users.getByUsername("officer.wang");
  ASSERT_TRUE(user.ok());
  EXPECT_TRUE(user->lockedUntil.has_value());

  clock.advance(14min);  // 14m10s after the lock: still locked
  auto stillLocked = login("officer.wang", kPassword);
  ASSERT_FALSE(stillLocked.ok());
  EXPECT_EQ(stillLocked.error().code, ErrorCode::ResourceExhausted);

  clock.advance(1min);
  auto afterwards = login("officer.wang", kPassword);
  ASSERT_TRUE(afterwards.ok()) << afterwards.error().message;
  // The account's count is cleared by the success; the client address's count is not (a valid account must not
  // reset the guessing of others from the same address), and 5 failures are far below its limit.
  EXPECT_EQ(countRows("SELECT COUNT(*) AS n FROM login_throttle WHERE username = 'officer.wang'"), 0);
  EXPECT_EQ(countRows("SELECT COUNT(*) AS n FROM login_throttle WHERE username LIKE '@address:%'"
                      " AND locked_until IS NULL"), 1);
  EXPECT_EQ(countRows("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'auth.locked'"), 1);
}

TEST_F(AccountsTest, UnknownUsernameIsLockedOutLikeARealOne) {
  for (int i = 0; i < 5; ++i) {
    auto attempt = login("officer.ghost", kPassword);
    ASSERT_FALSE(attempt.ok());
    EXPECT_EQ(attempt.error().code, ErrorCode::Unauthenticated);
  }
  auto locked = login("officer.ghost", kPassword);
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.error().code, ErrorCode::ResourceExhausted);
}

TEST_F(AccountsTest, SessionEndsAfterThirtyMinutesIdle) {
  createOfficer("officer.wang");
  auto session = login("officer.wang", kPassword);
  ASSERT_TRUE(session.ok()) << session.error().message;
  clock.advance(29min);
  EXPECT_TRUE(authenticated(bearer(session->token)).has_value());
  clock.advance(29min);  // 58 minutes after sign-in, 29 after the last request
  EXPECT_TRUE(authenticated(bearer(session->token)).has_value());
  clock.advance(31min);
  EXPECT_FALSE(authenticated(bearer(session->token)).has_value());
}

TEST_F(AccountsTest, ActivityKeepsSessionAliveUntilTheTwelveHourLimit) {
  createOfficer("officer.wang");
  auto session = login("officer.wang", kPassword);
  ASSERT_TRUE(session.ok()) << session.error().message;
  for (int step = 1; step < 36; ++step) {  // 20, 40, ... 11h40m after sign-in
    clock.advance(20min);
    ASSERT_TRUE(authenticated(bearer(session->token)).has_value()) << "after " << step * 20 << " minutes";
  }
  clock.advance(19min);  // 11h59m
  EXPECT_TRUE(authenticated(bearer(session->token)).has_value());
  clock.advance(1min);  // 12h exactly
  EXPECT_FALSE(authenticated(bearer(session->token)).has_value());
}

// Sign-ins to one shared account at the same moment (an institution's desk, a double click) each get a session: the
// session row's foreign key and the last-login update lock the same user row, which deadlocked when taken in that
// order (sqlmap's parallel sign-ins: 7 of 40 answered 500).
TEST_F(AccountsTest, ConcurrentSignInsToOneAccountAllSucceed) {
  createOfficer("officer.wang");
  constexpr int kThreads = 4;
  constexpr int kRounds = 4;
  std::atomic<int> succeeded{0};
  std::vector<std::string> failures;
  std::mutex failuresMutex;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        try {
          auto result = login("officer.wang", kPassword);
          if (result.ok()) {
            ++succeeded;
          } else {
            std::lock_guard lock(failuresMutex);
            failures.push_back(result.error().message);
          }
        } catch (const std::exception& e) {
          std::lock_guard lock(failuresMutex);
          failures.push_back(e.what());
        }
      });
    }
    for (auto& thread : threads) thread.join();
  }
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed, first: " << failures.front();
  EXPECT_EQ(succeeded.load(), kThreads * kRounds);
  EXPECT_EQ(countRows("SELECT COUNT(*) AS n FROM sessions"), kThreads * kRounds);
  EXPECT_EQ(countRows("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'auth.login'"), kThreads * kRounds);
}

// Holds a write lock on the sessions table from a connection of its own, so that every read of a session waits
// until it is released.
class SessionsTableLock {
 public:
  explicit SessionsTableLock(db::Pool& pool) : lease_(pool.acquire()) { lease_->execute("LOCK TABLES sessions WRITE"); }
  ~SessionsTableLock() { release(); }
  void release() {
    if (held_) lease_->execute("UNLOCK TABLES");
    held_ = false;
  }

 private:
  db::Lease lease_;
  bool held_ = true;
};

// The first requests of a session after a start (or after it fell out of the cache) arrive together: they wait for
// one read of it instead of each taking a database connection (64 at once emptied the pool, and some answered 503).
TEST_F(AccountsTest, RequestsOfASessionNotInTheCacheShareOneRead) {
  createOfficer("officer.wang");
  auto session = login("officer.wang", kPassword);
  ASSERT_TRUE(session.ok()) << session.error().message;
  constexpr int kRequests = 8;
  std::atomic<int> served{0};
  std::vector<std::thread> threads;
  std::uint64_t before = 0;
  {
    SessionsTableLock lock(database.pool());
    before = database.pool().stats().acquired;
    for (int i = 0; i < kRequests; ++i) {
      threads.emplace_back([&] {
        if (authenticated(bearer(session->token))) ++served;
      });
    }
    std::this_thread::sleep_for(300ms);  // every request is waiting for the read by now
    lock.release();
    for (auto& thread : threads) thread.join();
  }
  EXPECT_EQ(served.load(), kRequests);
  EXPECT_EQ(database.pool().stats().acquired - before, 1u) << "connections taken for " << kRequests << " requests";
}

// Past the cache time a session is read again by a background thread; requests are served the entry meanwhile
// instead of one of them waiting for the database (which took seconds on a loaded machine).
TEST_F(AccountsTest, ASessionPastTheCacheTimeIsServedWhileReadAgainInTheBackground) {
  createOfficer("officer.wang");
  auto session = login("officer.wang", kPassword);
  ASSERT_TRUE(session.ok()) << session.error().message;
  ASSERT_TRUE(authenticated(bearer(session->token)).has_value());  // cached
  SessionsTableLock lock(database.pool());
  std::this_thread::sleep_for(1100ms);  // past the default cache time of 1 s, within twice it
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(authenticated(bearer(session->token)).has_value());
  EXPECT_TRUE(sessions.authenticateFromMemory(bearer(session->token)).has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 500ms) << "a request waited for the locked table";
  lock.release();
  // Revoked behind the cache's back (as by another process): refused within twice the cache time plus a read.
  {
    auto lease = database.pool().acquire();
    lease->execute("UPDATE sessions SET revoked_at = NOW() WHERE token_hash = ?", core::sha256Hex(session->token));
  }
  auto deadline = std::chrono::steady_clock::now() + 2500ms;
  bool stillServed = true;
  while (stillServed && std::chrono::steady_clock::now() < deadline) {
    stillServed = authenticated(bearer(session->token)).has_value();
    if (stillServed) std::this_thread::sleep_for(20ms);
  }
  EXPECT_FALSE(stillServed) << "the revoked session was still served after 2.5 s";
}

// An event loop asks the cache only: a session that is not there, or whose last-seen time is due to be moved on,
// is left to authenticate(), which records the activity before serving it.
TEST_F(AccountsTest, AuthenticatingFromMemoryNeverReadsTheDatabase) {
  createOfficer("officer.wang");
  auto session = login("officer.wang", kPassword);
  ASSERT_TRUE(session.ok()) << session.error().message;
  auto none = sessions.authenticateFromMemory(http::Request{});
  ASSERT_TRUE(none.has_value());
  ASSERT_TRUE(none->ok());
  EXPECT_FALSE(none->value().has_value());  // no credentials: answered, anonymous
  auto before = database.pool().stats().acquired;
  EXPECT_FALSE(sessions.authenticateFromMemory(bearer(session->token)).has_value());  // not cached yet
  EXPECT_EQ(database.pool().stats().acquired, before);
  ASSERT_TRUE(authenticated(bearer(session->token)).has_value());
  auto cached = sessions.authenticateFromMemory(bearer(session->token));
  ASSERT_TRUE(cached.has_value());
  ASSERT_TRUE(cached->ok());
  ASSERT_TRUE(cached->value().has_value());
  EXPECT_EQ(cached->value()->username, "officer.wang");
  clock.advance(2min);  // the last-seen time is due to be moved on
  before = database.pool().stats().acquired;
  EXPECT_FALSE(sessions.authenticateFromMemory(bearer(session->token)).has_value());
  EXPECT_EQ(database.pool().stats().acquired, before);
  ASSERT_TRUE(authenticated(bearer(session->token)).has_value());
  EXPECT_EQ(countRows("SELECT COUNT(*) AS n FROM sessions WHERE last_seen_at = '" +
                      core::formatSqlDateTime(clock.now()) + "'"),
            1);
}

TEST_F(AccountsTest, LogoutRevokesTheSession) {
  createOfficer("officer.wang");
  auto first = login("officer.wang", kPassword);
  auto second = login("officer.wang", kPassword);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  auto principal = authenticated(bearer(first->token));
  ASSERT_TRUE(principal.has_value());
  auto request = bearer(first->token);
  request.principal = principal;
  auto done = sessions.logout(*principal, audit::Actor::of(request));
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(authenticated(bearer(first->token)).has_value());
  EXPECT_TRUE(authenticated(bearer(second->token)).has_value());  // only that session ends
  EXPECT_EQ(countRows("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'auth.logout'"), 1);
}

TEST_F(AccountsTest, DisablingUserEndsTheirSessionsAndBlocksSignIn) {
  auto wang = createOfficer("officer.wang");
  auto session = login("officer.wang", kPassword);
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(authenticated(bearer(session->token)).has_value());

  auto disabled = users.setStatus(admin, wang.id, "disabled");
  ASSERT_TRUE(disabled.ok()) << disabled.error().message;
  EXPECT_EQ(disabled->status, "disabled");
  EXPECT_FALSE(authenticated(bearer(session->token)).has_value());

  auto refused = login("officer.wang", kPassword);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::Unauthenticated);
  EXPECT_EQ(refused.error().message, "username or password is incorrect");

  // Re-enabling does not revive the old session.
  ASSERT_TRUE(users.setStatus(admin, wang.id, "active").ok());
  EXPECT_FALSE(authenticated(bearer(session->token)).has_value());
  EXPECT_EQ(countRows("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'user.disable'"), 1);
}

TEST_F(AccountsTest, AdminCannotDisableOwnAccount) {
  auto wang = createOfficer("officer.wang");
  audit::Actor self{wang.id, "officer.wang", "admin", "127.0.0.1", "req-self"};
  auto result = users.setStatus(self, wang.id, "disabled");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::FailedPrecondition);
  EXPECT_EQ(users.get(wang.id)->status, "active");
}

TEST_F(AccountsTest, ResetPasswordEndsSessionsAndOnlyTheNewPasswordWorks) {
  auto wang = createOfficer("officer.wang");
  auto session = login("officer.wang", kPassword);
  ASSERT_TRUE(session.ok());
  auto reset = users.resetPassword(admin, wang.id, kOtherPassword);
  ASSERT_TRUE(reset.ok()) << reset.error().message;
  EXPECT_FALSE(authenticated(bearer(session->token)).has_value());
  EXPECT_FALSE(login("officer.wang", kPassword).ok());
  auto fresh = login("officer.wang", kOtherPassword);
  ASSERT_TRUE(fresh.ok()) << fresh.error().message;
  EXPECT_TRUE(authenticated(bearer(fresh->token)).has_value());
  EXPECT_EQ(countRows("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'user.password_reset'"), 1);
}

TEST_F(AccountsTest, CookieWritesNeedTheSessionsCsrfTokenButReadsDoNot) {
  createOfficer("officer.wang");
  auto session = login("officer.wang", kPassword);
  ASSERT_TRUE(session.ok());

  auto noHeader = sessions.authenticate(cookie(session->token, "POST"));
  ASSERT_FALSE(noHeader.ok());
  EXPECT_EQ(noHeader.error().code, ErrorCode::PermissionDenied);

  auto wrongHeader = cookie(session->token, "DELETE");
  wrongHeader.headers["x-csrf-token"] = session->csrfToken + "x";
  auto wrong = sessions.authenticate(wrongHeader);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::PermissionDenied);

  auto withHeader = cookie(session->token, "POST");
  withHeader.headers["x-csrf-token"] = session->csrfToken;
  auto principal = authenticated(withHeader);
  ASSERT_TRUE(principal.has_value());
  EXPECT_TRUE(principal->viaCookie);
  EXPECT_EQ(principal->username, "officer.wang");

  auto read = authenticated(cookie(session->token, "GET"));
  ASSERT_TRUE(read.has_value());
  EXPECT_TRUE(read->viaCookie);

  // The principal carries the session's CSRF token and absolute expiry (what GET /auth/me reports).
  EXPECT_EQ(read->csrfToken, session->csrfToken);
  EXPECT_EQ(read->sessionExpiresAt, session->expiresAt);
}

TEST_F(AccountsTest, PurgeExpiredRemovesEndedSessionsOnly) {
  createOfficer("officer.wang");
  auto early = login("officer.wang", kPassword);  // T0
  ASSERT_TRUE(early.ok());
  clock.advance(20min);
  auto late = login("officer.wang", kPassword);  // T0+20m
  ASSERT_TRUE(late.ok());
  clock.advance(15min);  // early idle for 35m, late for 15m
  EXPECT_EQ(countRows("SELECT COUNT(*) AS n FROM sessions"), 2);
  EXPECT_EQ(sessions.purgeExpired(), 1u);
  EXPECT_EQ(countRows("SELECT COUNT(*) AS n FROM sessions"), 1);
  EXPECT_TRUE(authenticated(bearer(late->token)).has_value());
  EXPECT_EQ(sessions.purgeExpired(), 0u);

  clock.advance(31min);
  EXPECT_EQ(sessions.purgeExpired(), 1u);
  EXPECT_EQ(countRows("SELECT COUNT(*) AS n FROM sessions"), 0);
  EXPECT_FALSE(authenticated(bearer(late->token)).has_value());
}

TEST_F(AccountsTest, AuditChainStaysValidThroughAccountLifecycle) {
  auto wang = createOfficer("officer.wang");
  ASSERT_FALSE(login("officer.wang", kOtherPassword).ok());
  auto session = login("officer.wang", kPassword);
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(users.setStatus(admin, wang.id, "disabled").ok());
  auto lease = database.pool().acquire();
  auto report = audit.verify(*lease);
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.checked, 4);  // user.create, auth.login_failed, auth.login, user.disable
}

}  // namespace
}  // namespace cw
