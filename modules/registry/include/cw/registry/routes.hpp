#pragma once

#include "cw/http/router.hpp"
#include "cw/registry/service.hpp"

namespace cw::registry {

/// /api/v1/institutions*, /api/v1/filings*, /api/v1/licences/expiring.
void registerRoutes(http::Router& router, RegistryService& registry);

}  // namespace cw::registry
