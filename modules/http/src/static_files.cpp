#include "static_files.hpp"

#include <filesystem>
#include <map>

namespace cw::http {

namespace fs = std::filesystem;

std::string contentTypeFor(const std::string& extension) {
  static const std::map<std::string, std::string> kTypes{
      {".html", "text/html; charset=utf-8"},       {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},  {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"}, {".svg", "image/svg+xml"},
      {".png", "image/png"},                        {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},                      {".gif", "image/gif"},
      {".ico", "image/x-icon"},                     {".webp", "image/webp"},
      {".woff", "font/woff"},                       {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},                         {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},  {".wasm", "application/wasm"},
  };
  auto it = kTypes.find(extension);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

StaticFiles::StaticFiles(std::string root) : root_(std::move(root)) {
  std::error_code ec;
  auto canonical = fs::weakly_canonical(root_, ec);
  if (!ec) root_ = canonical.string();
}

std::optional<StaticFile> StaticFiles::resolve(const std::string& requestPath) const {
  fs::path index = fs::path(root_) / "index.html";
  std::error_code ec;
  // Reject traversal outright rather than normalising it away.
  bool safe = requestPath.find("..") == std::string::npos && requestPath.find('\0') == std::string::npos &&
              requestPath.find('\\') == std::string::npos;
  if (!safe) return std::nullopt;
  if (requestPath != "/" && !requestPath.empty()) {
    fs::path candidate = fs::path(root_) / requestPath.substr(1);
    if (fs::is_regular_file(candidate, ec)) {
      std::string ext = candidate.extension().string();
      bool hashedAsset = requestPath.rfind("/assets/", 0) == 0;
      return StaticFile{candidate.string(), contentTypeFor(ext),
                        hashedAsset ? "public, max-age=31536000, immutable" : "no-cache"};
    }
  }
  // A missing file with an extension (a stale asset) is a 404, not the console page.
  auto lastSlash = requestPath.rfind('/');
  if (requestPath.find('.', lastSlash == std::string::npos ? 0 : lastSlash) != std::string::npos) return std::nullopt;
  if (!fs::is_regular_file(index, ec)) return std::nullopt;
  return StaticFile{index.string(), "text/html; charset=utf-8", "no-cache"};
}

}  // namespace cw::http
