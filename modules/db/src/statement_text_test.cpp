#include "cw/db/statement_text.hpp"

#include <gtest/gtest.h>

#include <set>

namespace cw::db {
namespace {

TEST(StatementText, PlaceholdersAndInLists) {
  EXPECT_EQ(placeholders(1), "?");
  EXPECT_EQ(placeholders(3), "?, ?, ?");
  EXPECT_EQ(withInList("SELECT 1 FROM t WHERE id IN (", ")", 2), "SELECT 1 FROM t WHERE id IN (?, ?)");
}

TEST(StatementText, PaddedSizesArePowersOfTwoNoSmallerThanTheCount) {
  EXPECT_EQ(paddedToPowerOfTwo(0), 1u);
  EXPECT_EQ(paddedToPowerOfTwo(1), 1u);
  EXPECT_EQ(paddedToPowerOfTwo(5), 8u);
  EXPECT_EQ(paddedToPowerOfTwo(64), 64u);
  EXPECT_EQ(paddedToPowerOfTwo(65), 128u);
}

// Every count from 1 to 1,000 written in chunks of at most 256: the chunks add up, and only 9 sizes ever occur.
TEST(StatementText, ChunksCoverEveryCountWithAFewSizes) {
  std::set<std::size_t> sizes;
  for (std::size_t total = 1; total <= 1000; ++total) {
    std::size_t done = 0;
    while (done < total) {
      std::size_t n = chunkOf(total - done, 256);
      ASSERT_GE(n, 1u);
      ASSERT_LE(done + n, total);
      sizes.insert(n);
      done += n;
    }
  }
  EXPECT_EQ(sizes, (std::set<std::size_t>{1, 2, 4, 8, 16, 32, 64, 128, 256}));
}

}  // namespace
}  // namespace cw::db
