#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cw/db/migrations.hpp"
#include "support/test_db.hpp"

namespace cw {
namespace {

namespace fs = std::filesystem;

std::string migrationsDir() { return std::string(CW_SOURCE_DIR) + "/migrations"; }

TEST(Migrations, FreshSchemaIsFullyAppliedAndSecondRunDoesNothing) {
  testing::TestDatabase database;
  auto files = db::loadMigrations(migrationsDir());
  ASSERT_TRUE(files.ok()) << files.error().message;
  db::Migrator migrator(database.pool(), *files);
  auto again = migrator.migrate();
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->empty());
  auto state = migrator.state();
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->pending.empty());
  EXPECT_EQ(state->applied.size(), files->size());
  auto lease = database.pool().acquire();
  auto rows = lease->query("SELECT name, checksum FROM schema_migrations ORDER BY version");
  ASSERT_EQ(rows.size(), files->size());
  EXPECT_EQ(rows[0].str("checksum"), (*files)[0].checksum);
}

TEST(Migrations, ChangedAppliedFileIsRefusedByName) {
  testing::TestDatabase database(false);
  fs::path dir = fs::temp_directory_path() / ("cw-migrations-" + database.name());
  fs::create_directories(dir);
  {
    std::ofstream(dir / "V0001__first.sql") << "CREATE TABLE t1 (id INT PRIMARY KEY);\n";
  }
  auto files = db::loadMigrations(dir.string());
  ASSERT_TRUE(files.ok());
  ASSERT_TRUE(db::Migrator(database.pool(), *files).migrate().ok());

  {
    std::ofstream(dir / "V0001__first.sql") << "CREATE TABLE t1 (id INT PRIMARY KEY, extra INT);\n";
  }
  auto changed = db::loadMigrations(dir.string());
  ASSERT_TRUE(changed.ok());
  auto result = db::Migrator(database.pool(), *changed).migrate();
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("V0001__first.sql was changed after it was applied"), std::string::npos)
      << result.error().message;
  fs::remove_all(dir);
}

TEST(Migrations, MisnamedFileIsRejected) {
  fs::path dir = fs::temp_directory_path() / "cw-migrations-misnamed";
  fs::create_directories(dir);
  { std::ofstream(dir / "1_first.sql") << "SELECT 1;"; }
  auto files = db::loadMigrations(dir.string());
  ASSERT_FALSE(files.ok());
  EXPECT_NE(files.error().message.find("1_first.sql"), std::string::npos);
  fs::remove_all(dir);
}

TEST(Migrations, FailingStatementNamesFileAndStatementAndIsNotRecorded) {
  testing::TestDatabase database(false);
  fs::path dir = fs::temp_directory_path() / ("cw-migrations-bad-" + database.name());
  fs::create_directories(dir);
  { std::ofstream(dir / "V0001__broken.sql") << "CREATE TABLE ok1 (id INT);\nCREATE TABLE oops (;\n"; }
  auto files = db::loadMigrations(dir.string());
  ASSERT_TRUE(files.ok());
  auto result = db::Migrator(database.pool(), *files).migrate();
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("V0001__broken.sql failed at statement 2 of 2"), std::string::npos)
      << result.error().message;
  auto lease = database.pool().acquire();
  EXPECT_TRUE(lease->query("SELECT version FROM schema_migrations").empty());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cw
