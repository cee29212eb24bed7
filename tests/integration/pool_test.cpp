#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "cw/db/pool.hpp"
#include "support/test_db.hpp"

namespace cw {
namespace {

using namespace std::chrono_literals;

constexpr const char* kCreateNotes =
    "CREATE TABLE notes (id BIGINT NOT NULL PRIMARY KEY, body VARCHAR(255) NULL, amount BIGINT NULL)"
    " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";

std::int64_t countNotes(db::Pool& pool, std::int64_t id) {
  auto lease = pool.acquire();
  return lease->query("SELECT COUNT(*) AS n FROM notes WHERE id = ?", id)[0].i64("n");
}

std::int64_t connectionId(db::Connection& connection) {
  return connection.query("SELECT CONNECTION_ID() AS id")[0].i64("id");
}

/// Kills a server session from another pool (another "process") and waits until the server has dropped it.
void killSession(const testing::TestDatabase& database, std::int64_t id) {
  db::Pool killer(database.config());
  auto lease = killer.acquire();
  lease->executeScript("KILL " + std::to_string(id));
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!lease->query("SELECT ID FROM information_schema.PROCESSLIST WHERE ID = ?", id).empty()) {
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("session was not killed");
    std::this_thread::sleep_for(20ms);
  }
}

/// A pool whose only (idle) connection has been killed behind its back.
std::int64_t killIdleConnection(const testing::TestDatabase& database, db::Pool& pool) {
  std::int64_t id = 0;
  {
    auto lease = pool.acquire();
    id = connectionId(*lease);
  }
  killSession(database, id);
  return id;
}

class PoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto lease = database.pool().acquire();
    lease->executeScript(kCreateNotes);
  }
  testing::TestDatabase database{false};
};

TEST_F(PoolTest, StatementPastTheTimeoutIsStoppedByTheServerAndTheConnectionStaysUsable) {
  db::PoolConfig config = database.config();
  config.statementTimeoutSeconds = 1;
  config.maxConnections = 1;
  db::Pool pool(config);
  auto lease = pool.acquire();
  auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(lease->query("SELECT SLEEP(5) AS slept"), db::StatementTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));
  EXPECT_EQ(lease->query("SELECT 41 + 1 AS n")[0].i64("n"), 42);
}

TEST_F(PoolTest, StatementTextsThatVaryKeepAtMostTheCapPreparedOnTheConnectionAndTheServer) {
  db::PoolConfig config = database.config();
  config.maxConnections = 1;
  db::Pool pool(config);
  auto lease = pool.acquire();
  auto serverCount = [&](const char* name) {
    return std::stoll(lease->queryText(std::string("SHOW SESSION STATUS LIKE '") + name + "'")[0].str("Value"));
  };
  std::int64_t preparesBefore = serverCount("Com_stmt_prepare");
  std::int64_t preparedBefore = preparesBefore - serverCount("Com_stmt_close");
  const std::size_t texts = db::kMaxPreparedStatements + 100;
  for (std::size_t i = 0; i < texts; ++i) {
    // A text that differs every time (as LIMIT written into the SQL would), and one that is used throughout.
    EXPECT_EQ(lease->query("SELECT ? + " + std::to_string(i) + " AS n", 1)[0].i64("n"), static_cast<std::int64_t>(i) + 1);
    EXPECT_EQ(lease->query("SELECT ? AS hot", 7)[0].i64("hot"), 7);
  }
  EXPECT_EQ(lease->preparedStatements(), db::kMaxPreparedStatements);
  std::int64_t open = serverCount("Com_stmt_prepare") - serverCount("Com_stmt_close") - preparedBefore;
  EXPECT_LE(open, static_cast<std::int64_t>(db::kMaxPreparedStatements)) << "closed in the driver, not on the server";
  EXPECT_EQ(serverCount("Com_stmt_prepare") - preparesBefore, static_cast<std::int64_t>(texts) + 1)
      << "each text prepared once, and the one in use throughout never evicted";
}

