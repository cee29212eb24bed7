#pragma once
// Bulk import (CSV or XLSX, chosen by content) and XLSX export of the directory.
//
// An import validates every row first and reports every bad row (spreadsheet row number, column, reason);
// nothing is written when any row is bad unless partial import was asked for. The writing happens in one
// transaction, so an interrupted import leaves nothing behind. Progress (rows done / total) lives in the jobs
// table, so any process can report it. Imports run on background threads owned by the Importer, which joins
// them on destruction.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cw/audit/audit_log.hpp"
#include "cw/core/clock.hpp"
#include "cw/core/random.hpp"
#include "cw/db/pool.hpp"
#include "cw/http/request.hpp"
#include "cw/registry/service.hpp"

namespace cw::registry {

struct RowError {
  std::size_t row = 0;     // 1-based row in the file (the header is row 1)
  std::string column;      // the column's header text, empty for a whole-row problem
  std::string field;
  std::string message;
};

struct ImportReport {
  std::size_t rows = 0;
  std::size_t imported = 0;
  bool partial = false;
  std::vector<RowError> errors;
};

struct JobStatus {
  std::string id;
  std::string kind;
  std::string state;  // queued | running | done | failed | interrupted
  int total = 0;
  int done = 0;
  std::string createdAt;
  std::optional<std::string> finishedAt;
  std::optional<std::string> resultJson;
};

/// Validates and writes rows; used by the Importer's threads and directly by tests and benchmarks.
/// `progress(done, total)` is called now and then.
core::Result<ImportReport> importTable(db::Pool& pool, audit::AuditLog& audit, const core::Clock& clock,
                                       RegistryService& registry, const audit::Actor& actor,
                                       const http::Principal& who, const std::string& fileBytes, bool partial,
                                       const std::function<void(int, int)>& progress);

class Importer {
 public:
  Importer(db::Pool& pool, audit::AuditLog& audit, const core::Clock& clock, core::RandomSource& random,
           RegistryService& registry);
  ~Importer();

  /// Officers only. Starts an import and returns its job id at once.
  core::Result<std::string> start(const audit::Actor& actor, const http::Principal& who, std::string fileBytes,
                                  bool partial);
  /// The job's creator (or an admin) only; anyone else gets NotFound.
  core::Result<JobStatus> status(const http::Principal& who, const std::string& id);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

/// The most rows one export writes (an .xlsx sheet holds 1,048,576).
constexpr std::size_t kMaxExportRows = 1'000'000;

/// Writes every institution matching `query` (all pages) to an .xlsx file at `path`, Chinese headers, the ID
/// number masked. Returns the number of rows.
core::Result<std::size_t> exportXlsx(RegistryService& registry, const http::Principal& who, SearchQuery query,
                                     const std::string& path);

}  // namespace cw::registry
