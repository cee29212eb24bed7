#include "cw/core/crypto.hpp"

#include <gtest/gtest.h>

namespace cw::core {
namespace {

TEST(Crypto, Sha256MatchesFipsVector) {
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Crypto, Sha256StreamMatchesOneShotWhateverThePieces) {
  std::string data;
  for (int i = 0; i < 100000; ++i) data += static_cast<char>(i * 7);
  for (std::size_t piece : {std::size_t{1}, std::size_t{63}, std::size_t{64}, std::size_t{4096}, data.size()}) {
    Sha256Stream stream;
    for (std::size_t at = 0; at < data.size(); at += piece) stream.update(std::string_view(data).substr(at, piece));
    EXPECT_EQ(stream.finishHex(), sha256Hex(data)) << piece;
  }
  Sha256Stream empty;
  EXPECT_EQ(empty.finishHex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Crypto, HmacSha256MatchesRfc4231Case2) {
  EXPECT_EQ(hexEncode(hmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, KeyedHmacMatchesOneShotHmacForShortLongAndSplitInput) {
  KeyedHmacSha256 jefe("Jefe");
  EXPECT_EQ(hexEncode(jefe.mac("what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  unsigned char out[32];
  jefe.mac({"what do ya ", "", "want for nothing?"}, out);
  EXPECT_EQ(hexEncode(std::string(reinterpret_cast<char*>(out), 32)),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // RFC 4231 case 6: a 131-byte key is hashed first.
  KeyedHmacSha256 longKey(std::string(131, '\xaa'));
  EXPECT_EQ(hexEncode(longKey.mac("Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  KeyedHmacSha256 copy(longKey);
  std::string message(1000, 'm');
  EXPECT_EQ(copy.mac(message), hmacSha256(std::string(131, '\xaa'), message));
}

TEST(Crypto, HexDecodeRoundTripsAndRefusesUpperCaseOddLengthAndNonHex) {
  EXPECT_EQ(hexDecode("00ff7a"), std::string("\x00\xff\x7a", 3));
  EXPECT_EQ(hexDecode(hexEncode("carewatch")), "carewatch");
  EXPECT_FALSE(hexDecode("0F"));
  EXPECT_FALSE(hexDecode("abc"));
  EXPECT_FALSE(hexDecode("zz"));
}

TEST(Crypto, Pbkdf2MatchesRfc7914Vector) {
  // RFC 7914 section 11: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1, dkLen=64.
  EXPECT_EQ(hexEncode(pbkdf2Sha256("passwd", "salt", 1, 64)),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
            "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
}

TEST(Crypto, Base64RoundTripsAllPaddingLengths) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto decoded = base64Decode(base64Encode(s));
    ASSERT_TRUE(decoded.has_value()) << s;
    EXPECT_EQ(*decoded, s);
  }
  EXPECT_EQ(base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
}

TEST(Crypto, Base64DecodeRejectsGarbage) {
  EXPECT_FALSE(base64Decode("abc").has_value());
  EXPECT_FALSE(base64Decode("ab!d").has_value());
}

TEST(Crypto, Base64UrlHasNoPaddingOrUnsafeCharacters) {
  std::string bytes("\xfb\xff\xfe", 3);
  EXPECT_EQ(base64UrlEncode(bytes), "-__-");
  EXPECT_EQ(base64UrlEncode("f"), "Zg");
}

TEST(Crypto, ConstantTimeEqualsComparesContentAndLength) {
  EXPECT_TRUE(constantTimeEquals("secret", "secret"));
  EXPECT_FALSE(constantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(constantTimeEquals("secret", "secret1"));
}

}  // namespace
}  // namespace cw::core
