#include "cw/core/blob_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "cw/core/crypto.hpp"

namespace cw::core {

namespace fs = std::filesystem;

std::optional<std::string> sniffDocumentType(std::string_view b) {
  if (b.substr(0, 5) == "%PDF-") return "application/pdf";
  if (b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return "image/png";
  if (b.substr(0, 3) == std::string_view("\xFF\xD8\xFF", 3)) return "image/jpeg";
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return "image/webp";
  return std::nullopt;
}

std::optional<std::string> sniffEvidenceType(std::string_view b) {
  if (b.substr(0, 5) == "%PDF-") return "application/pdf";
  if (b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return "image/png";
  if (b.substr(0, 3) == std::string_view("\xFF\xD8\xFF", 3)) return "image/jpeg";
  // ISO base media: a 32-bit box size, then "ftyp" and the major brand.
  if (b.size() >= 12 && b.substr(4, 4) == "ftyp") {
    static constexpr std::string_view kMp4Brands[] = {"isom", "iso2", "iso4", "iso5", "iso6", "mp41",
                                                      "mp42", "avc1", "M4V ", "dash", "MSNV", "3gp5"};
    std::string_view brand = b.substr(8, 4);
    for (auto known : kMp4Brands) {
      if (brand == known) return "video/mp4";
    }
  }
  return std::nullopt;
}

namespace {

std::string errnoText(const char* what, int err) {
  if (err == ENOSPC || err == EDQUOT) return std::string(what) + ": the file store is full";
  return std::string(what) + ": " + std::strerror(err);
}

// Flushes a directory entry (a rename) to disk.
void syncDirectory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

BlobWriter::BlobWriter(const BlobStore& store, int fd, std::string tempPath)
    : store_(&store), fd_(fd), tempPath_(std::move(tempPath)), hash_(std::make_unique<Sha256Stream>()) {}

BlobWriter::BlobWriter(BlobWriter&& other) noexcept
    : store_(other.store_), fd_(other.fd_), tempPath_(std::move(other.tempPath_)), size_(other.size_),
      head_(std::move(other.head_)), hash_(std::move(other.hash_)) {
  other.fd_ = -1;
  other.tempPath_.clear();
}

BlobWriter::~BlobWriter() { abort(); }

void BlobWriter::abort() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!tempPath_.empty()) ::unlink(tempPath_.c_str());
  tempPath_.clear();
}

Status BlobWriter::write(std::string_view bytes) {
  if (fd_ < 0) return Error{ErrorCode::Internal, "the upload was already finished or abandoned", {}};
  if (head_.size() < kHeadBytes) head_.append(bytes.substr(0, kHeadBytes - head_.size()));
  hash_->update(bytes);
  std::size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd_, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      abort();
      return Error{ErrorCode::Unavailable, errnoText("cannot store the file", err), {}};
    }
    written += static_cast<std::size_t>(n);
  }
  size_ += bytes.size();
  return Ok{};
}

Result<BlobWriter::Stored> BlobWriter::commit() {
  if (fd_ < 0) return Error{ErrorCode::Internal, "the upload was already finished or abandoned", {}};
  if (::fsync(fd_) != 0) {
    int err = errno;
    abort();
    return Error{ErrorCode::Unavailable, errnoText("cannot store the file", err), {}};
  }
  ::close(fd_);
  fd_ = -1;
  Stored stored{hash_->finishHex(), size_, false};
  if (store_->exists(stored.sha256)) {
    abort();  // the same content is stored already: keep the one copy
    return stored;
  }
  fs::path target = store_->pathOf(stored.sha256);
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (!ec) fs::rename(tempPath_, target, ec);
  if (ec) {
    abort();
    return Error{ErrorCode::Unavailable, "cannot store the file: " + ec.message(), {}};
  }
  tempPath_.clear();
  syncDirectory(target.parent_path());
  stored.created = true;
  return stored;
}

BlobStore::BlobStore(std::string root) : root_(std::move(root)) {}

std::string BlobStore::incomingDir() const { return (fs::path(root_) / ".incoming").string(); }

Result<BlobWriter> BlobStore::begin() const {
  std::error_code ec;
  fs::create_directories(incomingDir(), ec);
  if (ec) return Error{ErrorCode::Unavailable, "cannot create the file store directory: " + ec.message(), {}};
  std::random_device rd;
  std::string temp = (fs::path(incomingDir()) / ("upload-" + std::to_string(rd()) + std::to_string(rd()))).string();
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return Error{ErrorCode::Unavailable, errnoText("cannot store the file", errno), {}};
  return BlobWriter(*this, fd, temp);
}

void BlobStore::remove(const std::string& sha256) const {
  std::error_code ec;
  if (sha256.size() == 64) fs::remove(pathOf(sha256), ec);
}

int BlobStore::removeStaleTemporaries(std::chrono::seconds olderThan) const {
  int removed = 0;
  std::error_code ec;
  auto cutoff = fs::file_time_type::clock::now() - olderThan;
  for (const auto& entry : fs::directory_iterator(incomingDir(), ec)) {
    std::error_code e;
    if (entry.is_regular_file(e) && entry.last_write_time(e) < cutoff && !e && fs::remove(entry.path(), e)) ++removed;
  }
  return removed;
}

std::string BlobStore::pathOf(const std::string& sha256) const {
  return (fs::path(root_) / sha256.substr(0, 2) / sha256.substr(2, 2) / sha256).string();
}

bool BlobStore::exists(const std::string& sha256) const {
  std::error_code ec;
  return sha256.size() == 64 && fs::is_regular_file(pathOf(sha256), ec);
}

Result<std::string> BlobStore::put(std::string_view bytes) const {
  std::string sha = sha256Hex(bytes);
  if (exists(sha)) return sha;
  fs::path target = pathOf(sha);
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) return Error{ErrorCode::Unavailable, "cannot create the file store directory: " + ec.message(), {}};
  std::random_device rd;
  fs::path temp = target.parent_path() / (".tmp-" + sha.substr(0, 16) + "-" + std::to_string(rd()));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0640);
  if (fd < 0) return Error{ErrorCode::Unavailable, std::string("cannot store the file: ") + std::strerror(errno), {}};
  std::size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      fs::remove(temp, ec);
      return Error{ErrorCode::Unavailable, std::string("cannot store the file: ") + std::strerror(err), {}};
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    fs::remove(temp, ec);
    return Error{ErrorCode::Unavailable, std::string("cannot store the file: ") + std::strerror(err), {}};
  }
  fs::rename(temp, target, ec);
  if (ec) {
    fs::remove(temp, ec);
    return Error{ErrorCode::Unavailable, "cannot store the file: " + ec.message(), {}};
  }
  return sha;
}

Result<std::string> BlobStore::get(const std::string& sha256) const {
  if (!exists(sha256)) return Error::notFound("no stored file " + sha256);
  std::ifstream in(pathOf(sha256), std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  std::string bytes = out.str();
  if (sha256Hex(bytes) != sha256) {
    return Error::precondition("stored file " + sha256 + " no longer matches its hash (damaged on disk)");
  }
  return bytes;
}

}  // namespace cw::core
