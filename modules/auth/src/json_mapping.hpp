#pragma once

#include <Poco/JSON/Object.h>

#include "cw/auth/users.hpp"

namespace cw::auth {

/// The API form of a user (never the password hash).
Poco::JSON::Object::Ptr toJson(const User& user);

}  // namespace cw::auth
