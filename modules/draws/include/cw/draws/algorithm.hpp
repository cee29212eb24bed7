#pragma once
// cw-draw-v1: the publicly verifiable draw of entities and inspectors (docs/draw-algorithm.md is the
// specification; this is its reference implementation, and the same code verifies a published record).
//
// Everything here is pure: no database, no clock. Inputs are the three frozen text files, the secret, the beacon
// value, the per-stratum counts, the department requirements and the cap slack; the output is fully determined by
// them. Thread-safety: free functions, safe to call concurrently; runDraw may use several threads internally.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cw/core/result.hpp"

namespace cw::draws {

inline constexpr std::string_view kAlgorithm = "cw-draw-v1";
/// Reasons an inspector is excluded for an entity, as written in the exclusions file.
inline const std::vector<std::string> kExclusionReasons{"jurisdiction", "declared", "rotation", "related"};

struct PoolLine {
  std::string stratum;
  std::string entityId;  // unified social credit code
};
struct InspectorLine {
  std::string inspectorId;
  std::string departmentCode;
};
struct ExclusionLine {
  std::string entityId;
  std::string inspectorId;
  std::string reason;
};

/// The three files frozen at lock time, byte for byte as published.
struct FrozenFiles {
  std::string pool;
  std::string inspectors;
  std::string exclusions;
};

/// Each renders one line per entry, "\n"-terminated, sorted bytewise ascending (duplicates removed).
std::string renderPool(const std::vector<PoolLine>& lines);
std::string renderInspectors(const std::vector<InspectorLine>& lines);
std::string renderExclusions(const std::vector<ExclusionLine>& lines);

/// Parse a frozen file; InvalidArgument naming the file and line for a malformed, unsorted or duplicate line.
core::Result<std::vector<PoolLine>> parsePool(std::string_view file);
core::Result<std::vector<InspectorLine>> parseInspectors(std::string_view file);
core::Result<std::vector<ExclusionLine>> parseExclusions(std::string_view file);

struct Digests {
  std::string pool;        // hex SHA-256 of the pool file
  std::string inspectors;  // hex SHA-256 of the inspectors file
  std::string exclusions;  // hex SHA-256 of the exclusions file
};
Digests digestsOf(const FrozenFiles& files);

/// hex(SHA-256(secret)), published at lock time.
std::string commitmentOf(std::string_view secret);
/// The 32-byte seed: HMAC(secret, "cw-draw-v1\n" + pool_digest + "\n" + inspector_digest + "\n" +
/// exclusion_digest + "\n" + beacon_value).
std::string seedOf(std::string_view secret, const Digests& digests, std::string_view beaconValue);

/// ceil(ratio * population) for a ratio given in basis points (1/10000), capped at the population. Integer
/// arithmetic, so 5% of 1000 is exactly 50.
std::int64_t countForRatio(std::int64_t basisPoints, std::int64_t population);

struct Requirement {
  std::string departmentCode;
  int perEntity = 0;
};
struct Stratum {
  std::string key;
  std::int64_t population = 0;
  std::int64_t count = 0;
};
struct Assignment {
  std::string inspectorId;
  std::string departmentCode;
};
struct SelectedEntity {
  std::string entityId;
  std::string stratum;
  std::string score;  // 32 raw bytes
  std::vector<Assignment> inspectors;
};

struct DrawParams {
  std::string secret;       // 32 raw bytes
  std::string beaconValue;  // "" when the draw names no beacon
  /// How many entities to draw from each stratum of the pool; every stratum in the pool must have an entry.
  std::map<std::string, std::int64_t> counts;
  std::vector<Requirement> requirements;
  int capSlack = 0;
  /// Worker threads for scoring; 0 means one per hardware thread.
  unsigned threads = 0;
};

struct DrawOutcome {
  Digests digests;
  std::string seed;              // 32 raw bytes
  std::vector<Stratum> strata;   // by key, bytewise
  std::vector<SelectedEntity> selected;  // in draw order (score ascending)
};

/// Runs steps 2-4 of cw-draw-v1. Errors: InvalidArgument for malformed files or parameters (naming them);
/// FailedPrecondition naming the entity and department when fewer inspectors are eligible than required.
core::Result<DrawOutcome> runDraw(const FrozenFiles& files, const DrawParams& params);

}  // namespace cw::draws
