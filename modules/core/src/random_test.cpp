#include "cw/core/random.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <set>

namespace cw::core {
namespace {

// Hands out the given 64-bit values (big-endian) one per bytes(8) call.
class Scripted final : public RandomSource {
 public:
  explicit Scripted(std::deque<std::uint64_t> values) : values_(std::move(values)) {}
  std::vector<unsigned char> bytes(std::size_t n) override {
    std::uint64_t v = values_.front();
    values_.pop_front();
    std::vector<unsigned char> out(n);
    for (std::size_t i = 0; i < n; ++i) out[n - 1 - i] = static_cast<unsigned char>(v >> (8 * i));
    return out;
  }

 private:
  std::deque<std::uint64_t> values_;
};

TEST(UniformBelow, RejectsTheBiasedTailAndReducesTheRest) {
  // For bound 3, 2^64 - 1 is the one value past the last complete block of three: redrawn, not folded onto 0.
  Scripted random({UINT64_MAX, 7});
  EXPECT_EQ(uniformBelow(random, 3), 1u);
  Scripted edge({UINT64_MAX - 1});
  EXPECT_EQ(uniformBelow(edge, 3), 2u) << "the last value of the last complete block is kept";
  Scripted small({5});
  EXPECT_EQ(uniformBelow(small, 1), 0u);
  EXPECT_THROW(uniformBelow(small, 0), std::invalid_argument);
}

TEST(UniformBelow, StaysBelowTheBoundWithTheSystemGenerator) {
  SecureRandom random;
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    auto v = uniformBelow(random, 5);
    ASSERT_LT(v, 5u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 5u);
}

}  // namespace
}  // namespace cw::core
