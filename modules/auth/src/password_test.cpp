#include <gtest/gtest.h>

#include "cw/auth/password.hpp"
#include "cw/auth/users.hpp"
#include "cw/core/random.hpp"

namespace cw::auth {
namespace {

TEST(PasswordHasher, VerifiesTheRightPasswordOnly) {
  core::SecureRandom random;
  PasswordHasher hasher(random, kMinPbkdf2Iterations);
  std::string encoded = hasher.hash("Correct-Horse-9");
  EXPECT_EQ(encoded.rfind("pbkdf2-sha256$600000$", 0), 0u);
  EXPECT_TRUE(hasher.verify("Correct-Horse-9", encoded));
  EXPECT_FALSE(hasher.verify("Correct-Horse-8", encoded));
}

TEST(PasswordHasher, SaltsEachHash) {
  core::SecureRandom random;
  PasswordHasher hasher(random, kMinPbkdf2Iterations);
  EXPECT_NE(hasher.hash("Same-Password-1"), hasher.hash("Same-Password-1"));
}

TEST(PasswordHasher, RejectsMalformedEncodings) {
  core::SecureRandom random;
  PasswordHasher hasher(random, kMinPbkdf2Iterations);
  EXPECT_FALSE(hasher.verify("x", ""));
  EXPECT_FALSE(hasher.verify("x", "md5$1$abc$def"));
  EXPECT_FALSE(hasher.verify("x", "pbkdf2-sha256$notanumber$AAAA$AAAA"));
  EXPECT_FALSE(hasher.verify("x", "pbkdf2-sha256$999999999$AAAA$AAAA"));
}

TEST(PasswordHasher, RefusesTooFewIterations) {
  core::SecureRandom random;
  EXPECT_THROW(PasswordHasher(random, 100'000), std::invalid_argument);
}

TEST(PasswordPolicy, NeedsLengthAndThreeClasses) {
  EXPECT_FALSE(checkPasswordPolicy("password", "Short-1", "").ok());
  auto twoClasses = checkPasswordPolicy("password", "alllowercase123", "");
  ASSERT_FALSE(twoClasses.ok());
  EXPECT_EQ(twoClasses.error().field, "password");
  EXPECT_TRUE(checkPasswordPolicy("password", "Lowercase123", "").ok());
  EXPECT_TRUE(checkPasswordPolicy("password", "lower-case-123", "").ok());
}

TEST(PasswordPolicy, RefusesPasswordContainingUsername) {
  EXPECT_FALSE(checkPasswordPolicy("password", "Zhang.Wei-2026", "zhang.wei").ok());
}

TEST(Username, AcceptsLowerCaseNamesOnly) {
  EXPECT_TRUE(checkUsername("username", "li.wei_02").ok());
  EXPECT_FALSE(checkUsername("username", "Li").ok());
  EXPECT_FALSE(checkUsername("username", "9lives").ok());
  EXPECT_FALSE(checkUsername("username", "li wei").ok());
  EXPECT_FALSE(checkUsername("username", std::string(33, 'a')).ok());
}

}  // namespace
}  // namespace cw::auth
