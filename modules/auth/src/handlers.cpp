#include <Poco/JSON/Array.h>

#include <charconv>

#include "cw/auth/routes.hpp"
#include "cw/core/validation.hpp"
#include "cw/http/json.hpp"
#include "json_mapping.hpp"

namespace cw::auth {

namespace {

using core::Error;
using http::Request;
using http::Response;
using Reply = core::Result<Response>;

constexpr std::size_t kMaxPasswordBytes = 256;

std::string cookie(const SessionConfig& config, const std::string& value, long maxAgeSeconds) {
  std::string out = config.cookieName + "=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                    std::to_string(maxAgeSeconds);
  if (config.cookieSecure) out += "; Secure";
  return out;
}

Response userResponse(const User& user, int status = 200) { return Response::json(toJson(user), status); }

Reply login(SessionService& sessions, Request& request) {
  auto body = http::parseJsonObject(request.body);
  if (!body) return body.error();
  auto username = http::requireString(*body, "username", 1, 64);
  if (!username) return username.error();
  auto password = http::requireSecret(*body, "password", 1024);
  if (!password) return password.error();
  auto result = sessions.login(*username, *password, request.clientIp, request.header("User-Agent"),
                               request.requestId);
  if (!result) return result.error();
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
  out->set("token", result->token);
  out->set("csrf_token", result->csrfToken);
  out->set("expires_at", result->expiresAt);
  out->set("user", toJson(result->user));
  Response response = Response::json(out);
  response.headers.emplace_back(
      "Set-Cookie", cookie(sessions.config(), result->token, static_cast<long>(sessions.config().absoluteTimeout.count())));
  return response;
}

Reply logout(SessionService& sessions, Request& request) {
  if (auto ok = sessions.logout(*request.principal, audit::Actor::of(request)); !ok) return ok.error();
  Response response = Response::emptyObject();
  response.headers.emplace_back("Set-Cookie", cookie(sessions.config(), "", 0));
  return response;
}

Reply me(UserService& users, Request& request) {
  auto user = users.get(request.principal->userId);
  if (!user) return user.error();
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
  out->set("user", toJson(*user));
  out->set("csrf_token", request.principal->csrfToken);
  out->set("expires_at", request.principal->sessionExpiresAt);
  return Response::json(out);
}

Reply listUsers(UserService& users, Request& request) {
  auto page = http::pageParams(request);
  if (!page) return page.error();
  UserFilter filter;
  auto text = [&](const std::string& name) -> std::optional<std::string> {
    auto v = request.queryParam(name);
    if (!v || v->empty()) return std::nullopt;
    return v;
  };
  filter.role = text("role");
  filter.status = text("status");
  filter.keyword = text("q");
  if (filter.keyword) {
    if (auto ok = core::checkText("q", *filter.keyword, 1, 64); !ok) return ok.error();
  }
  filter.offset = page->offset();
  filter.limit = page->pageSize;
  auto [items, total] = users.list(filter);
  Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
  for (const auto& u : items) array->add(toJson(u));
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
  out->set("items", array);
  out->set("total", total);
  out->set("page", page->page);
  out->set("page_size", page->pageSize);
  return Response::json(out);
}

Reply createUser(UserService& users, Request& request) {
  auto body = http::parseJsonObject(request.body);
  if (!body) return body.error();
  NewUser u;
  auto username = http::requireString(*body, "username", 1, 32);
  if (!username) return username.error();
  u.username = *username;
  auto displayName = http::requireString(*body, "display_name", 1, 64);
  if (!displayName) return displayName.error();
  u.displayName = *displayName;
  auto role = http::requireString(*body, "role", 1, 16);
  if (!role) return role.error();
  u.role = *role;
  auto password = http::requireSecret(*body, "password", kMaxPasswordBytes);
  if (!password) return password.error();
  u.password = *password;
  for (auto [field, target] : {std::pair{"department_code", &u.departmentCode}, std::pair{"region_code", &u.regionCode},
                               std::pair{"certificate_no", &u.certificateNo}}) {
    auto value = http::optionalString(*body, field, 32);
    if (!value) return value.error();
    *target = *value;
  }
  auto institution = http::optionalInt(*body, "institution_id");
  if (!institution) return institution.error();
  u.institutionId = *institution;
  auto created = users.create(audit::Actor::of(request), u);
  if (!created) return created.error();
  return userResponse(*created, 201);
}

Reply getUser(UserService& users, Request& request) {
  auto id = http::idParam(request);
  if (!id) return id.error();
  auto user = users.get(*id);
  if (!user) return user.error();
  return userResponse(*user);
}

Reply setStatus(UserService& users, Request& request, const std::string& status) {
  auto id = http::idParam(request);
  if (!id) return id.error();
  auto user = users.setStatus(audit::Actor::of(request), *id, status);
  if (!user) return user.error();
  return userResponse(*user);
}

Reply resetPassword(UserService& users, Request& request) {
  auto id = http::idParam(request);
  if (!id) return id.error();
  auto body = http::parseJsonObject(request.body);
  if (!body) return body.error();
  auto password = http::requireSecret(*body, "password", kMaxPasswordBytes);
  if (!password) return password.error();
  if (auto ok = users.resetPassword(audit::Actor::of(request), *id, *password); !ok) return ok.error();
  return Response::emptyObject();
}

Reply listDepartments(db::Pool& pool) {
  auto lease = pool.acquire();
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& row : lease->query("SELECT code, name, name_en, sector FROM departments ORDER BY sort_order, code")) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("code", row.str("code"));
    o->set("name", row.str("name"));
    o->set("name_en", row.str("name_en"));
    o->set("sector", row.str("sector"));
    items->add(o);
  }
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
  out->set("items", items);
  return Response::json(out);
}

