#pragma once

#include "cw/http/router.hpp"
#include "cw/registry/import_export.hpp"
#include "cw/registry/service.hpp"

namespace cw::registry {

/// /api/v1/institutions*, /api/v1/filings*, /api/v1/licences/expiring, /api/v1/jobs/{id}.
void registerRoutes(http::Router& router, RegistryService& registry, Importer& importer);

/// The directory query of GET /api/v1/institutions (and export.xlsx) from a request's query parameters.
core::Result<SearchQuery> parseSearchQuery(const http::Request& request);

/// Largest import file accepted (bytes).
inline constexpr std::size_t kMaxImportBytes = 64 * 1024 * 1024;
/// Largest document upload request; the service applies registry.max_document_bytes below it.
inline constexpr std::size_t kMaxDocumentRequestBytes = 64 * 1024 * 1024;

}  // namespace cw::registry
