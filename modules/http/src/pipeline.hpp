#pragma once
// What every listener does around a route's handler, whatever carries the bytes (POCO's thread per connection, or
// the event loop of the check listener): request ids, the answer's security headers, the answers for paths no
// route takes, authentication and access, error shapes (every 500 logged with its request id and named by it
// only), the access-log line and the request metrics.

#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cw/core/random.hpp"
#include "cw/http/metrics.hpp"
#include "cw/http/router.hpp"
#include "cw/http/server.hpp"

namespace cw::http::detail {

using HeaderList = std::vector<std::pair<std::string_view, std::string_view>>;

class Pipeline {
 public:
  Pipeline(const Router& router, Authenticator& authenticator, Metrics& metrics, core::RandomSource& random,
           ExceptionMapper mapException, LogSink log);

  const Router& router() const { return router_; }
  Authenticator& authenticator() { return authenticator_; }
  const LogSink& log() const { return log_; }

  /// The client's X-Request-Id when it is a usable one (8 to 64 of A-Z a-z 0-9 - _), a new one otherwise.
  std::string requestId(const std::string& incoming);
  /// Path (percent-decoded) and query parameters from the request target; false when it is malformed.
  static bool parseTarget(const std::string& target, Request& request);
  static bool isServedPath(const std::string& path);  // the API and the probes (the rest is the console)
  /// Adds one request header under its lower-cased name (the last of a repeated name wins); a Cookie header's
  /// pairs also go to request.cookies.
  static void addHeader(Request& request, std::string_view name, std::string value);
  /// The peer's address, or with trustProxy the X-Real-IP header's when it is an IP address.
  static std::string clientIp(std::string peer, const std::string& realIp, bool trustProxy);
  /// Headers on every answer; X-Request-Id and, over TLS, Strict-Transport-Security come on top.
  static const HeaderList& baseHeaders();
  /// Headers on every API answer: it is data, never a page, and never stored.
  static const HeaderList& apiHeaders();

  /// 404, or 405 with Allow, for a request no route takes.
  static Response unrouted(const Router::Match& match, const Request& request, std::string& routeName);
  /// Takes the authenticator's answer: sets request.principal, or returns the refusal (401, 403, CSRF).
  std::optional<Response> admit(const Route& route, Request& request,
                                core::Result<std::optional<Principal>> principal);
  /// The handler's result as an answer.
  Response answer(const Request& request, core::Result<Response> result);
  /// An exception out of a handler: mapped (the database down is 503) or a 500.
  Response answer(const Request& request, const std::exception& e);
  /// Metrics and the access-log line of one request.
  void record(const Request& request, const std::string& routeName, int status, double seconds);

 private:
  Response internal(const Request& request, const char* what, const std::string& detail);

  const Router& router_;
  Authenticator& authenticator_;
  Metrics& metrics_;
  core::RandomSource& random_;
  ExceptionMapper mapException_;
  LogSink log_;
};

}  // namespace cw::http::detail
