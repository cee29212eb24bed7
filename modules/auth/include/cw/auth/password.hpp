#pragma once
// Password storage: PBKDF2-HMAC-SHA256 through OpenSSL EVP, per-user random salt, at least 600,000 iterations
// (OWASP 2023). The encoded form carries its own parameters, so raising the iteration count later keeps old
// hashes verifiable: "pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>".

#include <cstdint>
#include <string>
#include <string_view>

#include "cw/core/random.hpp"
#include "cw/core/result.hpp"

namespace cw::auth {

inline constexpr std::uint32_t kMinPbkdf2Iterations = 600'000;

class PasswordHasher {
 public:
  /// Throws std::invalid_argument when iterations is below kMinPbkdf2Iterations.
  PasswordHasher(core::RandomSource& random, std::uint32_t iterations);
  std::string hash(std::string_view password) const;
  /// Constant-time comparison; false for a malformed encoding.
  bool verify(std::string_view password, std::string_view encoded) const;
  /// Spends the same time as a real verification, for unknown usernames.
  void verifyDummy(std::string_view password) const;

 private:
  core::RandomSource& random_;
  std::uint32_t iterations_;
  std::string dummy_;
};

/// At least 10 characters, at least 3 of 4 classes (lower, upper, digit, other), not containing the username.
core::Status checkPasswordPolicy(std::string_view field, std::string_view password, std::string_view username);

}  // namespace cw::auth
