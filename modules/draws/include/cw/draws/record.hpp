#pragma once
// The published draw record (GET /api/v1/public/draws/{id}) as a value, its JSON form, and verification of a
// record against the three frozen files: the check `carewatch draw verify` and POST .../verify run.

#include <string>
#include <string_view>
#include <vector>

#include "cw/core/result.hpp"
#include "cw/draws/algorithm.hpp"

namespace cw::draws {

/// A manual change after the draw: one inspector replaced by another on one entity, with the reason.
struct Swap {
  std::string entityId;
  std::string departmentCode;
  std::string removedInspectorId;
  std::string addedInspectorId;
  std::string reason;
  std::string swappedAt;  // ISO-8601 UTC
};

struct RecordEntity {
  std::string entityId;
  std::string stratum;
  std::string scoreHex;
  std::vector<Assignment> inspectors;
};

struct DrawRecord {
  std::string algorithm{kAlgorithm};
  std::string poolDigest;
  std::string inspectorDigest;
  std::string exclusionDigest;
  std::string commitment;
  std::string secretHex;  // empty until the draw
  std::string beaconSource;
  std::string beaconValue;
  std::string seedHex;  // empty until the draw
  int capSlack = 0;
  std::vector<Requirement> requirements;
  std::vector<Stratum> strata;
  std::vector<RecordEntity> selected;
  std::vector<Swap> swaps;
  std::string lockedAt;
  std::string drawnAt;  // empty until the draw
};

/// Fills the drawn part of a record (secret, seed, strata, selected) from a draw's outcome.
void applyOutcome(DrawRecord& record, std::string_view secret, const DrawOutcome& outcome);

/// The record as the JSON object of the public API, compact, fields in specification order.
std::string recordToJson(const DrawRecord& record);
/// Reads a record from JSON text; InvalidArgument naming the first missing or ill-typed field.
core::Result<DrawRecord> parseRecord(std::string_view json);

/// Re-runs the whole draw from the record's published inputs and the files, and compares every value. Ok, or
/// FailedPrecondition whose message names the first mismatch ("pool_digest does not match pool.txt", "selected[3]
/// inspectors differ: ...").
core::Status verify(const DrawRecord& record, const FrozenFiles& files);

}  // namespace cw::draws
