#pragma once
// Demo data for a new installation: the departments of 九江市 (Jiujiang), its 13 county-level divisions with
// GB/T 2260 codes, two institutions, and one account per role (inspectors in several departments and
// districts). Idempotent: existing rows are kept.
//
// For load tests, seedDemoInstitutions() adds up to a million synthetic, valid, filed institutions spread over
// the 13 districts, written in multi-row batches straight to the tables (not through RegistryService, which
// would take hours at that size).

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cw/core/workdays.hpp"
#include "cw/registry/model.hpp"
#include "cw/server/app.hpp"

namespace cw::server {

struct DemoAccount {
  std::string username;
  std::string role;
  std::string description;
};

inline constexpr const char* kDemoPassword = "Jiujiang#2026";

/// The departments, regions and the two unfiled demo institutions only (no accounts). Idempotent.
void seedReferenceData(App& app);

/// Returns the demo accounts (created now or already present).
core::Result<std::vector<DemoAccount>> seedDemo(App& app);

/// The draws' demo data (part of seedDemo): inspection items, the inspector directory, special lists, and one plan
/// with a drawn task and a draft joint task. Idempotent: the plan is made only when no plan exists.
core::Status seedDrawsDemo(App& app);

/// The hazards' demo data (part of seedDemo): the catalogue, hazards of 康乐养老院 at several steps of the loop
/// (one closed through evidence and verification), an overdue major fire hazard elsewhere, and a complaint
/// awaiting triage. Idempotent: nothing is added when hazards exist.
core::Status seedHazardsDemo(App& app);

/// The graded ratings' demo data (part of seedDemo): institution accounts for the rated institutions, published
/// ratings of both schemes across districts (one near expiry, one with a failed basic item), a draft of 康乐养老院
/// in its challenge window, and an application awaiting its self-assessment. Idempotent: nothing is added when
/// ratings exist.
core::Status seedRatingsDemo(App& app);

/// The credit demo (part of seedDemo): the scorecard, memoranda of 民政 and 卫健 with the measures of 财政, 发改,
/// 市场监管, 医保 and 民政, the records of the events written so far, a listed blacklist entry with feedback in
/// several states, a red-list entry. Idempotent: memoranda are made only when none exists.
core::Status seedCreditDemo(App& app);

/// A demo user as the services see them after sign-in (nullopt when the account does not exist).
std::optional<http::Principal> demoPrincipal(db::Connection& c, const std::string& username);
/// The audit actor for seed-demo acting as that user.
audit::Actor demoActor(const http::Principal& p);

/// Positions 9-10 of the credit code of every institution seedDemoInstitutions() writes: how generated rows are
/// told apart from real and hand-made ones (the demo institutions above use "MJ").
inline constexpr const char* kSyntheticMarker = "MW";
inline constexpr std::int64_t kMaxSyntheticInstitutions = 1'000'000;

struct SyntheticSpec {
  std::string marker = kSyntheticMarker;  // two characters of the credit-code alphabet
  std::optional<std::string> sector;      // "elderly" or "childcare": only kinds of that sector
};

/// One generated institution: every field valid (validateRecord passes), the legal representative's resident ID
/// still in plain text, licences expiring within three years of `today`, an operator relation for 公建民营.
struct SyntheticInstitution {
  registry::Record record;
  core::Day filedOn;       // within the eight years before `today`
  core::TimePoint filedAt;  // that day, in Shanghai office hours
};

/// Institution number `seq` (0-based). Deterministic: the same seq, spec and today give the same record, and
/// different seq give different credit codes (regions, kinds and names are drawn from a PRNG seeded by seq).
/// Thread-safe (pure).
SyntheticInstitution syntheticInstitution(std::uint64_t seq, const SyntheticSpec& spec, core::Day today);

struct BulkSeedProgress {
  std::int64_t written = 0;  // by this run
  std::int64_t toWrite = 0;
  std::chrono::duration<double> elapsed{};
};

struct BulkSeedReport {
  std::int64_t requested = 0;
  std::int64_t existing = 0;  // generated rows found before this run
  std::int64_t written = 0;
  std::chrono::duration<double> elapsed{};
};

/// Makes sure `count` generated institutions (1..kMaxSyntheticInstitutions) exist, filed, each with its version 1
/// snapshot (source "seed"), licences, and relations including the legal representative, whose ID number is
/// stored as the registry stores it (masked, AES-GCM cipher, blind index; context "institution.legal_rep_id").
/// Resumes after an interruption (rows are committed 10,000 at a time and numbered), and writes nothing when
/// `count` or more already exist. Requires seedDemo() first (regions, departments) and the personal-data keys
/// (FailedPrecondition otherwise). `progress` is called every 50,000 rows. One audit record per run.
core::Result<BulkSeedReport> seedDemoInstitutions(App& app, std::int64_t count,
                                                  const std::function<void(const BulkSeedProgress&)>& progress);

}  // namespace cw::server
