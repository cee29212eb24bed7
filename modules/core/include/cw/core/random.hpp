#pragma once
// Randomness as an injected dependency: tokens and salts come from the OS CSPRNG in production; tests may
// substitute a deterministic source.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cw::core {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  /// n cryptographically strong random bytes. Thread-safe. Throws std::runtime_error if the CSPRNG fails.
  virtual std::vector<unsigned char> bytes(std::size_t n) = 0;
};

/// OpenSSL's RAND_bytes (seeded by the OS).
class SecureRandom final : public RandomSource {
 public:
  std::vector<unsigned char> bytes(std::size_t n) override;
};

/// n random bytes rendered as URL-safe base64 without padding: session tokens, CSRF tokens, request ids.
std::string randomToken(RandomSource& random, std::size_t n);
/// n characters from a 32-letter alphabet without look-alikes (no 0/O, 1/I): public references and tracking
/// codes people read out or type (5 bits each).
std::string randomCode(RandomSource& random, std::size_t n);
/// A uniformly distributed number in [0, bound) (rejection sampling, no modulo bias). bound must be > 0.
std::uint64_t uniformBelow(RandomSource& random, std::uint64_t bound);

}  // namespace cw::core
