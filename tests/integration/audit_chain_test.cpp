#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cw/audit/audit_log.hpp"
#include "cw/core/clock.hpp"
#include "cw/core/time.hpp"
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

core::TimePoint startTime() { return *core::parseIsoUtc("2026-03-02T01:30:00.123456Z"); }

audit::Actor actorNamed(const std::string& name, std::int64_t id = 7) {
  return audit::Actor{id, name, "admin", "10.0.0.8", "req-" + name};
}

class AuditChainTest : public ::testing::Test {
 protected:
  /// One record in its own committed transaction; the clock moves one second per record.
  audit::Record appendOne(const audit::Actor& actor, const audit::Entry& entry) {
    auto lease = database.pool().acquire();
    db::Transaction tx(*lease);
    auto record = log.append(*lease, actor, entry);
    tx.commit();
    clock.advance(1s);
    return record;
  }

  /// Five records, seq 1..5.
  void appendFive() {
    for (int i = 1; i <= 5; ++i) {
      appendOne(actorNamed("admin"),
                {"user.create", "user", std::to_string(100 + i),
                 "{\"after\":{\"username\":\"user" + std::to_string(i) + "\",\"name\":\"张三\"}}"});
    }
  }

  audit::VerifyReport verify() {
    auto lease = database.pool().acquire();
    return log.verify(*lease);
  }

  void sql(const std::string& statement) {
    auto lease = database.pool().acquire();
    lease->executeScript(statement);
  }

  testing::TestDatabase database;
  core::ManualClock clock{startTime()};
  audit::AuditLog log{clock};
};

TEST_F(AuditChainTest, EmptyChainVerifies) {
  auto report = verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.checked, 0);
  EXPECT_FALSE(report.brokenSeq.has_value());
}

TEST_F(AuditChainTest, AppendedRecordsLinkAndVerifyWithTheirCount) {
  auto first = appendOne(actorNamed("admin"), {"user.create", "user", "1", "{\"after\":{\"name\":\"李四 😀\"}}"});
  auto second = appendOne(audit::Actor::system("cli", "cli-1"), {"user.disable", "user", "1", "{}"});
  auto third = appendOne(actorNamed("admin"), {"user.enable", "user", "1", "{}"});
  EXPECT_EQ(first.seq, 1);
  EXPECT_EQ(second.seq, 2);
  EXPECT_EQ(third.seq, 3);
  EXPECT_EQ(first.prevHash, std::string(64, '0'));
  EXPECT_EQ(second.prevHash, first.hash);
  EXPECT_EQ(third.prevHash, second.hash);
  EXPECT_EQ(first.hash, audit::chainHash(first));
  EXPECT_EQ(first.occurredAt, "2026-03-02 01:30:00.123456");

  auto report = verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.checked, 3);

  // What is stored is exactly what append returned (the hash is recomputable from the row).
  auto lease = database.pool().acquire();
  auto [records, total] = log.list(*lease, audit::AuditQuery{});
  ASSERT_EQ(total, 3);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2].summary, first.summary);
  EXPECT_EQ(records[2].occurredAt, first.occurredAt);
  EXPECT_EQ(records[2].hash, first.hash);
  EXPECT_EQ(records[1].actorId, std::nullopt);
  EXPECT_EQ(records[1].actorRole, "system");
}

TEST_F(AuditChainTest, EditedRowFailsVerificationNamingIt) {
  appendFive();
  sql("UPDATE audit_log SET summary = '{\"after\":{\"username\":\"someone-else\"}}' WHERE seq = 3");
  auto report = verify();
  EXPECT_FALSE(report.ok);
  ASSERT_TRUE(report.brokenSeq.has_value());
  EXPECT_EQ(*report.brokenSeq, 3);
  EXPECT_EQ(report.checked, 2);
  EXPECT_NE(report.problem.find("edited"), std::string::npos) << report.problem;
}

TEST_F(AuditChainTest, EditedRowWithRecomputedHashFailsAtTheNextRecord) {
  appendFive();
  {
    auto lease = database.pool().acquire();
    auto [records, total] = log.list(*lease, queryWhere([&](audit::AuditQuery& q) { q.objectId = "103"; }));
    ASSERT_EQ(total, 1);
    audit::Record forged = records[0];
    forged.summary = "{\"after\":{\"username\":\"forged\"}}";
    forged.hash = audit::chainHash(forged);
    lease->execute("UPDATE audit_log SET summary = ?, hash = ? WHERE seq = ?", forged.summary, forged.hash, forged.seq);
  }
  auto report = verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.brokenSeq, std::optional<std::int64_t>(4));
  EXPECT_NE(report.problem.find("prev_hash"), std::string::npos) << report.problem;
}