TEST_F(PoolTest, TransactionWithoutCommitIsRolledBack) {
  {
    auto lease = database.pool().acquire();
    db::Transaction tx(*lease);
    EXPECT_TRUE(lease->inTransaction());
    EXPECT_EQ(lease->execute("INSERT INTO notes (id, body) VALUES (?, ?)", 1, "draft"), 1u);
    // Visible inside the transaction...
    EXPECT_EQ(lease->query("SELECT COUNT(*) AS n FROM notes WHERE id = ?", 1)[0].i64("n"), 1);
  }
  // ...but gone once it ends without commit.
  EXPECT_EQ(countNotes(database.pool(), 1), 0);
}

TEST_F(PoolTest, CommittedTransactionKeepsItsRows) {
  {
    auto lease = database.pool().acquire();
    db::Transaction tx(*lease);
    lease->execute("INSERT INTO notes (id, body) VALUES (?, ?)", 2, "final");
    tx.commit();
    EXPECT_FALSE(lease->inTransaction());
  }
  EXPECT_EQ(countNotes(database.pool(), 2), 1);
}

TEST_F(PoolTest, LeaseReturnedMidTransactionIsRolledBackAndReusable) {
  {
    auto lease = database.pool().acquire();
    lease->begin();
    lease->execute("INSERT INTO notes (id, body) VALUES (?, ?)", 3, "abandoned");
  }
  auto lease = database.pool().acquire();
  EXPECT_FALSE(lease->inTransaction());
  EXPECT_EQ(lease->query("SELECT COUNT(*) AS n FROM notes WHERE id = ?", 3)[0].i64("n"), 0);
  // The returned connection is back in autocommit mode: this insert survives without a commit.
  lease->execute("INSERT INTO notes (id, body) VALUES (?, ?)", 4, "autocommit");
  EXPECT_EQ(countNotes(database.pool(), 4), 1);
}

TEST_F(PoolTest, Utf8mb4ChineseAndEmojiRoundTripThroughPreparedStatement) {
  const std::string text = "养老机构监管 \xF0\x9F\x98\x80 托育";  // U+1F600, a 4-byte character
  auto lease = database.pool().acquire();
  lease->execute("INSERT INTO notes (id, body) VALUES (?, ?)", 10, text);
  auto rows = lease->query(
      "SELECT body, CHAR_LENGTH(body) AS chars, LENGTH(body) AS bytes, HEX(body) AS hex FROM notes WHERE id = ?", 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].str("body"), text);
  EXPECT_EQ(rows[0].i64("chars"), 11);  // 6 + space + emoji + space + 2
  EXPECT_EQ(rows[0].i64("bytes"), static_cast<std::int64_t>(text.size()));
  EXPECT_NE(rows[0].str("hex").find("F09F9880"), std::string::npos) << rows[0].str("hex");
  // Comparison in the server with a bound parameter finds it too.
  EXPECT_EQ(lease->query("SELECT id FROM notes WHERE body = ?", text).size(), 1u);
}

TEST_F(PoolTest, EmptyOptionalBindsNullAndFilledOptionalBindsValue) {
  auto lease = database.pool().acquire();
  std::optional<std::string> noBody;
  std::optional<std::int64_t> noAmount;
  lease->execute("INSERT INTO notes (id, body, amount) VALUES (?, ?, ?)", 20, noBody, noAmount);
  std::optional<std::string> body = "有内容";
  std::optional<std::int64_t> amount = -42;
  lease->execute("INSERT INTO notes (id, body, amount) VALUES (?, ?, ?)", 21, body, amount);

  auto rows = lease->query("SELECT id, body, amount, body IS NULL AS body_null FROM notes ORDER BY id");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].isNull("body"));
  EXPECT_TRUE(rows[0].isNull("amount"));
  EXPECT_EQ(rows[0].i64("body_null"), 1);  // a real SQL NULL, not the text "NULL" or ""
  EXPECT_EQ(rows[0].optStr("body"), std::nullopt);
  EXPECT_THROW((void)rows[0].str("body"), std::runtime_error);
  EXPECT_EQ(rows[1].optStr("body"), std::optional<std::string>("有内容"));
  EXPECT_EQ(rows[1].optI64("amount"), std::optional<std::int64_t>(-42));
  EXPECT_EQ(rows[1].i64("body_null"), 0);
}

