#pragma once
// Content-addressed file storage outside the web root: a file is named by the SHA-256 of its bytes, so the same
// document uploaded twice is stored once and a stored file can always be checked against its name. Writes go to
// a temporary file that is flushed and renamed into place, so a crash never leaves a half-written file under a
// real name.
//
// Thread-safety: safe for concurrent use (each write has its own temporary file; rename is atomic).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cw/core/crypto.hpp"
#include "cw/core/result.hpp"

namespace cw::core {

/// The media type recognised from a file's first bytes (PDF, PNG, JPEG, WebP), or nullopt: never trust the name
/// or the client's Content-Type.
std::optional<std::string> sniffDocumentType(std::string_view bytes);

/// The media type of rectification evidence recognised from its first bytes: JPEG, PNG, PDF or MP4 (ISO base
/// media with an MP4 brand; QuickTime and HEIF are not MP4), or nullopt.
std::optional<std::string> sniffEvidenceType(std::string_view head);

/// A file being written into the store as it arrives: the bytes go to a temporary file (never under a final
/// name) and into a SHA-256; commit() flushes it to disk and renames it under its hash, or drops it when that
/// content is already stored. Destroying an uncommitted writer removes the temporary file.
class BlobWriter {
 public:
  static constexpr std::size_t kHeadBytes = 128 * 1024;
  struct Stored {
    std::string sha256;
    std::uint64_t sizeBytes = 0;
    bool created = false;  // false when the same content was already stored
  };

  BlobWriter(BlobWriter&& other) noexcept;
  BlobWriter& operator=(BlobWriter&&) = delete;
  ~BlobWriter();

  /// Unavailable when the disk refuses (full, read-only); the writer is then aborted.
  Status write(std::string_view bytes);
  std::uint64_t size() const { return size_; }
  /// The first kHeadBytes bytes, for recognising the type and reading photo metadata.
  const std::string& head() const { return head_; }
  Result<Stored> commit();
  void abort();

 private:
  friend class BlobStore;
  BlobWriter(const class BlobStore& store, int fd, std::string tempPath);
  const class BlobStore* store_;
  int fd_;
  std::string tempPath_;
  std::uint64_t size_ = 0;
  std::string head_;
  std::unique_ptr<Sha256Stream> hash_;
};

class BlobStore {
 public:
  explicit BlobStore(std::string root);
  /// Starts a streamed write (see BlobWriter).
  Result<BlobWriter> begin() const;
  /// Where the content with this hash lives (whether or not it exists).
  std::string pathOf(const std::string& sha256) const;
  /// Removes a stored file (used only to undo a write whose database record could not be saved).
  void remove(const std::string& sha256) const;
  /// Deletes temporary files untouched for `olderThan` (left by a process killed in mid-upload); returns how many.
  int removeStaleTemporaries(std::chrono::seconds olderThan) const;
  /// Stores the bytes; returns their hex SHA-256. Unavailable when the disk refuses (full, read-only), with
  /// nothing left behind.
  Result<std::string> put(std::string_view bytes) const;
  /// The stored bytes; NotFound for an unknown hash, FailedPrecondition when the file no longer matches its hash.
  Result<std::string> get(const std::string& sha256) const;
  bool exists(const std::string& sha256) const;

 private:
  std::string incomingDir() const;
  std::string root_;
};

}  // namespace cw::core
