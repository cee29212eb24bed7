#pragma once
// The hazard catalogue (隐患目录): what can be found, with its category, default severity, default rectification
// period and legal basis. It is data (config/hazard-catalogue.json), read strictly: a malformed file stops the
// server at start with the path of the first problem rather than running with a partial catalogue.

#include <string>
#include <string_view>
#include <vector>

#include "cw/core/result.hpp"

namespace cw::hazards {

inline const std::vector<std::string> kCategories{"service_safety", "major_accident", "fire",      "building", "gas",
                                                   "food",           "public_health",  "childcare", "other"};

struct CatalogueEntry {
  std::string code;      // e.g. "MA-03"
  std::string category;  // one of kCategories
  std::string name;
  std::string nameEn;
  std::string appliesTo;  // elderly | childcare | both
  std::string severity;   // general | major
  int rectificationDays = 0;
  bool fireSafety = false;  // a fire-related major hazard: overdue is a credit blacklist ground
  std::string legalBasis;
  std::string description;
};

struct Catalogue {
  std::string version;
  std::vector<CatalogueEntry> entries;
  const CatalogueEntry* find(std::string_view code) const;
};

/// The generic entry a hazard gets when an inspector ordered correction without choosing one.
inline constexpr const char* kGenericCode = "OT-01";

/// Parses the catalogue JSON; InvalidArgument naming the path of the first problem ("entries[3].severity").
core::Result<Catalogue> parseCatalogue(std::string_view json);
core::Result<Catalogue> loadCatalogueFile(const std::string& path);

}  // namespace cw::hazards
