#include "cw/draws/recusal.hpp"

namespace cw::draws {

std::map<std::int64_t, std::string> conflictedInspectors(db::Connection& c, std::int64_t institutionId,
                                                         const std::string& today) {
  std::map<std::int64_t, std::string> out;
  for (const auto& r : c.query("SELECT k.inspector_id, k.institution_id FROM inspector_conflicts k"
                               " WHERE k.valid_from <= ? AND (k.valid_to IS NULL OR k.valid_to >= ?)"
                               " AND (k.institution_id = ? OR k.institution_id IN ("
                               "   SELECT related_institution_id FROM institution_relations WHERE institution_id = ?"
                               "   AND related_institution_id IS NOT NULL AND (valid_to IS NULL OR valid_to >= ?)"
                               "   UNION SELECT institution_id FROM institution_relations WHERE related_institution_id = ?"
                               "   AND (valid_to IS NULL OR valid_to >= ?)))",
                               today, today, institutionId, institutionId, today, institutionId, today)) {
    bool direct = r.i64("institution_id") == institutionId;
    auto [it, inserted] = out.emplace(r.i64("inspector_id"), direct ? "declared" : "related");
    if (!inserted && direct) it->second = "declared";
  }
  return out;
}

}  // namespace cw::draws
