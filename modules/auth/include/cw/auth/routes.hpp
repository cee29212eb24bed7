#pragma once

#include "cw/auth/sessions.hpp"
#include "cw/auth/users.hpp"
#include "cw/db/pool.hpp"
#include "cw/http/router.hpp"

namespace cw::auth {

/// Sign-in (/api/v1/auth/*), user administration (/api/v1/admin/users*) and the reference lists the account
/// forms use (/api/v1/departments, /api/v1/regions).
void registerRoutes(http::Router& router, db::Pool& pool, UserService& users, SessionService& sessions);

}  // namespace cw::auth