TEST_F(AuditChainTest, DeletedMiddleRowFailsNamingTheFollowingRecord) {
  appendFive();
  sql("DELETE FROM audit_log WHERE seq = 3");
  auto report = verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.brokenSeq, std::optional<std::int64_t>(4));
  EXPECT_EQ(report.checked, 2);
  EXPECT_NE(report.problem.find("missing"), std::string::npos) << report.problem;
  EXPECT_NE(report.problem.find("3"), std::string::npos) << report.problem;
}

TEST_F(AuditChainTest, SwappedRowsFailVerification) {
  appendFive();
  sql("UPDATE audit_log SET seq = 1000002 WHERE seq = 2");
  sql("UPDATE audit_log SET seq = 2 WHERE seq = 3");
  sql("UPDATE audit_log SET seq = 3 WHERE seq = 1000002");
  auto report = verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.brokenSeq, std::optional<std::int64_t>(2));
  EXPECT_EQ(report.checked, 1);
}

TEST_F(AuditChainTest, SwappedContentKeepingSeqFailsVerification) {
  appendFive();
  // Exchange everything but seq, prev_hash and hash between rows 2 and 4.
  sql("UPDATE audit_log a JOIN audit_log b ON a.seq = 2 AND b.seq = 4"
      " SET a.summary = b.summary, b.summary = a.summary, a.object_id = b.object_id, b.object_id = a.object_id");
  auto lease = database.pool().acquire();
  ASSERT_EQ(lease->query("SELECT object_id FROM audit_log WHERE seq = 2")[0].str("object_id"), "104");
  auto report = log.verify(*lease);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.brokenSeq, std::optional<std::int64_t>(2));
}

TEST_F(AuditChainTest, DeletedLastRowFailsAsHeadMismatch) {
  appendFive();
  sql("DELETE FROM audit_log WHERE seq = 5");
  auto report = verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.checked, 4);
  EXPECT_EQ(report.brokenSeq, std::optional<std::int64_t>(5));
  EXPECT_NE(report.problem.find("head"), std::string::npos) << report.problem;
}

TEST_F(AuditChainTest, RolledBackAppendLeavesNoRecordAndChainStillVerifies) {
  appendFive();
  {
    auto lease = database.pool().acquire();
    db::Transaction tx(*lease);
    auto record = log.append(*lease, actorNamed("admin"), {"user.create", "user", "999", "{}"});
    EXPECT_EQ(record.seq, 6);
    // no commit
  }
  auto report = verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.checked, 5);
  {
    auto lease = database.pool().acquire();
    EXPECT_TRUE(lease->query("SELECT seq FROM audit_log WHERE object_id = ?", "999").empty());
    auto head = lease->query("SELECT last_seq FROM audit_head WHERE id = 1");
    EXPECT_EQ(head[0].i64("last_seq"), 5);
  }
  // The next append reuses seq 6 and the chain stays whole.
  auto next = appendOne(actorNamed("admin"), {"user.create", "user", "1000", "{}"});
  EXPECT_EQ(next.seq, 6);
  report = verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.checked, 6);
}

TEST_F(AuditChainTest, AppendOutsideTransactionThrowsLogicErrorAndWritesNothing) {
  auto lease = database.pool().acquire();
  EXPECT_THROW(log.append(*lease, actorNamed("admin"), {"user.create", "user", "1", "{}"}), std::logic_error);
  EXPECT_EQ(lease->query("SELECT COUNT(*) AS n FROM audit_log")[0].i64("n"), 0);
}

TEST_F(AuditChainTest, ConcurrentAppendersProduceOneContiguousChain) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < kPerThread; ++i) {
          auto lease = database.pool().acquire();
          db::Transaction tx(*lease);
          log.append(*lease, actorNamed("writer" + std::to_string(t), t),
                     {"test.append", "thread", std::to_string(t), "{\"i\":" + std::to_string(i) + "}"});
          tx.commit();
          clock.advance(1ms);
        }
      } catch (const std::exception& e) {
        ++failures;
        ADD_FAILURE() << "writer " << t << ": " << e.what();
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);

  auto report = verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.checked, kThreads * kPerThread);

  auto lease = database.pool().acquire();
  auto rows = lease->query("SELECT seq FROM audit_log ORDER BY seq");
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i].i64("seq"), static_cast<std::int64_t>(i + 1));
  for (int t = 0; t < kThreads; ++t) {
    auto [records, total] =
        log.list(*lease, queryWhere([&](audit::AuditQuery& q) { q.actorName = "writer" + std::to_string(t); }));
    EXPECT_EQ(total, kPerThread) << "writer " << t;
  }
  EXPECT_EQ(lease->query("SELECT last_seq FROM audit_head")[0].i64("last_seq"), kThreads * kPerThread);
}

