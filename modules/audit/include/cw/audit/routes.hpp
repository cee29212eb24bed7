#pragma once

#include "cw/audit/audit_log.hpp"
#include "cw/db/pool.hpp"
#include "cw/http/router.hpp"

namespace cw::audit {

/// GET /api/v1/admin/audit (admin only): browse the log with filters.
void registerRoutes(http::Router& router, db::Pool& pool, AuditLog& log);

}  // namespace cw::audit
