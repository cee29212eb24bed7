#include "pipeline.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/URI.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "cw/core/crypto.hpp"
#include "cw/core/time.hpp"
#include "cw/http/json.hpp"

namespace cw::http::detail {

namespace {

bool isValidRequestId(const std::string& id) {
  if (id.size() < 8 || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

// A request id: 12 bytes from a per-thread splitmix64 stream seeded from the server's random source, base64url
// (16 characters). Ids only need to be unique: they are not secrets (an id seen by a client tells nothing it could
// use, though a run of them can be told apart from true random), and drawing them from the cryptographic generator
// cost a lock and a getpid() per request.
std::string newRequestId(core::RandomSource& random) {
  thread_local std::uint64_t state = [&random] {
    auto seed = random.bytes(8);
    std::uint64_t s = 0;
    for (auto b : seed) s = (s << 8) | b;
    return s;
  }();
  auto next = [] {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  std::uint64_t a = next(), b = next();
  char raw[12];
  std::memcpy(raw, &a, 8);
  std::memcpy(raw + 8, &b, 4);
  return core::base64UrlEncode(std::string_view(raw, sizeof raw));
}

std::string_view methodLabel(const std::string& method) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (method == known) return known;
  }
  return "OTHER";
}

}  // namespace

Pipeline::Pipeline(const Router& router, Authenticator& authenticator, Metrics& metrics, core::RandomSource& random,
                   ExceptionMapper mapException, LogSink log)
    : router_(router), authenticator_(authenticator), metrics_(metrics), random_(random),
      mapException_(std::move(mapException)), log_(std::move(log)) {}

std::string Pipeline::requestId(const std::string& incoming) {
  return isValidRequestId(incoming) ? incoming : newRequestId(random_);
}

bool Pipeline::parseTarget(const std::string& target, Request& request) {
  try {
    Poco::URI uri(target);
    request.path = uri.getPath();
    for (const auto& [k, v] : uri.getQueryParameters()) request.query.emplace(k, v);
  } catch (const Poco::Exception&) {
    request.path.clear();
  }
  return !request.path.empty();
}

bool Pipeline::isServedPath(const std::string& path) {
  return path == "/api" || path.rfind("/api/", 0) == 0 || path == "/healthz" || path == "/readyz" || path == "/metrics";
}

void Pipeline::addHeader(Request& request, std::string_view name, std::string value) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "cookie") {
    Poco::Net::NameValueCollection cookies;
    Poco::Net::MessageHeader::splitParameters(value.begin(), value.end(), cookies);
    for (const auto& [k, v] : cookies) request.cookies[k] = v;
  }
  request.headers[lower] = std::move(value);
}

std::string Pipeline::clientIp(std::string peer, const std::string& realIp, bool trustProxy) {
  Poco::Net::IPAddress forwarded;
  if (trustProxy && !realIp.empty() && Poco::Net::IPAddress::tryParse(realIp, forwarded)) return forwarded.toString();
  return peer;
}

const HeaderList& Pipeline::baseHeaders() {
  static const HeaderList kHeaders{{"X-Content-Type-Options", "nosniff"},
                                   {"X-Frame-Options", "DENY"},
                                   {"Referrer-Policy", "same-origin"},
                                   {"Cross-Origin-Opener-Policy", "same-origin"},
                                   {"Cross-Origin-Resource-Policy", "same-origin"}};
  return kHeaders;
}

const HeaderList& Pipeline::apiHeaders() {
  // An API answer is data, never a page: it may load nothing and be framed by no one.
  static const HeaderList kHeaders{{"Cache-Control", "no-store"},
                                   {"Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"}};
  return kHeaders;
}

Response Pipeline::unrouted(const Router::Match& match, const Request& request, std::string& routeName) {
  if (!match.allowedMethods.empty()) {
    std::string allow;
    for (const auto& m : match.allowedMethods) allow += (allow.empty() ? "" : ", ") + m;
    Response r = errorResponse({core::ErrorCode::MethodNotAllowed,
                                "method " + request.method + " is not allowed on " + request.path + "; use " + allow,
                                {}});
    r.headers.emplace_back("Allow", allow);
    routeName = "method_not_allowed";
    return r;
  }
  routeName = "not_found";
  return errorResponse(core::Error::notFound("no API route " + request.method + " " + request.path));
}

std::optional<Response> Pipeline::admit(const Route& route, Request& request,
                                        core::Result<std::optional<Principal>> principal) {
  // Public routes (sign-in, probes, metrics) never look at credentials: a stale cookie must not turn a sign-in into
  // a CSRF failure, and a probe must not depend on the session table.
  if (route.access.kind == Access::Kind::Public) return std::nullopt;
  if (!principal) return errorResponse(principal.error());
  request.principal = std::move(*principal);
  if (!request.principal) return errorResponse({core::ErrorCode::Unauthenticated, "sign in first: no valid session", {}});
  if (!route.access.allowsRole(request.principal->role)) {
    return errorResponse(core::Error::denied("the role '" + request.principal->role + "' may not call " +
                                             request.method + " " + route.pattern));
  }
  return std::nullopt;
}

Response Pipeline::internal(const Request& request, const char* what, const std::string& detail) {
  if (log_) log_(logLine("error", what, {{"request_id", request.requestId}, {"error", detail}}));
  return errorResponse({core::ErrorCode::Internal,
                        "internal error; quote request id " + request.requestId + " when reporting it", {}});
}

Response Pipeline::answer(const Request& request, core::Result<Response> result) {
  if (result) return std::move(*result);
  // Every 500 has its line in the log: an error the handler reports as internal (a stored file gone missing) as
  // much as an exception.
  if (result.error().code == core::ErrorCode::Internal) return internal(request, "internal error", result.error().message);
  return errorResponse(result.error());
}

Response Pipeline::answer(const Request& request, const std::exception& e) {
  std::optional<core::Error> mapped = mapException_ ? mapException_(e) : std::nullopt;
  if (mapped) return errorResponse(*mapped);
  return internal(request, "unhandled exception", e.what());
}

void Pipeline::record(const Request& request, const std::string& routeName, int status, double seconds) {
  metrics_.observeRequest(std::string(methodLabel(request.method)), routeName, status, seconds);
  if (!log_) return;
  std::string line;
  line.reserve(256);
  line += "{\"ts\":";
  appendJsonString(line, core::formatIsoUtc(std::chrono::system_clock::now(), true));
  line += ",\"level\":\"info\",\"msg\":\"request\",\"request_id\":";
  appendJsonString(line, request.requestId);
  line += ",\"method\":";
  appendJsonString(line, request.method);
  line += ",\"path\":";
  appendJsonString(line, request.path);
  line += ",\"route\":";
  appendJsonString(line, routeName);
  char numbers[64];
  std::snprintf(numbers, sizeof numbers, ",\"status\":%d,\"duration_ms\":%.3f,\"client\":", status, seconds * 1000.0);
  line += numbers;
  appendJsonString(line, request.clientIp);
  if (request.principal) line += ",\"user_id\":" + std::to_string(request.principal->userId);
  line += '}';
  log_(line);
}

}  // namespace cw::http::detail