TEST_F(AuditChainTest, ListFiltersByActionAndActorAndPagesNewestFirstWithTotal) {
  appendOne(actorNamed("alice"), {"user.create", "user", "1", "{}"});     // seq 1, 01:30:00
  appendOne(actorNamed("bob"), {"auth.login", "session", "11", "{}"});    // seq 2, 01:30:01
  appendOne(actorNamed("alice"), {"user.create", "user", "2", "{}"});     // seq 3, 01:30:02
  appendOne(actorNamed("alice"), {"auth.login", "session", "12", "{}"});  // seq 4, 01:30:03
  appendOne(actorNamed("bob"), {"user.create", "user", "3", "{}"});       // seq 5, 01:30:04
  appendOne(actorNamed("alice"), {"user.create", "user", "4", "{}"});     // seq 6, 01:30:05

  auto lease = database.pool().acquire();
  auto seqs = [](const std::vector<audit::Record>& records) {
    std::vector<std::int64_t> out;
    for (const auto& r : records) out.push_back(r.seq);
    return out;
  };

  auto [all, allTotal] = log.list(*lease, audit::AuditQuery{});
  EXPECT_EQ(allTotal, 6);
  EXPECT_EQ(seqs(all), (std::vector<std::int64_t>{6, 5, 4, 3, 2, 1}));

  auto [creates, createsTotal] = log.list(*lease, queryWhere([&](audit::AuditQuery& q) { q.action = "user.create"; }));
  EXPECT_EQ(createsTotal, 4);
  EXPECT_EQ(seqs(creates), (std::vector<std::int64_t>{6, 5, 3, 1}));

  auto [byAlice, aliceTotal] = log.list(*lease, queryWhere([&](audit::AuditQuery& q) {
    q.actorName = "alice";
    q.action = "user.create";
  }));
  EXPECT_EQ(aliceTotal, 3);
  EXPECT_EQ(seqs(byAlice), (std::vector<std::int64_t>{6, 3, 1}));
  for (const auto& r : byAlice) {
    EXPECT_EQ(r.actorName, "alice");
    EXPECT_EQ(r.action, "user.create");
  }

  auto [page, pageTotal] = log.list(*lease, queryWhere([&](audit::AuditQuery& q) {
    q.actorName = "alice";
    q.offset = 1;
    q.limit = 2;
  }));
  EXPECT_EQ(pageTotal, 4);  // total counts every match, not the page
  EXPECT_EQ(seqs(page), (std::vector<std::int64_t>{4, 3}));

  auto [beyond, beyondTotal] = log.list(*lease, queryWhere([&](audit::AuditQuery& q) {
    q.actorName = "alice";
    q.offset = 10;
  }));
  EXPECT_EQ(beyondTotal, 4);
  EXPECT_TRUE(beyond.empty());

  auto [object, objectTotal] = log.list(*lease, queryWhere([&](audit::AuditQuery& q) {
    q.objectType = "session";
    q.objectId = "12";
  }));
  EXPECT_EQ(objectTotal, 1);
  EXPECT_EQ(seqs(object), (std::vector<std::int64_t>{4}));

  // A time window that falls between records (its edges' inclusiveness is not part of the contract).
  auto [window, windowTotal] = log.list(*lease, queryWhere([&](audit::AuditQuery& q) {
    q.from = startTime() + 500ms;
    q.to = startTime() + 2500ms;
  }));
  EXPECT_EQ(windowTotal, 2);
  EXPECT_EQ(seqs(window), (std::vector<std::int64_t>{3, 2}));

  auto [nobody, nobodyTotal] = log.list(*lease, queryWhere([&](audit::AuditQuery& q) { q.actorName = "mallory"; }));
  EXPECT_EQ(nobodyTotal, 0);
  EXPECT_TRUE(nobody.empty());
}

}  // namespace
}  // namespace cw
