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

}  // namespace cw::core
