#pragma once
// A fresh, migrated schema per test fixture on the test database server (the private MariaDB of scripts/db by
// default; CW_TEST_DB_HOST/PORT/USER/PASSWORD point elsewhere). Dropped when the fixture ends.

#include <memory>
#include <string>

#include "cw/db/pool.hpp"

namespace cw::testing {

/// Connection settings of the test server, without a database name.
db::PoolConfig testServerConfig();

class TestDatabase {
 public:
  /// Creates cw_test_<random> and applies migrations/ unless `migrate` is false. Fails the test (throws) when
  /// the server is not reachable.
  explicit TestDatabase(bool migrate = true);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return name_; }
  db::PoolConfig config() const;
  db::Pool& pool() { return *pool_; }

 private:
  std::string name_;
  std::unique_ptr<db::Pool> pool_;
};

}  // namespace cw::testing
