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

BlobStore::BlobStore(std::string root) : root_(std::move(root)) {}

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
