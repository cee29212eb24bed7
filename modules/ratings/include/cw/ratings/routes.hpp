#pragma once

#include "cw/http/router.hpp"
#include "cw/ratings/service.hpp"

namespace cw::ratings {

/// /api/v1/rating-schemes*, /ratings*, and the public /api/v1/public/institutions/{id}/rating and /public/ratings.
void registerRoutes(http::Router& router, RatingService& ratings);

}  // namespace cw::ratings
