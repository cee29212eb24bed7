#pragma once
// The request and response types every handler sees. They are plain values: a handler reads a Request and
// returns a Result<Response>; it never touches sockets.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <Poco/JSON/Object.h>

#include "cw/core/result.hpp"

namespace cw::http {

/// Who is calling, as established by the Authenticator.
struct Principal {
  std::int64_t userId = 0;
  std::string username;
  std::string displayName;
  std::string role;  // admin | officer | inspector | institution | bureau
  std::optional<std::string> departmentCode;
  std::optional<std::string> regionCode;
  std::optional<std::int64_t> institutionId;
  std::int64_t sessionId = 0;
  std::string sessionExpiresAt;  // ISO-8601 UTC, the absolute end of the session
  std::string csrfToken;         // the session's token for cookie-authenticated writes
  bool viaCookie = false;
};

struct Request {
  std::string method;  // upper case; HEAD is routed as GET
  std::string path;    // percent-decoded
  std::map<std::string, std::string> pathParams;
  std::multimap<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::map<std::string, std::string> cookies;
  std::string body;
  std::string clientIp;
  std::string requestId;
  std::optional<Principal> principal;

  /// Empty string when absent. Name is case-insensitive.
  std::string header(const std::string& name) const;
  std::optional<std::string> queryParam(const std::string& name) const;
  const std::string& pathParam(const std::string& name) const;
};

struct Response {
  int status = 200;
  std::string body;
  /// When set, the server streams this file as the body instead of `body` (large downloads never sit in memory).
  std::string bodyFile;
  /// When set, the body instead of `body`: a text shared with a cache, sent without a copy per request.
  std::shared_ptr<const std::string> sharedBody;
  std::string contentType = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // may repeat (Set-Cookie)

  static Response json(const Poco::JSON::Object::Ptr& object, int status = 200);
  static Response json(const Poco::JSON::Array::Ptr& array, int status = 200);
  /// `{}` with the given status.
  static Response emptyObject(int status = 200);
  static Response text(std::string body, std::string contentType, int status = 200);
  static Response file(std::string path, std::string contentType);
};

}  // namespace cw::http
