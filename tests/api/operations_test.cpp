// Operations behaviour of the real binary: database outage and recovery, several processes on one database,
// port ownership, graceful shutdown, the audit verify command, session idle timeout and the web console.

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "api/api_fixture.hpp"

namespace cw::testing {
namespace {

namespace fs = std::filesystem;

std::string loginToken(HttpClient& client, const std::string& user, const std::string& password = kDemoPassword) {
  auto reply =
      client.post("/api/v1/auth/login", R"({"username":")" + user + R"(","password":")" + password + R"("})");
  if (reply.status != 200) throw std::runtime_error("login failed: " + reply.body);
  return reply.json()->getValue<std::string>("token");
}

class Seeded : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = std::make_unique<TestDatabase>();
    auto seeded = carewatch({"seed-demo"}, carewatchEnv(database_->config()));
    ASSERT_EQ(seeded.exitCode, 0) << seeded.output;
  }
  std::unique_ptr<TestDatabase> database_;
};

TEST_F(Seeded, TwoProcessesShareSessionsThroughTheDatabase) {
  RunningServer a(carewatchEnv(database_->config()), "cw-two-a");
  RunningServer b(carewatchEnv(database_->config()), "cw-two-b");
  HttpClient ca(a.port()), cb(b.port());
  std::string token = loginToken(ca, "admin");
  EXPECT_EQ(cb.get("/api/v1/auth/me", token).status, 200);
  EXPECT_EQ(cb.post("/api/v1/auth/logout", "", token).status, 200);
  EXPECT_EQ(ca.get("/api/v1/auth/me", token).status, 401);
}

