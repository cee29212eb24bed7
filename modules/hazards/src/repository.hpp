#pragma once
// SQL of the hazards module: reading hazards with their names, the visibility scope, history, events and the
// outbox. Every function runs on the caller's connection (inside its transaction when it has one).

#include <optional>
#include <string>
#include <vector>

#include "cw/audit/audit_log.hpp"
#include "cw/core/workdays.hpp"
#include "cw/db/pool.hpp"
#include "cw/hazards/model.hpp"
#include "cw/http/request.hpp"

namespace cw::hazards::repo {

/// The WHERE fragment (on alias h) limiting hazards to what `who` may see, with its parameters appended to
/// `params`; nullopt for a role that sees no hazards.
std::optional<std::string> scopeClause(const http::Principal& who, std::vector<std::string>& params);

std::optional<Hazard> load(db::Connection& c, std::int64_t id, core::Day today, bool forUpdate = false);
std::optional<Hazard> loadByReference(db::Connection& c, const std::string& reference, core::Day today);
bool visibleTo(const http::Principal& who, const Hazard& h);

HazardPage list(db::Connection& c, const std::string& scope, const std::vector<std::string>& scopeParams,
                const HazardFilter& filter, core::Day today);

std::vector<HazardEvent> events(db::Connection& c, std::int64_t hazardId);
std::vector<EvidenceItem> evidence(db::Connection& c, std::int64_t hazardId);

void addEvent(db::Connection& c, std::int64_t hazardId, const audit::Actor& actor, const std::string& at,
              const std::string& action, const std::optional<std::string>& from, const std::optional<std::string>& to,
              const std::string& note);

/// Writes an outbox event once: a second call with the same dedup key changes nothing.
void emit(db::Connection& c, const std::string& topic, std::int64_t hazardId, std::int64_t institutionId,
          const std::string& dedupKey, const std::string& payload, const std::string& at);

}  // namespace cw::hazards::repo
