#pragma once
// Recusal data of the inspector directory, shared by anything that sends people to an institution (the draws'
// exclusions, rating panels): conflicts inspectors declared, carried along the registry's relation links.

#include <cstdint>
#include <map>
#include <string>

#include "cw/db/pool.hpp"

namespace cw::draws {

/// Inspectors who may not act for `institutionId` on `today` (YYYY-MM-DD, Asia/Shanghai): inspector id ->
/// "declared" (a conflict declared with it, valid that day) or "related" (declared with an institution the
/// registry links to it). Reads on the caller's connection.
std::map<std::int64_t, std::string> conflictedInspectors(db::Connection& c, std::int64_t institutionId,
                                                         const std::string& today);

}  // namespace cw::draws
