#pragma once
// Routes are declared with their access policy where they are registered, so a test can list every route and
// what it allows. Patterns are literal segments and `{name}` parameters: "/api/v1/admin/users/{id}/disable".
//
// Thread-safety: register every route before the server starts; afterwards the router is read-only.

#include <functional>
#include <initializer_list>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "cw/http/request.hpp"

namespace cw::http {

/// Who may call a route. Object ownership (an institution user reaching only its own institution) is checked by
/// the service, on top of this.
struct Access {
  enum class Kind { Public, Authenticated, Roles };
  Kind kind = Kind::Authenticated;
  std::vector<std::string> roles;

  static Access anyone() { return {Kind::Public, {}}; }
  static Access signedIn() { return {Kind::Authenticated, {}}; }
  static Access only(std::initializer_list<std::string> allowed) { return {Kind::Roles, allowed}; }

  bool allowsRole(const std::string& role) const;
  /// "public", "authenticated" or "roles:admin,officer".
  std::string describe() const;
};

using Handler = std::function<core::Result<Response>(Request&)>;
/// A handler that reads the request body itself, as it arrives (uploads). It runs after authentication, so an
/// unauthenticated client never gets a byte accepted; Request::body stays empty.
using StreamHandler = std::function<core::Result<Response>(Request&, std::istream& body)>;

struct Route {
  std::string method;
  std::string pattern;
  Access access;
  Handler handler;
  std::size_t maxBodyBytes = 0;  // 0: the server's default limit
  StreamHandler streamHandler;   // set instead of handler for streaming routes
  /// The handler answers from memory: it never waits for the database, a file or a lock held across either, so an
  /// event loop's thread may run it (the check listener serves only such routes).
  bool fromMemory = false;
};

class Router {
 public:
  /// Throws std::invalid_argument for a malformed pattern or a duplicate method + pattern.
  void add(std::string method, std::string pattern, Access access, Handler handler, std::size_t maxBodyBytes = 0);
  /// A GET route whose handler answers from memory (see Route::fromMemory); also served by the check listener.
  void addFromMemory(std::string method, std::string pattern, Access access, Handler handler);
  /// A route whose handler reads the body stream itself (see StreamHandler).
  void addStreaming(std::string method, std::string pattern, Access access, StreamHandler handler);

  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
    std::vector<std::string> allowedMethods;  // when the path exists but not for this method
  };
  Match match(const std::string& method, const std::string& path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  // Each route's pattern split once at registration: a segment is a literal or, for "{name}", a parameter.
  struct Segment {
    std::string text;  // the literal, or the parameter's name
    bool parameter = false;
  };
  std::vector<Route> routes_;
  std::vector<std::vector<Segment>> patterns_;  // parallel to routes_
};

}  // namespace cw::http
