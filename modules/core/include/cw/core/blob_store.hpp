#pragma once
// Content-addressed file storage outside the web root: a file is named by the SHA-256 of its bytes, so the same
// document uploaded twice is stored once and a stored file can always be checked against its name. Writes go to
// a temporary file that is flushed and renamed into place, so a crash never leaves a half-written file under a
// real name.
//
// Thread-safety: safe for concurrent use (each write has its own temporary file; rename is atomic).

#include <optional>
#include <string>
#include <string_view>

#include "cw/core/result.hpp"

namespace cw::core {

/// The media type recognised from a file's first bytes (PDF, PNG, JPEG, WebP), or nullopt: never trust the name
/// or the client's Content-Type.
std::optional<std::string> sniffDocumentType(std::string_view bytes);

class BlobStore {
 public:
  explicit BlobStore(std::string root);
  /// Stores the bytes; returns their hex SHA-256. Unavailable when the disk refuses (full, read-only), with
  /// nothing left behind.
  Result<std::string> put(std::string_view bytes) const;
  /// The stored bytes; NotFound for an unknown hash, FailedPrecondition when the file no longer matches its hash.
  Result<std::string> get(const std::string& sha256) const;
  bool exists(const std::string& sha256) const;

 private:
  std::string pathOf(const std::string& sha256) const;
  std::string root_;
};

}  // namespace cw::core