TEST_F(PoolTest, UniqueViolationThrowsDbErrorMarkedDuplicateKey) {
  auto lease = database.pool().acquire();
  lease->execute("INSERT INTO notes (id, body) VALUES (?, ?)", 30, "first");
  try {
    lease->execute("INSERT INTO notes (id, body) VALUES (?, ?)", 30, "second");
    FAIL() << "a duplicate primary key was accepted";
  } catch (const db::DbError& e) {
    EXPECT_TRUE(e.isDuplicateKey()) << e.what();
    EXPECT_EQ(e.code(), 1062);
    EXPECT_EQ(e.sqlState(), "23000");
  }
  // A server error does not spoil the connection.
  EXPECT_EQ(lease->query("SELECT body FROM notes WHERE id = ?", 30)[0].str("body"), "first");
}

TEST_F(PoolTest, OtherServerErrorsAreDbErrorsButNotDuplicateKeys) {
  auto lease = database.pool().acquire();
  try {
    lease->query("SELECT * FROM no_such_table");
    FAIL() << "a query on a missing table succeeded";
  } catch (const db::DbError& e) {
    EXPECT_FALSE(e.isDuplicateKey());
    EXPECT_EQ(e.code(), 1146) << e.what();
  }
}

TEST_F(PoolTest, KilledIdleConnectionIsReplacedTransparentlyOnFirstStatement) {
  db::Pool pool(database.config());
  auto firstId = killIdleConnection(database, pool);
  ASSERT_EQ(pool.stats().open, 1u);
  auto lease = pool.acquire();
  std::int64_t secondId = 0;
  ASSERT_NO_THROW(secondId = connectionId(*lease));
  EXPECT_NE(secondId, firstId);
  EXPECT_EQ(pool.stats().reconnects, 1u);
  // The replacement is a full session: our schema and session settings are in place.
  EXPECT_EQ(lease->query("SELECT DATABASE() AS db")[0].str("db"), database.name());
  EXPECT_EQ(lease->query("SELECT @@session.time_zone AS tz")[0].str("tz"), "+00:00");
  EXPECT_EQ(lease->query("SELECT @@character_set_connection AS cs")[0].str("cs"), "utf8mb4");
  EXPECT_EQ(pool.stats().open, 1u);
}

TEST_F(PoolTest, KilledIdleConnectionIsReplacedWhenTheLeaseStartsWithATransaction) {
  // Most use cases open their lease with a Transaction: that first statement must reconnect just the same.
  db::Pool pool(database.config());
  killIdleConnection(database, pool);
  auto lease = pool.acquire();
  try {
    db::Transaction tx(*lease);
    lease->execute("INSERT INTO notes (id, body) VALUES (?, ?)", 40, "after reconnect");
    tx.commit();
  } catch (const db::Unavailable& e) {
    FAIL() << "the first statement of a lease (BEGIN) did not reconnect: " << e.what();
  }
  EXPECT_EQ(countNotes(database.pool(), 40), 1);
  EXPECT_EQ(pool.stats().reconnects, 1u);
}

TEST_F(PoolTest, ConnectionKilledAfterFirstStatementOfLeaseIsReportedUnavailable) {
  db::Pool pool(database.config());
  auto lease = pool.acquire();
  killSession(database, connectionId(*lease));
  // Mid-lease the pool must not silently retry on a new session (the earlier statements would be lost).
  EXPECT_THROW(lease->query("SELECT 1 AS one"), db::Unavailable);
}