Reply listRegions(db::Pool& pool) {
  auto lease = pool.acquire();
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& row : lease->query("SELECT code, name, parent_code, level FROM regions ORDER BY code")) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("code", row.str("code"));
    o->set("name", row.str("name"));
    if (auto parent = row.optStr("parent_code")) o->set("parent_code", *parent);
    else o->set("parent_code", Poco::Dynamic::Var());
    o->set("level", row.str("level"));
    items->add(o);
  }
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
  out->set("items", items);
  return Response::json(out);
}

}  // namespace

void registerRoutes(http::Router& router, db::Pool& pool, UserService& users, SessionService& sessions) {
  using http::Access;
  const Access admin = Access::only({"admin"});
  router.add("POST", "/api/v1/auth/login", Access::anyone(), [&](Request& r) { return login(sessions, r); });
  router.add("POST", "/api/v1/auth/logout", Access::signedIn(), [&](Request& r) { return logout(sessions, r); });
  router.add("GET", "/api/v1/auth/me", Access::signedIn(), [&](Request& r) { return me(users, r); });
  router.add("GET", "/api/v1/admin/users", admin, [&](Request& r) { return listUsers(users, r); });
  router.add("POST", "/api/v1/admin/users", admin, [&](Request& r) { return createUser(users, r); });
  router.add("GET", "/api/v1/admin/users/{id}", admin, [&](Request& r) { return getUser(users, r); });
  router.add("POST", "/api/v1/admin/users/{id}/disable", admin,
             [&](Request& r) { return setStatus(users, r, "disabled"); });
  router.add("POST", "/api/v1/admin/users/{id}/enable", admin,
             [&](Request& r) { return setStatus(users, r, "active"); });
  router.add("POST", "/api/v1/admin/users/{id}/password", admin, [&](Request& r) { return resetPassword(users, r); });
  router.add("GET", "/api/v1/departments", Access::signedIn(), [&](Request&) { return listDepartments(pool); });
  router.add("GET", "/api/v1/regions", Access::signedIn(), [&](Request&) { return listRegions(pool); });
}

}  // namespace cw::auth
