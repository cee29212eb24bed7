#include "cw/http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace cw::http {

namespace {

// The path's segments as views into it; empty when the path does not start with '/'.
template <typename Out>
void splitPath(std::string_view path, Out& out) {
  if (path.empty() || path[0] != '/') return;
  std::size_t start = 1;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
}

bool isParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

bool Access::allowsRole(const std::string& role) const {
  switch (kind) {
    case Kind::Public:
    case Kind::Authenticated:
      return true;
    case Kind::Roles:
      return std::find(roles.begin(), roles.end(), role) != roles.end();
  }
  return false;
}

std::string Access::describe() const {
  switch (kind) {
    case Kind::Public: return "public";
    case Kind::Authenticated: return "authenticated";
    case Kind::Roles: {
      std::string out = "roles:";
      for (std::size_t i = 0; i < roles.size(); ++i) out += (i ? "," : "") + roles[i];
      return out;
    }
  }
  return "unknown";
}

void Router::add(std::string method, std::string pattern, Access access, Handler handler, std::size_t maxBodyBytes) {
  if (pattern.empty() || pattern[0] != '/') throw std::invalid_argument("route pattern must start with '/': " + pattern);
  std::vector<std::string_view> parts;
  splitPath(pattern, parts);
  std::vector<Segment> segments;
  for (auto segment : parts) {
    bool parameter = isParam(segment);
    if ((segment.find('{') != std::string_view::npos || segment.find('}') != std::string_view::npos) && !parameter) {
      throw std::invalid_argument("malformed parameter segment '" + std::string(segment) + "' in " + pattern);
    }
    segments.push_back({std::string(parameter ? segment.substr(1, segment.size() - 2) : segment), parameter});
  }
  for (const auto& r : routes_) {
    if (r.method == method && r.pattern == pattern) {
      throw std::invalid_argument("route registered twice: " + method + " " + pattern);
    }
  }
  routes_.push_back(
      Route{std::move(method), std::move(pattern), std::move(access), std::move(handler), maxBodyBytes, nullptr, false});
  patterns_.push_back(std::move(segments));
}

void Router::addFromMemory(std::string method, std::string pattern, Access access, Handler handler) {
  if (method != "GET") throw std::invalid_argument("a route answered from memory is a GET: " + method + " " + pattern);
  add(std::move(method), std::move(pattern), std::move(access), std::move(handler));
  routes_.back().fromMemory = true;
}

void Router::addStreaming(std::string method, std::string pattern, Access access, StreamHandler handler) {
  add(std::move(method), std::move(pattern), std::move(access), nullptr);
  routes_.back().streamHandler = std::move(handler);
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  Match result;
  std::vector<std::string_view> parts;
  parts.reserve(8);
  splitPath(path, parts);
  // Literal segments win over parameters: the route with the fewest parameters is taken.
  std::size_t best = routes_.size();
  int bestParams = 0;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const auto& segments = patterns_[i];
    if (segments.size() != parts.size()) continue;
    int params = 0;
    bool matches = true;
    for (std::size_t k = 0; k < segments.size() && matches; ++k) {
      if (segments[k].parameter) {
        matches = !parts[k].empty();
        ++params;
      } else {
        matches = segments[k].text == parts[k];
      }
    }
    if (!matches) continue;
    const Route& route = routes_[i];
    if (route.method != method) {
      if (std::find(result.allowedMethods.begin(), result.allowedMethods.end(), route.method) ==
          result.allowedMethods.end()) {
        result.allowedMethods.push_back(route.method);
      }
      continue;
    }
    if (best == routes_.size() || params < bestParams) {
      best = i;
      bestParams = params;
    }
  }
  if (best != routes_.size()) {
    result.route = &routes_[best];
    const auto& segments = patterns_[best];
    for (std::size_t k = 0; k < segments.size(); ++k) {
      if (segments[k].parameter) result.params.emplace(segments[k].text, std::string(parts[k]));
    }
    result.allowedMethods.clear();
  }
  return result;
}

}  // namespace cw::http
