#include "cw/core/field_cipher.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include "cw/core/crypto.hpp"

namespace cw::core {

namespace {

constexpr std::string_view kPrefix = "v1.";
constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

Result<std::string> decodeKey(std::string_view base64, const std::string& setting) {
  auto key = base64Decode(base64);
  if (!key || key->size() != kKeyBytes) {
    return Error::invalid(setting, setting + " must be the base64 encoding of exactly 32 random bytes "
                                             "(generate one with: openssl rand -base64 32)");
  }
  return *key;
}

}  // namespace

Result<FieldCipher> FieldCipher::create(std::string_view encryptionKeyBase64, std::string_view indexKeyBase64,
                                        RandomSource& random) {
  auto enc = decodeKey(encryptionKeyBase64, "pii.encryption_key");
  if (!enc) return enc.error();
  auto idx = decodeKey(indexKeyBase64, "pii.index_key");
  if (!idx) return idx.error();
  if (*enc == *idx) return Error::invalid("pii.index_key", "pii.index_key must differ from pii.encryption_key");
  return FieldCipher(std::move(*enc), std::move(*idx), random);
}

std::string FieldCipher::encrypt(std::string_view plaintext, std::string_view context) const {
  auto nonceBytes = random_->bytes(kNonceBytes);
  std::string nonce(nonceBytes.begin(), nonceBytes.end());
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
  std::string out = nonce;
  out.resize(kNonceBytes + plaintext.size() + kTagBytes);
  int len = 0;
  auto* cipherOut = reinterpret_cast<unsigned char*>(out.data()) + kNonceBytes;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceBytes), nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, bytes(encryptionKey_), bytes(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(context), static_cast<int>(context.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), cipherOut, &len, bytes(plaintext), static_cast<int>(plaintext.size())) != 1) {
    throw std::runtime_error("AES-256-GCM encryption failed");
  }
  int finalLen = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), cipherOut + len, &finalLen) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                          cipherOut + plaintext.size()) != 1) {
    throw std::runtime_error("AES-256-GCM encryption failed");
  }
  return std::string(kPrefix) + base64Encode(out);
}

Result<std::string> FieldCipher::decrypt(std::string_view token, std::string_view context) const {
  auto fail = [] { return Error::precondition("an encrypted value cannot be decrypted (altered, or another key)"); };
  if (token.substr(0, kPrefix.size()) != kPrefix) return fail();
  auto raw = base64Decode(token.substr(kPrefix.size()));
  if (!raw || raw->size() < kNonceBytes + kTagBytes) return fail();
  std::string_view all(*raw);
  std::string_view nonce = all.substr(0, kNonceBytes);
  std::string_view cipher = all.substr(kNonceBytes, all.size() - kNonceBytes - kTagBytes);
  std::string tag(all.substr(all.size() - kTagBytes));
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
  std::string plain(cipher.size(), '\0');
  int len = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceBytes), nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, bytes(encryptionKey_), bytes(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(context), static_cast<int>(context.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len, bytes(cipher),
                        static_cast<int>(cipher.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes), tag.data()) != 1) {
    return fail();
  }
  int finalLen = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &finalLen) != 1) {
    return fail();
  }
  return plain;
}

std::string FieldCipher::blindIndex(std::string_view value, std::string_view context) const {
  return hexEncode(hmacSha256(indexKey_, std::string(context) + '\0' + std::string(value)));
}

}  // namespace cw::core