TEST_F(Seeded, ALogoutInAnotherProcessEndsACachedSessionWithinTwiceTheCacheTime) {
  // auth.session_cache_ms is 1000 by default: a process trusts a session it has read for 1 s, and serves it for at
  // most one more second while one request reads it again.
  RunningServer a(carewatchEnv(database_->config()), "cw-cache-a");
  RunningServer b(carewatchEnv(database_->config()), "cw-cache-b");
  HttpClient ca(a.port()), cb(b.port());
  std::string token = loginToken(ca, "admin");
  ASSERT_EQ(ca.get("/api/v1/auth/me", token).status, 200);  // now in a's cache
  ASSERT_EQ(cb.post("/api/v1/auth/logout", "", token).status, 200);
  auto start = std::chrono::steady_clock::now();
  int status = 200;
  while (status == 200 && std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    status = ca.get("/api/v1/auth/me", token).status;
    if (status == 200) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  EXPECT_EQ(status, 401);
  EXPECT_LE(took.count(), 2500) << "the revoked session was still served after " << took.count() << " ms";
}

TEST_F(Seeded, SecondServerOnTheSamePortFailsInsteadOfSharingIt) {
  RunningServer first(carewatchEnv(database_->config()), "cw-port-a");
  ChildProcess second({CW_BINARY, "serve", "--port", std::to_string(first.port())}, carewatchEnv(database_->config()),
                      (fs::temp_directory_path() / "cw-port-b.log").string());
  EXPECT_EQ(second.wait(20), 1) << second.log();
  EXPECT_NE(second.log().find("in use"), std::string::npos) << second.log();
}

TEST_F(Seeded, ARatingSchemeWhosePointsDoNotAddUpStopsTheServerNamingThePath) {
  fs::path dir = fs::temp_directory_path() / ("cw-schemes-" + database_->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy(fs::path(CW_SOURCE_DIR) / "config/rating-schemes", dir);
  std::ifstream in(dir / "wst821-2023.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  // The first item of the first dimension gets one point more than the file says.
  auto items = text.find("\"items\"");
  auto max = text.find("\"max_points\": ", items);
  ASSERT_NE(max, std::string::npos);
  auto end = text.find_first_of(",\n", max);
  int value = std::stoi(text.substr(max + 14, end - max - 14));
  text.replace(max, end - max, "\"max_points\": " + std::to_string(value + 1));
  std::ofstream(dir / "wst821-2023.json") << text;
  auto env = carewatchEnv(database_->config());
  env["CW_RATINGS_SCHEMES_DIR"] = dir.string();
  ChildProcess server({CW_BINARY, "serve", "--port", "0"}, env, (fs::temp_directory_path() / "cw-bad-scheme.log").string());
  EXPECT_EQ(server.wait(20), 1) << server.log();
  EXPECT_NE(server.log().find("cannot load the rating schemes"), std::string::npos) << server.log();
  EXPECT_NE(server.log().find("wst821-2023.json: rating scheme: $.parts[0]: items add up to"), std::string::npos)
      << server.log();
  fs::remove_all(dir);
}

TEST_F(Seeded, SigtermFinishesGracefullyWithExitZero) {
  RunningServer server(carewatchEnv(database_->config()), "cw-sigterm");
  HttpClient client(server.port());
  EXPECT_EQ(client.get("/healthz").status, 200);
  EXPECT_EQ(server.process().stop(30), 0);
  EXPECT_NE(server.process().log().find("\"msg\":\"stopped\""), std::string::npos);
}

TEST_F(Seeded, IdleSessionExpiresOverHttp) {
  auto env = carewatchEnv(database_->config());
  env["CW_AUTH_IDLE_TIMEOUT_SECONDS"] = "2";
  RunningServer server(env, "cw-idle");
  HttpClient client(server.port());
  std::string token = loginToken(client, "mz.wangli");
  EXPECT_EQ(client.get("/api/v1/auth/me", token).status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(client.get("/api/v1/auth/me", token).status, 401);
}

TEST_F(Seeded, AuditVerifyNamesTheEditedRow) {
  auto env = carewatchEnv(database_->config());
  auto intact = carewatch({"audit", "verify"}, env);
  EXPECT_EQ(intact.exitCode, 0) << intact.output;
  {
    auto lease = database_->pool().acquire();
    lease->execute("UPDATE audit_log SET summary = '{\"after\":{\"role\":\"admin\"}}' WHERE seq = 5");
  }
  auto broken = carewatch({"audit", "verify"}, env);
  EXPECT_EQ(broken.exitCode, 1);
  EXPECT_NE(broken.output.find("BROKEN at record 5"), std::string::npos) << broken.output;
}

TEST_F(Seeded, UserAddReadsThePasswordFromStdin) {
  auto env = carewatchEnv(database_->config());
  auto added = carewatch({"user", "add", "--username", "wj.hanmei", "--role", "officer", "--display-name", "韩梅",
                          "--department", "WJ"},
                         env, "Officer#2026x\n");
  ASSERT_EQ(added.exitCode, 0) << added.output;
  auto weak = carewatch({"user", "add", "--username", "wj.weak", "--role", "officer", "--display-name", "弱",
                         "--department", "WJ"},
                        env, "short\n");
  EXPECT_EQ(weak.exitCode, 1);
  EXPECT_NE(weak.output.find("password must be at least 10 characters"), std::string::npos) << weak.output;
  RunningServer server(env, "cw-user-add");
  HttpClient client(server.port());
  EXPECT_FALSE(loginToken(client, "wj.hanmei", "Officer#2026x").empty());
}

TEST_F(Seeded, ServesTheConsoleWithFallbackAndCacheHeaders) {
  fs::path root = fs::temp_directory_path() / ("cw-web-" + database_->name());
  fs::create_directories(root / "assets");
  { std::ofstream(root / "index.html") << "<!doctype html><title>carewatch</title>"; }
  { std::ofstream(root / "assets" / "app-1234.js") << "console.log(1)"; }
  RunningServer server(carewatchEnv(database_->config(), root.string()), "cw-web");
  HttpClient client(server.port());
  auto index = client.get("/admin/users");
  EXPECT_EQ(index.status, 200);
  EXPECT_NE(index.body.find("<title>carewatch</title>"), std::string::npos);
  EXPECT_EQ(index.headers["cache-control"], "no-cache");
  auto asset = client.get("/assets/app-1234.js");
  EXPECT_EQ(asset.status, 200);
  EXPECT_EQ(asset.headers["content-type"], "text/javascript; charset=utf-8");
  EXPECT_NE(asset.headers["cache-control"].find("immutable"), std::string::npos);
  EXPECT_EQ(client.get("/assets/missing-999.js").status, 404);
  auto traversal = client.get("/../../etc/passwd");
  EXPECT_EQ(traversal.body.find("root:"), std::string::npos);
  fs::remove_all(root);
}

// A private database instance of its own, so stopping it does not disturb the other tests.
TEST(DatabaseOutage, RequestsGet503AndRecoverWithoutRestart) {
  fs::path dir = fs::temp_directory_path() / "cw-outage-db";
  int port = freePort();
  std::map<std::string, std::string> dbEnv{{"CW_DB_DIR", dir.string()}, {"CW_DB_PORT", std::to_string(port)}};
  std::string script = std::string(CW_SOURCE_DIR) + "/scripts/db";
  auto started = runCommand({"/bin/bash", script, "start"}, dbEnv);
  ASSERT_EQ(started.exitCode, 0) << started.output;

  db::PoolConfig target = testServerConfig();
  target.port = port;
  target.database = "carewatch";
  auto env = carewatchEnv(target);
  ASSERT_EQ(carewatch({"migrate"}, env).exitCode, 0);
  auto added = carewatch({"user", "add", "--username", "ops.admin", "--role", "admin", "--display-name", "运维"}, env,
                         "Operate#2026x\n");
  ASSERT_EQ(added.exitCode, 0) << added.output;
  {
    RunningServer server(env, "cw-outage");
    HttpClient client(server.port());
    std::string token = loginToken(client, "ops.admin", "Operate#2026x");
    ASSERT_EQ(client.get("/api/v1/auth/me", token).status, 200);

    ASSERT_EQ(runCommand({"/bin/bash", script, "stop"}, dbEnv).exitCode, 0);
    auto down = client.get("/api/v1/auth/me", token);
    EXPECT_EQ(down.status, 503) << down.body;
    EXPECT_EQ(down.errorCode(), "UNAVAILABLE");
    EXPECT_EQ(client.get("/readyz").status, 503);
    EXPECT_EQ(client.get("/healthz").status, 200);

    ASSERT_EQ(runCommand({"/bin/bash", script, "start"}, dbEnv).exitCode, 0);
    auto back = client.get("/api/v1/auth/me", token);
    EXPECT_EQ(back.status, 200) << back.body;
    EXPECT_EQ(client.get("/readyz").status, 200);
  }
  runCommand({"/bin/bash", script, "stop"}, dbEnv);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cw::testing
