#pragma once

#include "cw/draws/service.hpp"
#include "cw/http/router.hpp"

namespace cw::draws {

/// /api/v1/inspection-items, /inspectors*, /inspection-plans, /inspection-tasks*, /inspection-results*,
/// /inspections/coverage and the public record under /api/v1/public/ (tasks, draws, results).
void registerRoutes(http::Router& router, DrawService& draws);

/// Largest evidence upload request; the service applies DrawsConfig::maxEvidenceBytes below it.
inline constexpr std::size_t kMaxEvidenceRequestBytes = 64 * 1024 * 1024;

}  // namespace cw::draws
