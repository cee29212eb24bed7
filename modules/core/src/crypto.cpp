#include "cw/core/crypto.hpp"

// KeyedHmacSha256 uses the SHA256_CTX midstate API, deprecated in OpenSSL 3 but kept; see its comment.
#define OPENSSL_SUPPRESS_DEPRECATED

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace cw::core {

namespace {

void check(int rc, const char* what) {
  if (rc != 1) throw std::runtime_error(std::string("OpenSSL failure in ") + what);
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* p) const { EVP_MAC_CTX_free(p); }
};
struct KdfDeleter {
  void operator()(EVP_KDF* p) const { EVP_KDF_free(p); }
};
struct KdfCtxDeleter {
  void operator()(EVP_KDF_CTX* p) const { EVP_KDF_CTX_free(p); }
};

// OpenSSL 3 looks an algorithm up (locks, a property query) on every EVP_sha256() init; fetched once here instead.
// The fetched objects live as long as the process.
const EVP_MD* sha256Md() {
  static EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (!fetched) throw std::runtime_error("EVP_MD_fetch(SHA256) failed");
    return fetched;
  }();
  return md;
}

EVP_MAC* hmacAlgorithm() {
  static EVP_MAC* mac = [] {
    EVP_MAC* fetched = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (!fetched) throw std::runtime_error("EVP_MAC_fetch(HMAC) failed");
    return fetched;
  }();
  return mac;
}

}  // namespace

std::string sha256(std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx) throw std::runtime_error("EVP_MD_CTX_new failed");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  check(EVP_DigestInit_ex(ctx.get(), sha256Md(), nullptr), "EVP_DigestInit_ex");
  check(EVP_DigestUpdate(ctx.get(), data.data(), data.size()), "EVP_DigestUpdate");
  check(EVP_DigestFinal_ex(ctx.get(), digest, &len), "EVP_DigestFinal_ex");
  return std::string(reinterpret_cast<char*>(digest), len);
}

std::string sha256Hex(std::string_view data) { return hexEncode(sha256(data)); }

struct Sha256Stream::State {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx{EVP_MD_CTX_new()};
};

Sha256Stream::Sha256Stream() : state_(new State) {
  if (!state_->ctx) {
    delete state_;
    throw std::runtime_error("EVP_MD_CTX_new failed");
  }
  check(EVP_DigestInit_ex(state_->ctx.get(), sha256Md(), nullptr), "EVP_DigestInit_ex");
}

Sha256Stream::~Sha256Stream() { delete state_; }

void Sha256Stream::update(std::string_view data) {
  check(EVP_DigestUpdate(state_->ctx.get(), data.data(), data.size()), "EVP_DigestUpdate");
}

std::string Sha256Stream::finishHex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  check(EVP_DigestFinal_ex(state_->ctx.get(), digest, &len), "EVP_DigestFinal_ex");
  return hexEncode(std::string_view(reinterpret_cast<char*>(digest), len));
}

std::string hmacSha256(std::string_view key, std::string_view data) {
  std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> ctx(EVP_MAC_CTX_new(hmacAlgorithm()));
  if (!ctx) throw std::runtime_error("EVP_MAC_CTX_new failed");
  char digestName[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digestName, 0),
                         OSSL_PARAM_construct_end()};
  check(EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(), params),
        "EVP_MAC_init");
  check(EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()),
        "EVP_MAC_update");
  unsigned char out[EVP_MAX_MD_SIZE];
  std::size_t len = 0;
  check(EVP_MAC_final(ctx.get(), out, &len, sizeof out), "EVP_MAC_final");
  return std::string(reinterpret_cast<char*>(out), len);
}

// OpenSSL 3.0's EVP_MD_CTX_copy_ex frees and allocates the digest state on every copy (3.2 added an in-place
// copy), which made a draw's 10^8 MACs spend more time in malloc and futexes than in SHA-256. The midstates are
// therefore kept as plain SHA256_CTX values, copied by assignment; SHA256_Update still runs OpenSSL's SHA-NI code.
struct KeyedHmacSha256::State {
  SHA256_CTX inner;  // after absorbing key ^ ipad
  SHA256_CTX outer;  // after absorbing key ^ opad
};

namespace {
constexpr std::size_t kShaBlock = 64;
}  // namespace

KeyedHmacSha256::KeyedHmacSha256(std::string_view key) : state_(new State) {
  std::string k = key.size() > kShaBlock ? sha256(key) : std::string(key);
  k.resize(kShaBlock, '\0');
  unsigned char ipad[kShaBlock];
  unsigned char opad[kShaBlock];
  for (std::size_t i = 0; i < kShaBlock; ++i) {
    ipad[i] = static_cast<unsigned char>(k[i] ^ 0x36);
    opad[i] = static_cast<unsigned char>(k[i] ^ 0x5c);
  }
  SHA256_Init(&state_->inner);
  SHA256_Update(&state_->inner, ipad, sizeof ipad);
  SHA256_Init(&state_->outer);
  SHA256_Update(&state_->outer, opad, sizeof opad);
  OPENSSL_cleanse(k.data(), k.size());
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
}

KeyedHmacSha256::KeyedHmacSha256(const KeyedHmacSha256& other) : state_(new State(*other.state_)) {}

KeyedHmacSha256::~KeyedHmacSha256() {
  OPENSSL_cleanse(state_, sizeof *state_);
  delete state_;
}

void KeyedHmacSha256::mac(std::initializer_list<std::string_view> parts, unsigned char out[32]) {
  unsigned char innerDigest[32];
  SHA256_CTX work = state_->inner;
  for (std::string_view part : parts) SHA256_Update(&work, part.data(), part.size());
  SHA256_Final(innerDigest, &work);
  work = state_->outer;
  SHA256_Update(&work, innerDigest, sizeof innerDigest);
  SHA256_Final(out, &work);
}

std::string KeyedHmacSha256::mac(std::string_view data) {
  unsigned char out[32];
  mac({data}, out);
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

std::string pbkdf2Sha256(std::string_view password, std::string_view salt, std::uint32_t iterations,
                         std::size_t length) {
  std::unique_ptr<EVP_KDF, KdfDeleter> kdf(EVP_KDF_fetch(nullptr, "PBKDF2", nullptr));
  if (!kdf) throw std::runtime_error("EVP_KDF_fetch(PBKDF2) failed");
  std::unique_ptr<EVP_KDF_CTX, KdfCtxDeleter> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) throw std::runtime_error("EVP_KDF_CTX_new failed");
  char digestName[] = "SHA256";
  unsigned int iter = iterations;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<char*>(password.data()),
                                        password.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()), salt.size()),
      OSSL_PARAM_construct_uint(OSSL_KDF_PARAM_ITER, &iter),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digestName, 0), OSSL_PARAM_construct_end()};
  std::string out(length, '\0');
  check(EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), length, params),
        "EVP_KDF_derive");
  return out;
}

std::string hexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::optional<std::string> hexDecode(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    int hi = nibble(text[i]);
    int lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string base64UrlEncode(std::string_view bytes) {
  std::string out = base64Encode(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = (text.size() >= 2 && text[text.size() - 2] == '=') ? 2 : 1;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace cw::core
