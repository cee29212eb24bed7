#pragma once
// Forward-only schema migrations: files migrations/V0001__name.sql, applied in version order, each recorded in
// schema_migrations with the SHA-256 of its text. An applied file that has since changed is refused.
//
// MySQL and MariaDB commit DDL implicitly, so a migration that fails halfway can leave part of it applied; the
// error names the file and statement, and the version is not recorded, so the operator fixes the database and
// reruns. Migrations are therefore written as small, individually safe statements.

#include <string>
#include <vector>

#include "cw/core/result.hpp"
#include "cw/db/pool.hpp"

namespace cw::db {

struct MigrationFile {
  int version = 0;
  std::string name;      // "V0001__foundation.sql"
  std::string sql;
  std::string checksum;  // hex SHA-256 of sql
};

/// Reads every V<digits>__<name>.sql in dir, sorted by version. Fails on unreadable or misnamed files
/// (a .sql file not matching the pattern) and on duplicate versions.
core::Result<std::vector<MigrationFile>> loadMigrations(const std::string& dir);

struct MigrationState {
  std::vector<std::string> applied;  // names, in order
  std::vector<std::string> pending;  // names, in order
  std::vector<std::string> newer;    // applied by a newer build; this build has no such file
};

class Migrator {
 public:
  Migrator(Pool& pool, std::vector<MigrationFile> files);

  /// Compares files and database without changing anything: FailedPrecondition when an applied file changed.
  /// Versions the database has and this build does not are listed in `newer` (a rolling upgrade in progress).
  core::Result<MigrationState> state();
  /// Applies pending migrations under a database lock, so concurrent processes migrate once. Returns the names
  /// applied now. Refuses to apply anything to a database that a newer build has migrated.
  core::Result<std::vector<std::string>> migrate();

 private:
  core::Result<MigrationState> compare(Connection& connection);
  Pool& pool_;
  std::vector<MigrationFile> files_;
};

}  // namespace cw::db