TEST_F(PoolTest, CommitOnLostConnectionThrowsUnavailable) {
  db::Pool pool(database.config());
  auto lease = pool.acquire();
  bool commitReturned = false;
  {
    db::Transaction tx(*lease);
    lease->execute("INSERT INTO notes (id, body) VALUES (?, ?)", 50, "lost with its session");
    killSession(database, connectionId(*lease));  // the server rolls the transaction back
    try {
      tx.commit();
      commitReturned = true;
    } catch (const db::Unavailable&) {
    }
  }
  EXPECT_EQ(countNotes(database.pool(), 50), 0);
  // The caller must not be told the change was saved.
  EXPECT_FALSE(commitReturned) << "commit() returned normally although the transaction was lost";
}

TEST_F(PoolTest, StatsCountOpenAndLeasedConnections) {
  db::Pool pool(database.config());
  auto s0 = pool.stats();
  EXPECT_EQ(s0.open, 0u);
  EXPECT_EQ(s0.leased, 0u);
  EXPECT_EQ(s0.max, database.config().maxConnections);
  {
    auto a = pool.acquire();
    auto b = pool.acquire();
    auto s = pool.stats();
    EXPECT_EQ(s.open, 2u);
    EXPECT_EQ(s.leased, 2u);
    EXPECT_NE(a->query("SELECT CONNECTION_ID() AS id")[0].i64("id"),
              b->query("SELECT CONNECTION_ID() AS id")[0].i64("id"));
    {
      auto moved = std::move(b);  // a moved lease is released once, by its new owner
    }
    s = pool.stats();
    EXPECT_EQ(s.open, 2u);
    EXPECT_EQ(s.leased, 1u);
  }
  auto s1 = pool.stats();
  EXPECT_EQ(s1.open, 2u);  // idle connections stay open for reuse
  EXPECT_EQ(s1.leased, 0u);
  {
    auto again = pool.acquire();  // reuses an idle connection rather than opening a third
    EXPECT_EQ(pool.stats().open, 2u);
    EXPECT_EQ(pool.stats().leased, 1u);
  }
  EXPECT_EQ(pool.stats().waits, 0u);
  EXPECT_EQ(pool.stats().timeouts, 0u);
}

TEST_F(PoolTest, ExhaustedPoolThrowsUnavailableAfterAcquireTimeout) {
  auto config = database.config();
  config.maxConnections = 1;
  config.acquireTimeout = 200ms;
  db::Pool pool(config);
  auto held = pool.acquire();
  auto started = std::chrono::steady_clock::now();
  EXPECT_THROW((void)pool.acquire(), db::Unavailable);
  auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_GE(waited, 190ms);
  EXPECT_LT(waited, 3s);
  auto s = pool.stats();
  EXPECT_EQ(s.timeouts, 1u);
  EXPECT_EQ(s.open, 1u);
  EXPECT_EQ(s.leased, 1u);
}

TEST_F(PoolTest, WaitingAcquireGetsConnectionReleasedByAnotherThread) {
  auto config = database.config();
  config.maxConnections = 1;
  config.acquireTimeout = 3000ms;
  db::Pool pool(config);
  auto held = std::make_unique<db::Lease>(pool.acquire());
  std::thread releaser([&] {
    std::this_thread::sleep_for(100ms);
    held.reset();
  });
  std::int64_t one = 0;
  EXPECT_NO_THROW({
    auto lease = pool.acquire();
    one = lease->query("SELECT 1 AS one")[0].i64("one");
  });
  releaser.join();
  EXPECT_EQ(one, 1);
  EXPECT_EQ(pool.stats().waits, 1u);
  EXPECT_EQ(pool.stats().timeouts, 0u);
  EXPECT_EQ(pool.stats().open, 1u);
}

}  // namespace
}  // namespace cw
