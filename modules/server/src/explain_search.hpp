#pragma once
// `carewatch explain-search QUERY`: runs one directory search exactly as GET /api/v1/institutions?QUERY would
// (as an admin), captures every SELECT it sent with the values bound, and prints each with the server's
// ANALYZE (MariaDB) or EXPLAIN ANALYZE (MySQL 8): the plan, the index used and the rows actually read.

#include <ostream>
#include <string>

#include "cw/core/result.hpp"
#include "cw/server/app.hpp"

namespace cw::server {

core::Status explainSearch(App& app, const std::string& queryString, std::ostream& out);

}  // namespace cw::server
