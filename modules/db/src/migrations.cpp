#include "cw/db/migrations.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "cw/core/crypto.hpp"
#include "sql_script.hpp"

namespace cw::db {

namespace fs = std::filesystem;
using core::Error;
using core::ErrorCode;

namespace {

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INT NOT NULL PRIMARY KEY,"
    " name VARCHAR(255) NOT NULL,"
    " checksum CHAR(64) NOT NULL,"
    " applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),"
    " execution_ms INT NOT NULL"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";
constexpr const char* kLockName = "cw.migrate.";
constexpr int kLockWaitSeconds = 20;  // below db.read_timeout_seconds, so the wait is not taken for a lost connection

}  // namespace

core::Result<std::vector<MigrationFile>> loadMigrations(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Error{ErrorCode::FailedPrecondition, "migrations directory '" + dir + "' does not exist", {}};
  }
  static const std::regex kPattern(R"(V(\d{4,})__([a-z0-9_]+)\.sql)");
  std::vector<MigrationFile> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".sql") continue;
    std::smatch m;
    if (!std::regex_match(name, m, kPattern)) {
      return Error{ErrorCode::FailedPrecondition,
                   "migration file '" + name + "' is not named V<4+ digits>__<lower_snake_name>.sql", {}};
    }
    std::ifstream in(entry.path(), std::ios::binary);
    if (!in) return Error{ErrorCode::FailedPrecondition, "cannot read migration file '" + name + "'", {}};
    std::ostringstream text;
    text << in.rdbuf();
    MigrationFile file;
    file.version = std::stoi(m[1].str());
    file.name = name;
    file.sql = text.str();
    file.checksum = core::sha256Hex(file.sql);
    files.push_back(std::move(file));
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < files.size(); ++i) {
    if (files[i].version == files[i - 1].version) {
      return Error{ErrorCode::FailedPrecondition,
                   "migrations '" + files[i - 1].name + "' and '" + files[i].name + "' share version " +
                       std::to_string(files[i].version), {}};
    }
  }
  return files;
}

Migrator::Migrator(Pool& pool, std::vector<MigrationFile> files) : pool_(pool), files_(std::move(files)) {}

core::Result<MigrationState> Migrator::compare(Connection& connection) {
  std::map<int, std::pair<std::string, std::string>> applied;  // version -> (name, checksum)
  auto table = connection.query(
      "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE()"
      " AND table_name = 'schema_migrations'");
  if (table[0].i64("n") > 0) {
    for (const auto& row :
         connection.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version")) {
      applied[static_cast<int>(row.i64("version"))] = {row.str("name"), row.str("checksum")};
    }
  }
  MigrationState state;
  for (const auto& file : files_) {
    auto it = applied.find(file.version);
    if (it == applied.end()) {
      state.pending.push_back(file.name);
      continue;
    }
    if (it->second.second != file.checksum) {
      return Error{ErrorCode::FailedPrecondition,
                   "migration " + file.name + " was changed after it was applied (recorded checksum " +
                       it->second.second.substr(0, 12) + "..., file now " + file.checksum.substr(0, 12) +
                       "...); applied migrations are never edited: restore the file and add a new migration", {}};
    }
    state.applied.push_back(file.name);
    applied.erase(it);
  }
  for (const auto& [version, entry] : applied) state.newer.push_back(entry.first);
  if (!state.pending.empty() && !state.applied.empty()) {
    // A pending file older than an applied one was added out of order.
    int newestApplied = 0;
    for (const auto& file : files_) {
      if (std::find(state.applied.begin(), state.applied.end(), file.name) != state.applied.end()) {
        newestApplied = std::max(newestApplied, file.version);
      }
    }
    for (const auto& file : files_) {
      if (file.version < newestApplied &&
          std::find(state.pending.begin(), state.pending.end(), file.name) != state.pending.end()) {
        return Error{ErrorCode::FailedPrecondition,
                     "migration " + file.name + " is older than migrations already applied; give it a new version",
                     {}};
      }
    }
  }
  return state;
}

core::Result<MigrationState> Migrator::state() {
  auto lease = pool_.acquire();
  return compare(*lease);
}

core::Result<std::vector<std::string>> Migrator::migrate() {
  auto lease = pool_.acquire();
  Connection& connection = *lease;
  // Lock names are global to the server: qualify with the schema (hashed, for the 64-character limit).
  const std::string lockName =
      connection.query("SELECT CONCAT(?, LEFT(SHA2(DATABASE(), 256), 40)) AS n", kLockName)[0].str("n");
  auto locked = connection.query("SELECT GET_LOCK(?, ?) AS got", lockName, kLockWaitSeconds);
  if (locked.empty() || locked[0].isNull("got") || locked[0].i64("got") != 1) {
    return Error{ErrorCode::Unavailable, "another process is migrating the database; try again", {}};
  }
  struct Unlock {
    Connection& c;
    const std::string& name;
    ~Unlock() {
      try {
        c.query("SELECT RELEASE_LOCK(?) AS released", name);
      } catch (...) {
        // The lock is released anyway when the session ends.
      }
    }
  } unlock{connection, lockName};

  connection.executeScript(kCreateTable);
  auto current = compare(connection);
  if (!current) return current.error();
  if (!current->newer.empty() && !current->pending.empty()) {
    return Error{ErrorCode::FailedPrecondition,
                 "the database has migration " + current->newer.front() +
                     ", which this build does not know (a newer carewatch migrated it), and this build's " +
                     current->pending.front() + " is not applied: upgrade carewatch instead", {}};
  }
  std::vector<std::string> done;
  for (const auto& file : files_) {
    if (std::find(current->pending.begin(), current->pending.end(), file.name) == current->pending.end()) continue;
    auto started = std::chrono::steady_clock::now();
    auto statements = splitSqlScript(file.sql);
    for (std::size_t i = 0; i < statements.size(); ++i) {
      try {
        connection.executeScript(statements[i]);
      } catch (const DbError& e) {
        return Error{ErrorCode::FailedPrecondition,
                     "migration " + file.name + " failed at statement " + std::to_string(i + 1) + " of " +
                         std::to_string(statements.size()) + ": " + e.what(), {}};
      }
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    connection.execute("INSERT INTO schema_migrations (version, name, checksum, execution_ms) VALUES (?, ?, ?, ?)",
                       file.version, file.name, file.checksum, static_cast<std::int64_t>(ms.count()));
    done.push_back(file.name);
  }
  return done;
}

}  // namespace cw::db
