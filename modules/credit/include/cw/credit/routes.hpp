#pragma once

#include "cw/credit/service.hpp"
#include "cw/http/router.hpp"

namespace cw::credit {

/// /api/v1/credit/* (records, lists, memoranda, feedback, repairs, entities, check, graph, reports) and the public
/// /api/v1/public/credit/lists/{list} and /public/credit/reports/{number}.
void registerRoutes(http::Router& router, CreditService& credit);

}  // namespace cw::credit
