#include "cw/core/random.hpp"

#include <openssl/rand.h>

#include <stdexcept>

#include "cw/core/crypto.hpp"

namespace cw::core {

std::vector<unsigned char> SecureRandom::bytes(std::size_t n) {
  std::vector<unsigned char> out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
    throw std::runtime_error("RAND_bytes failed: the system random generator is unavailable");
  }
  return out;
}

std::string randomToken(RandomSource& random, std::size_t n) {
  auto raw = random.bytes(n);
  return base64UrlEncode(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
}

std::string randomCode(RandomSource& random, std::size_t n) {
  static constexpr std::string_view kAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";  // no 0/O, 1/I
  auto bytes = random.bytes(n);
  std::string out;
  for (auto b : bytes) out += kAlphabet[b % kAlphabet.size()];  // 256 is a multiple of 32: unbiased
  return out;
}

std::uint64_t uniformBelow(RandomSource& random, std::uint64_t bound) {
  if (bound == 0) throw std::invalid_argument("uniformBelow needs a bound above zero");
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;  // the largest multiple of bound
  for (;;) {
    std::uint64_t v = 0;
    for (auto byte : random.bytes(8)) v = (v << 8) | byte;
    if (v < limit) return v % bound;
  }
}

}  // namespace cw::core
