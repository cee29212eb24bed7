#pragma once
// The built web console (web/dist): real files with their content type and cache policy, and index.html for
// any other path so client-side routes survive a reload.

#include <optional>
#include <string>

namespace cw::http {

struct StaticFile {
  std::string path;  // absolute file path
  std::string contentType;
  std::string cacheControl;
};

class StaticFiles {
 public:
  explicit StaticFiles(std::string root);
  /// The file to serve for a request path; nullopt for a missing file with an extension, or when the console
  /// is not built (no index.html).
  std::optional<StaticFile> resolve(const std::string& requestPath) const;

 private:
  std::string root_;
};

std::string contentTypeFor(const std::string& extension);

}  // namespace cw::http
