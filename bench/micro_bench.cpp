// In-process costs on the request path: routing, JSON body parsing, audit hashing, password hashing.

#include <benchmark/benchmark.h>

#include "cw/audit/audit_log.hpp"
#include "cw/auth/password.hpp"
#include "cw/core/random.hpp"
#include "cw/http/json.hpp"
#include "cw/http/router.hpp"

namespace {

cw::http::Router makeRouter() {
  cw::http::Router router;
  auto noop = [](cw::http::Request&) -> cw::core::Result<cw::http::Response> { return cw::http::Response(); };
  for (const char* p : {"/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/auth/me", "/api/v1/admin/users",
                        "/api/v1/admin/users/{id}", "/api/v1/admin/users/{id}/disable",
                        "/api/v1/admin/users/{id}/enable", "/api/v1/admin/users/{id}/password",
                        "/api/v1/departments", "/api/v1/regions", "/api/v1/admin/audit", "/healthz", "/readyz"}) {
    router.add("GET", p, cw::http::Access::signedIn(), noop);
  }
  return router;
}

void BM_RouterMatchWithParameter(benchmark::State& state) {
  auto router = makeRouter();
  for (auto _ : state) benchmark::DoNotOptimize(router.match("GET", "/api/v1/admin/users/12345/disable"));
}
BENCHMARK(BM_RouterMatchWithParameter);

void BM_ParseLoginBody(benchmark::State& state) {
  const std::string body = R"({"username":"mz.wangli","password":"Jiujiang#2026"})";
  for (auto _ : state) benchmark::DoNotOptimize(cw::http::parseJsonObject(body));
}
BENCHMARK(BM_ParseLoginBody);

void BM_AuditChainHash(benchmark::State& state) {
  cw::audit::Record r;
  r.seq = 123456;
  r.occurredAt = "2026-11-22 08:00:00.123456";
  r.actorName = "admin";
  r.actorRole = "admin";
  r.action = "user.create";
  r.objectType = "user";
  r.objectId = "42";
  r.summary = R"({"after":{"username":"li.wei","role":"inspector","department_code":"MZ"}})";
  r.clientIp = "127.0.0.1";
  r.requestId = "abcdefghijklmnop";
  r.prevHash = std::string(64, 'a');
  for (auto _ : state) benchmark::DoNotOptimize(cw::audit::chainHash(r));
}
BENCHMARK(BM_AuditChainHash);

void BM_PasswordVerify600k(benchmark::State& state) {
  cw::core::SecureRandom random;
  cw::auth::PasswordHasher hasher(random, cw::auth::kMinPbkdf2Iterations);
  auto encoded = hasher.hash("Jiujiang#2026");
  for (auto _ : state) benchmark::DoNotOptimize(hasher.verify("Jiujiang#2026", encoded));
}
BENCHMARK(BM_PasswordVerify600k)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
