#include "json_mapping.hpp"

namespace cw::auth {

namespace {
template <typename T>
void setOptional(Poco::JSON::Object::Ptr& o, const std::string& key, const std::optional<T>& value) {
  if (value) o->set(key, *value);
  else o->set(key, Poco::Dynamic::Var());
}
}  // namespace

Poco::JSON::Object::Ptr toJson(const User& u) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("id", u.id);
  o->set("username", u.username);
  o->set("display_name", u.displayName);
  o->set("role", u.role);
  setOptional(o, "department_code", u.departmentCode);
  setOptional(o, "department_name", u.departmentName);
  setOptional(o, "region_code", u.regionCode);
  setOptional(o, "region_name", u.regionName);
  setOptional(o, "certificate_no", u.certificateNo);
  setOptional(o, "institution_id", u.institutionId);
  o->set("status", u.status);
  setOptional(o, "locked_until", u.lockedUntil);
  setOptional(o, "last_login_at", u.lastLoginAt);
  o->set("created_at", u.createdAt);
  return o;
}

}  // namespace cw::auth
