#pragma once
// Runs the real carewatch binary against a fresh test schema, seeded with the demo data, on a free port.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/test_db.hpp"

namespace cw::testing {

inline constexpr const char* kDemoPassword = "Jiujiang#2026";

/// Environment for a carewatch process using `database`.
inline std::map<std::string, std::string> carewatchEnv(const db::PoolConfig& database,
                                                       const std::string& webRoot = "") {
  std::map<std::string, std::string> env{
      {"CW_CONFIG", std::string(CW_SOURCE_DIR) + "/config/carewatch.properties"},
      {"CW_DB_HOST", database.host},
      {"CW_DB_PORT", std::to_string(database.port)},
      {"CW_DB_USER", database.user},
      {"CW_DB_PASSWORD", database.password},
      {"CW_DB_NAME", database.database},
      {"CW_DB_MIGRATIONS_DIR", std::string(CW_SOURCE_DIR) + "/migrations"},
      // Tests create many accounts: keep the minimum iteration count.
      {"CW_AUTH_PBKDF2_ITERATIONS", "600000"},
      // Test-only personal-data keys (32 bytes each, base64).
      {"CW_PII_ENCRYPTION_KEY", "dGVzdC1vbmx5LWVuY3J5cHRpb24ta2V5LTMyYnl0ZSE="},
      {"CW_PII_INDEX_KEY", "dGVzdC1vbmx5LWJsaW5kLWluZGV4LWtleS0zMmJ5dGU="},
      {"CW_REGISTRY_WORKDAYS_FILE", std::string(CW_SOURCE_DIR) + "/config/workdays.txt"},
      {"CW_HAZARDS_CATALOGUE_FILE", std::string(CW_SOURCE_DIR) + "/config/hazard-catalogue.json"},
      {"CW_RATINGS_SCHEMES_DIR", std::string(CW_SOURCE_DIR) + "/config/rating-schemes"},
      {"CW_CREDIT_SCORECARD_FILE", std::string(CW_SOURCE_DIR) + "/config/credit-scorecard.json"},
      {"CW_STORAGE_DIR", (std::filesystem::temp_directory_path() / ("cw-files-" + database.database)).string()},
  };
  if (!webRoot.empty()) env["CW_HTTP_WEB_ROOT"] = webRoot;
  return env;
}

/// A running `carewatch serve` on a free port. `launcher`, when given, is a command that runs the rest of its
/// arguments (`carewatch serve --port N`) as its last step with exec, so that the process is the server itself.
class RunningServer {
 public:
  RunningServer(std::map<std::string, std::string> env, const std::string& logName, int port = 0,
                std::vector<std::string> launcher = {})
      : port_(port ? port : freePort()) {
    std::string log = (std::filesystem::temp_directory_path() / (logName + ".log")).string();
    std::vector<std::string> argv = std::move(launcher);
    for (std::string arg : {std::string(CW_BINARY), std::string("serve"), std::string("--port"), std::to_string(port_)}) {
      argv.push_back(std::move(arg));
    }
    process_ = std::make_unique<ChildProcess>(argv, env, log);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      if (!process_->running()) break;
      try {
        HttpClient client(port_);
        if (client.get("/healthz").status == 200) return;
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("carewatch did not start; its log:\n" + process_->log());
  }
  int port() const { return port_; }
  ChildProcess& process() { return *process_; }

 private:
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

/// Runs `carewatch <args>` to completion against the given environment.
inline CommandResult carewatch(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                               const std::string& input = "") {
  std::vector<std::string> argv{CW_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return runCommand(argv, env, input);
}

/// One schema + seeded demo data + one server, shared by the tests of a suite.
class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto env = seededDatabase();
    server_ = new RunningServer(env, "cw-api-" + database_->name());
  }
  /// Makes the suite's schema (database_) with the demo data; returns the environment of a server on it.
  static std::map<std::string, std::string> seededDatabase() {
    database_ = new TestDatabase();
    auto env = carewatchEnv(database_->config());
    auto seeded = carewatch({"seed-demo"}, env);
    EXPECT_EQ(seeded.exitCode, 0) << seeded.output;
    return env;
  }
  static void TearDownTestSuite() {
    delete server_;
    delete database_;
    server_ = nullptr;
    database_ = nullptr;
  }

  HttpClient client() { return HttpClient(server_->port()); }

  /// Signs in and returns the bearer token (fails the test otherwise).
  std::string login(const std::string& username, const std::string& password = kDemoPassword) {
    auto reply = client().post("/api/v1/auth/login",
                               R"({"username":")" + username + R"(","password":")" + password + R"("})");
    EXPECT_EQ(reply.status, 200) << reply.body;
    if (reply.status != 200) return "";
    return reply.json()->getValue<std::string>("token");
  }

  static TestDatabase* database_;
  static RunningServer* server_;
};

inline TestDatabase* ApiTest::database_ = nullptr;
inline RunningServer* ApiTest::server_ = nullptr;

}  // namespace cw::testing
