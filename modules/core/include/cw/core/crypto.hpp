#pragma once
// Hashing and encoding primitives over OpenSSL 3 EVP. All functions are thread-safe; failures of the OpenSSL
// library itself (out of memory, missing provider) throw std::runtime_error.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace cw::core {

/// Raw 32-byte SHA-256 digest of data.
std::string sha256(std::string_view data);
/// Lower-case hex SHA-256 digest (64 characters).
std::string sha256Hex(std::string_view data);
/// SHA-256 over data that arrives in pieces (a streamed upload). Not thread-safe; not copyable.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void update(std::string_view data);
  /// Lower-case hex digest of everything given so far; the stream cannot be updated afterwards.
  std::string finishHex();

 private:
  struct State;
  State* state_;
};

/// Raw 32-byte HMAC-SHA256.
std::string hmacSha256(std::string_view key, std::string_view data);
/// HMAC-SHA256 under one key, for computing many MACs fast: the key's inner and outer SHA-256 states are
/// computed once, so each MAC costs two compression rounds (RFC 2104, identical output to hmacSha256).
/// Not thread-safe: give each thread its own instance (copies share nothing).
class KeyedHmacSha256 {
 public:
  explicit KeyedHmacSha256(std::string_view key);
  ~KeyedHmacSha256();
  KeyedHmacSha256(const KeyedHmacSha256& other);
  KeyedHmacSha256& operator=(const KeyedHmacSha256&) = delete;

  /// Writes the 32-byte MAC of the concatenation of the parts to `out`.
  void mac(std::initializer_list<std::string_view> parts, unsigned char out[32]);
  std::string mac(std::string_view data);

 private:
  struct State;
  State* state_;
};

/// Raw PBKDF2-HMAC-SHA256 of `length` bytes.
std::string pbkdf2Sha256(std::string_view password, std::string_view salt, std::uint32_t iterations,
                         std::size_t length);

std::string hexEncode(std::string_view bytes);
/// Lower-case hex only (the form hexEncode writes); std::nullopt for odd length or any other character.
std::optional<std::string> hexDecode(std::string_view text);
std::string base64Encode(std::string_view bytes);
/// std::nullopt when the input is not valid standard base64.
std::optional<std::string> base64Decode(std::string_view text);
/// URL-safe alphabet, no padding.
std::string base64UrlEncode(std::string_view bytes);

/// Compares without an early exit, so the time taken does not reveal where two secrets differ.
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace cw::core
