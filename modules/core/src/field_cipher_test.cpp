#include "cw/core/field_cipher.hpp"

#include <gtest/gtest.h>

#include "cw/core/crypto.hpp"

namespace cw::core {
namespace {

const std::string kEnc = base64Encode(std::string(32, '\x11'));
const std::string kIdx = base64Encode(std::string(32, '\x22'));

TEST(FieldCipher, RoundTripsAndNeverRepeatsCiphertext) {
  SecureRandom random;
  auto cipher = FieldCipher::create(kEnc, kIdx, random);
  ASSERT_TRUE(cipher.ok());
  auto a = cipher->encrypt("36040219800101123X", "institution.legal_rep_id");
  auto b = cipher->encrypt("36040219800101123X", "institution.legal_rep_id");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find("36040219800101123X"), std::string::npos);
  EXPECT_EQ(*cipher->decrypt(a, "institution.legal_rep_id"), "36040219800101123X");
}

TEST(FieldCipher, RejectsTamperingOtherContextAndOtherKey) {
  SecureRandom random;
  auto cipher = *FieldCipher::create(kEnc, kIdx, random);
  auto token = cipher.encrypt("360402198001011234", "ctx");
  std::string tampered = token;
  tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(cipher.decrypt(tampered, "ctx").ok());
  EXPECT_FALSE(cipher.decrypt(token, "other").ok());
  auto otherKey = *FieldCipher::create(base64Encode(std::string(32, '\x33')), kIdx, random);
  EXPECT_FALSE(otherKey.decrypt(token, "ctx").ok());
  EXPECT_FALSE(cipher.decrypt("garbage", "ctx").ok());
}

TEST(FieldCipher, BlindIndexIsDeterministicPerKeyAndContext) {
  SecureRandom random;
  auto cipher = *FieldCipher::create(kEnc, kIdx, random);
  EXPECT_EQ(cipher.blindIndex("x", "ctx"), cipher.blindIndex("x", "ctx"));
  EXPECT_NE(cipher.blindIndex("x", "ctx"), cipher.blindIndex("x", "ctx2"));
  EXPECT_NE(cipher.blindIndex("x", "ctx"), cipher.blindIndex("y", "ctx"));
  EXPECT_EQ(cipher.blindIndex("x", "ctx").size(), 64u);
}

TEST(FieldCipher, KeysMustBe32BytesAndDistinct) {
  SecureRandom random;
  auto shortKey = FieldCipher::create(base64Encode("short"), kIdx, random);
  ASSERT_FALSE(shortKey.ok());
  EXPECT_EQ(shortKey.error().field, "pii.encryption_key");
  EXPECT_FALSE(FieldCipher::create(kEnc, kEnc, random).ok());
}

}  // namespace
}  // namespace cw::core
