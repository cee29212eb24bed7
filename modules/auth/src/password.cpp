#include "cw/auth/password.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <vector>

#include "cw/core/crypto.hpp"
#include "cw/core/validation.hpp"

namespace cw::auth {

namespace {
constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
// A ceiling against a stored hash (or a config) that would make one sign-in take minutes.
constexpr std::uint32_t kMaxIterations = 50'000'000;

std::vector<std::string_view> splitDollar(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    auto pos = text.find('$', start);
    parts.push_back(text.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}
}  // namespace

PasswordHasher::PasswordHasher(core::RandomSource& random, std::uint32_t iterations)
    : random_(random), iterations_(iterations) {
  if (iterations < kMinPbkdf2Iterations || iterations > kMaxIterations) {
    throw std::invalid_argument("auth.pbkdf2_iterations must be between 600000 and 50000000");
  }
  dummy_ = hash("carewatch dummy password for unknown users");
}

std::string PasswordHasher::hash(std::string_view password) const {
  auto saltBytes = random_.bytes(kSaltBytes);
  std::string salt(saltBytes.begin(), saltBytes.end());
  std::string derived = core::pbkdf2Sha256(password, salt, iterations_, kHashBytes);
  return std::string(kScheme) + "$" + std::to_string(iterations_) + "$" + core::base64Encode(salt) + "$" +
         core::base64Encode(derived);
}

bool PasswordHasher::verify(std::string_view password, std::string_view encoded) const {
  auto parts = splitDollar(encoded);
  if (parts.size() != 4 || parts[0] != kScheme) return false;
  std::uint32_t iterations = 0;
  auto [ptr, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), iterations);
  if (ec != std::errc() || ptr != parts[1].data() + parts[1].size() || iterations == 0 ||
      iterations > kMaxIterations) {
    return false;
  }
  auto salt = core::base64Decode(parts[2]);
  auto expected = core::base64Decode(parts[3]);
  if (!salt || !expected || expected->empty()) return false;
  std::string derived = core::pbkdf2Sha256(password, *salt, iterations, expected->size());
  return core::constantTimeEquals(derived, *expected);
}

void PasswordHasher::verifyDummy(std::string_view password) const { (void)verify(password, dummy_); }

core::Status checkPasswordPolicy(std::string_view field, std::string_view password, std::string_view username) {
  std::string name(field);
  if (!core::isValidUtf8(password)) return core::Error::invalid(name, name + " is not valid UTF-8");
  if (core::utf8Length(password) < 10) return core::Error::invalid(name, name + " must be at least 10 characters");
  if (password.size() > 256) return core::Error::invalid(name, name + " must be at most 256 bytes");
  bool lower = false, upper = false, digit = false, other = false;
  for (unsigned char c : password) {
    if (std::islower(c)) lower = true;
    else if (std::isupper(c)) upper = true;
    else if (std::isdigit(c)) digit = true;
    else other = true;
  }
  if (lower + upper + digit + other < 3) {
    return core::Error::invalid(
        name, name + " must mix at least 3 of: lower-case letters, upper-case letters, digits, other characters");
  }
  if (!username.empty()) {
    std::string p(password), u(username);
    std::transform(p.begin(), p.end(), p.begin(), [](unsigned char c) { return std::tolower(c); });
    std::transform(u.begin(), u.end(), u.begin(), [](unsigned char c) { return std::tolower(c); });
    if (p.find(u) != std::string::npos) return core::Error::invalid(name, name + " must not contain the username");
  }
  return core::Ok{};
}

}  // namespace cw::auth
