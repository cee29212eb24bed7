#include <gtest/gtest.h>

#include "cw/audit/audit_log.hpp"

namespace cw::audit {
namespace {

Record sample() {
  Record r;
  r.seq = 7;
  r.occurredAt = "2026-11-22 08:00:00.000001";
  r.actorId = 1;
  r.actorName = "admin";
  r.actorRole = "admin";
  r.action = "user.create";
  r.objectType = "user";
  r.objectId = "5";
  r.summary = R"({"after":{"username":"li.wei"}})";
  r.clientIp = "127.0.0.1";
  r.requestId = "req-1";
  r.prevHash = std::string(64, '0');
  return r;
}

TEST(AuditChain, HashCoversEveryField) {
  const std::string base = chainHash(sample());
  auto changed = [&](auto mutate) {
    Record r = sample();
    mutate(r);
    return chainHash(r) != base;
  };
  EXPECT_TRUE(changed([](Record& r) { r.seq = 8; }));
  EXPECT_TRUE(changed([](Record& r) { r.occurredAt = "2026-11-22 08:00:00.000002"; }));
  EXPECT_TRUE(changed([](Record& r) { r.actorId = std::nullopt; }));
  EXPECT_TRUE(changed([](Record& r) { r.actorName = "root"; }));
  EXPECT_TRUE(changed([](Record& r) { r.actorRole = "officer"; }));
  EXPECT_TRUE(changed([](Record& r) { r.action = "user.disable"; }));
  EXPECT_TRUE(changed([](Record& r) { r.objectType = "session"; }));
  EXPECT_TRUE(changed([](Record& r) { r.objectId = "6"; }));
  EXPECT_TRUE(changed([](Record& r) { r.summary = "{}"; }));
  EXPECT_TRUE(changed([](Record& r) { r.clientIp = "10.0.0.1"; }));
  EXPECT_TRUE(changed([](Record& r) { r.requestId = "req-2"; }));
  EXPECT_TRUE(changed([](Record& r) { r.prevHash = std::string(64, '1'); }));
}

TEST(AuditChain, FieldBoundariesAreUnambiguous) {
  Record a = sample();
  Record b = sample();
  a.actorName = "ad";
  a.actorRole = "minadmin";
  b.actorName = "admin";
  b.actorRole = "admin";
  EXPECT_NE(canonicalForm(a), canonicalForm(b));
}

TEST(AuditChain, HashIsHexSha256) {
  auto h = chainHash(sample());
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
}

}  // namespace
}  // namespace cw::audit
