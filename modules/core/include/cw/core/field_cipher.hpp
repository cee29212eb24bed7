#pragma once
// Encryption of personal data fields (e.g. a legal representative's resident ID number): AES-256-GCM through
// OpenSSL EVP with a random 96-bit nonce per value, and an HMAC-SHA256 blind index for exact-match lookup. Both
// keys come from configuration (the environment), never from the database.
//
// Thread-safety: immutable after construction; share freely.

#include <string>
#include <string_view>

#include "cw/core/random.hpp"
#include "cw/core/result.hpp"

namespace cw::core {

class FieldCipher {
 public:
  /// Keys are base64 of exactly 32 bytes each, and must differ. InvalidArgument names the setting.
  static Result<FieldCipher> create(std::string_view encryptionKeyBase64, std::string_view indexKeyBase64,
                                    RandomSource& random);

  /// "v1." + base64(nonce || ciphertext || tag). `context` (e.g. "institution.legal_rep_id") is authenticated
  /// but not stored, so a value copied into another field fails to decrypt.
  std::string encrypt(std::string_view plaintext, std::string_view context) const;
  /// FailedPrecondition when the token was altered, belongs to another context or another key.
  Result<std::string> decrypt(std::string_view token, std::string_view context) const;
  /// Hex HMAC-SHA256 of the (already normalised) value under the index key and context.
  std::string blindIndex(std::string_view value, std::string_view context) const;

 private:
  FieldCipher(std::string encryptionKey, std::string indexKey, RandomSource& random)
      : encryptionKey_(std::move(encryptionKey)), indexKey_(std::move(indexKey)), random_(&random) {}
  std::string encryptionKey_;
  std::string indexKey_;
  RandomSource* random_;
};

}  // namespace cw::core
