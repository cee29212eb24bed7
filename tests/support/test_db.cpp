#include "support/test_db.hpp"

#include <cstdlib>
#include <stdexcept>

#include "cw/core/crypto.hpp"
#include "cw/core/random.hpp"
#include "cw/db/migrations.hpp"

namespace cw::testing {

namespace {
std::string env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}
}  // namespace

db::PoolConfig testServerConfig() {
  db::PoolConfig c;
  c.host = env("CW_TEST_DB_HOST", "127.0.0.1");
  c.port = std::stoi(env("CW_TEST_DB_PORT", "3407"));
  c.user = env("CW_TEST_DB_USER", "carewatch");
  c.password = env("CW_TEST_DB_PASSWORD", "carewatch-dev");
  c.database = "information_schema";
  c.maxConnections = 16;
  return c;
}

TestDatabase::TestDatabase(bool migrate) {
  core::SecureRandom random;
  auto bytes = random.bytes(6);
  name_ = "cw_test_" + core::hexEncode(std::string(bytes.begin(), bytes.end()));
  {
    db::Pool admin(testServerConfig());
    auto lease = admin.acquire();
    lease->executeScript("CREATE DATABASE `" + name_ + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
  }
  pool_ = std::make_unique<db::Pool>(config());
  if (migrate) {
    auto files = db::loadMigrations(std::string(CW_SOURCE_DIR) + "/migrations");
    if (!files) throw std::runtime_error(files.error().message);
    db::Migrator migrator(*pool_, std::move(*files));
    auto applied = migrator.migrate();
    if (!applied) throw std::runtime_error(applied.error().message);
  }
}

TestDatabase::~TestDatabase() {
  pool_.reset();
  try {
    db::Pool admin(testServerConfig());
    auto lease = admin.acquire();
    lease->executeScript("DROP DATABASE IF EXISTS `" + name_ + "`");
  } catch (const std::exception&) {
    // A test that stopped the server leaves the schema behind; scripts/test resets the database anyway.
  }
}

db::PoolConfig TestDatabase::config() const {
  db::PoolConfig c = testServerConfig();
  c.database = name_;
  return c;
}

}  // namespace cw::testing
