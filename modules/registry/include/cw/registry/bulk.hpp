#pragma once
// Writing many institutions at once: the import and the synthetic data generator (seed-demo --institutions).
//
// Rows go out as multi-row INSERTs inside the caller's transaction: the institution rows, their first version,
// licences, related parties (the legal representative among them) and name bigrams, exactly as the single-row
// repository writes them, so a bulk-written institution is indistinguishable from one filed through the API.
//
// Thread-safety: one BulkWriter per writing thread (it caches statement texts).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cw/db/pool.hpp"
#include "cw/registry/model.hpp"

namespace cw::registry {

struct BulkInstitution {
  /// Validated and protected: legal_rep_id_number masked, legal_rep_id_cipher and legal_rep_id_index set.
  Record record;
  std::string filingState = "filed";
  std::optional<std::string> filingNo;
  std::string createdAt;  // SQL DATETIME, UTC
  /// The version-1 snapshot; computed by write() when empty (callers may prepare it on another thread).
  std::string snapshot;
};

/// Filing numbers (备案编号): one counter per department and year, e.g. "MZ-2026-000123".
std::string formatFilingNumber(const std::string& department, int year, long long sequence);
/// Reserves `count` consecutive numbers in the caller's transaction; returns the first sequence number.
long long reserveFilingNumbers(db::Connection& c, const std::string& department, int year, long long count);

/// The version snapshot of a record, as kept in institution_versions.
std::string versionSnapshot(const Record& record);

/// For rows of `institutions` written by other means (reference data, repairs): rewrites their name bigrams and
/// links relations to and from them, as every registry write does.
void indexInstitutions(db::Connection& c, const std::vector<std::int64_t>& ids);

class BulkWriter {
 public:
  /// `source` of the versions written: import | seed. `createdBy` is the user, if any.
  BulkWriter(std::string source, std::optional<std::int64_t> createdBy);

  /// Writes `rows` (any number) in the caller's transaction; returns their ids in order. Relations naming a
  /// registered institution's credit code are linked to it, and earlier relations naming one of `rows` are
  /// linked to the new row.
  std::vector<std::int64_t> write(db::Connection& c, std::vector<BulkInstitution>& rows);

  static constexpr std::size_t kChunk = 1000;

 private:
  void writeChunk(db::Connection& c, std::vector<BulkInstitution>& rows, std::size_t at, std::size_t n,
                  std::vector<std::int64_t>& ids);
  const std::string& insertSql(const std::string& table, const std::vector<std::string>& columns, std::size_t rows);
  const std::string& inListSql(const std::string& prefix, const std::string& suffix, std::size_t n);

  std::string source_;
  std::optional<std::int64_t> createdBy_;
  std::map<std::string, std::string> statements_;
};

}  // namespace cw::registry
