#include "sql_script.hpp"

#include <gtest/gtest.h>

namespace cw::db {
namespace {

TEST(SqlScript, SplitsAtSemicolonsOutsideQuotesAndComments) {
  auto parts = splitSqlScript(
      "-- header; with a semicolon\n"
      "CREATE TABLE a (x VARCHAR(10) DEFAULT 'a;b');\n"
      "/* block; comment */ INSERT INTO a VALUES ('it''s; fine');\n"
      "INSERT INTO a VALUES (\"x;\\\"y\");  # trailing; comment\n");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_NE(parts[0].find("'a;b'"), std::string::npos);
  EXPECT_NE(parts[1].find("'it''s; fine'"), std::string::npos);
  EXPECT_NE(parts[2].find("\"x;\\\"y\""), std::string::npos);
}

TEST(SqlScript, DropsCommentOnlyAndEmptyStatements) {
  auto parts = splitSqlScript("SELECT 1;;\n-- only a comment\n;  \n");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0], "SELECT 1");
}

TEST(SqlScript, LastStatementNeedsNoSemicolon) {
  auto parts = splitSqlScript("SELECT 1; SELECT 2");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[1], " SELECT 2");
}

}  // namespace
}  // namespace cw::db
