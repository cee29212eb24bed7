#include <gtest/gtest.h>

#include "cw/db/pool.hpp"

namespace cw::db {
namespace {

TEST(WithLiterals, ReplacesPlaceholdersInOrderOutsideQuotes) {
  EXPECT_EQ(withLiterals("SELECT a FROM t WHERE b = ? AND c LIKE '?%' AND d IN (?, ?)", {"'x'", "2", "NULL"}),
            "SELECT a FROM t WHERE b = 'x' AND c LIKE '?%' AND d IN (2, NULL)");
  EXPECT_EQ(withLiterals("SELECT 'it\\'s ?' , ?", {"1"}), "SELECT 'it\\'s ?' , 1");
  EXPECT_EQ(withLiterals("SELECT ?, ?", {"1"}), "SELECT 1, ?");  // fewer values: the rest stay visible
}

}  // namespace
}  // namespace cw::db
