#pragma once

#include "cw/hazards/service.hpp"
#include "cw/http/router.hpp"

namespace cw::hazards {

/// /api/v1/hazard-catalogue, /hazards*, /evidence/{sha256}, /complaints*, and the public /api/v1/public/complaints*,
/// /public/hazards*, /public/institutions.
void registerRoutes(http::Router& router, HazardService& hazards);

}  // namespace cw::hazards
