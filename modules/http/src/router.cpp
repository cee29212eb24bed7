#include "cw/http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace cw::http {

namespace {

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  if (path.empty() || path[0] != '/') return out;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool isParam(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool matchPattern(const std::string& pattern, const std::vector<std::string>& path,
                  std::map<std::string, std::string>& params) {
  auto parts = segments(pattern);
  if (parts.size() != path.size()) return false;
  std::map<std::string, std::string> found;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (isParam(parts[i])) {
      if (path[i].empty()) return false;
      found[parts[i].substr(1, parts[i].size() - 2)] = path[i];
    } else if (parts[i] != path[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
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
  for (const auto& segment : segments(pattern)) {
    if ((segment.find('{') != std::string::npos || segment.find('}') != std::string::npos) && !isParam(segment)) {
      throw std::invalid_argument("malformed parameter segment '" + segment + "' in " + pattern);
    }
  }
  for (const auto& r : routes_) {
    if (r.method == method && r.pattern == pattern) {
      throw std::invalid_argument("route registered twice: " + method + " " + pattern);
    }
  }
  routes_.push_back(Route{std::move(method), std::move(pattern), std::move(access), std::move(handler), maxBodyBytes, nullptr});
}

void Router::addStreaming(std::string method, std::string pattern, Access access, StreamHandler handler) {
  add(std::move(method), std::move(pattern), std::move(access), nullptr);
  routes_.back().streamHandler = std::move(handler);
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  Match result;
  auto parts = segments(path);
  // Literal segments win over parameters: try routes with fewer parameters first.
  const Route* best = nullptr;
  int bestParams = 0;
  std::map<std::string, std::string> bestValues;
  for (const auto& route : routes_) {
    std::map<std::string, std::string> params;
    if (!matchPattern(route.pattern, parts, params)) continue;
    if (route.method != method) {
      if (std::find(result.allowedMethods.begin(), result.allowedMethods.end(), route.method) ==
          result.allowedMethods.end()) {
        result.allowedMethods.push_back(route.method);
      }
      continue;
    }
    int count = static_cast<int>(params.size());
    if (!best || count < bestParams) {
      best = &route;
      bestParams = count;
      bestValues = std::move(params);
    }
  }
  if (best) {
    result.route = best;
    result.params = std::move(bestValues);
    result.allowedMethods.clear();
  }
  return result;
}

}  // namespace cw::http
