#include "cw/draws/model.hpp"

#include <algorithm>
#include <set>

#include "cw/core/validation.hpp"
#include "cw/core/workdays.hpp"
#include "cw/registry/model.hpp"

namespace cw::draws {

using core::Error;

std::map<std::string, std::int64_t> defaultGradeRatios() { return {{"A", 100}, {"B", 200}, {"C", 1000}, {"D", 3000}}; }

std::string stratumKey(const std::vector<std::string>& strataBy, const std::string& region, const std::string& kind,
                       const std::string& grade) {
  std::string key;
  for (const auto& dim : kStrataDimensions) {
    if (std::find(strataBy.begin(), strataBy.end(), dim) == strataBy.end()) continue;
    if (!key.empty()) key += '|';
    key += dim == "region" ? region : dim == "kind" ? kind : grade;
  }
  return key.empty() ? "all" : key;
}

std::string percentText(std::int64_t bp) {
  std::string text = std::to_string(bp / 100);
  if (std::int64_t frac = bp % 100; frac != 0) {
    text += '.';
    text += static_cast<char>('0' + frac / 10);
    if (frac % 10 != 0) text += static_cast<char>('0' + frac % 10);
  }
  return text + "%";
}

core::Result<std::int64_t> parseRatio(const std::string& field, const std::string& text) {
  auto bad = [&] {
    return Error::invalid(field, field + " must be a percentage such as \"10%\" or \"2.5%\" (0-100, at most two "
                                         "decimals), not \"" + text + "\"");
  };
  if (text.empty() || text.back() != '%') return bad();
  std::string number = text.substr(0, text.size() - 1);
  auto dot = number.find('.');
  std::string whole = number.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : number.substr(dot + 1);
  if (whole.empty() || whole.size() > 3 || frac.size() > 2 || (dot != std::string::npos && frac.empty())) return bad();
  if (!std::all_of(whole.begin(), whole.end(), ::isdigit) || !std::all_of(frac.begin(), frac.end(), ::isdigit)) {
    return bad();
  }
  frac.resize(2, '0');
  std::int64_t bp = std::stoll(whole) * 100 + std::stoll(frac);
  if (bp > 10000) return bad();
  return bp;
}

core::Status validateTask(const TaskInput& t, int minPerEntity) {
  if (auto ok = core::checkText("title", t.title, 2, 128); !ok) return ok;
  if (auto ok = core::checkRegionCode("region_code", t.regionCode); !ok) return ok;
  if (t.kinds.empty()) return Error::invalid("kinds", "name at least one institution kind in scope");
  for (const auto& k : t.kinds) {
    const auto& elderly = registry::kElderlyKinds;
    const auto& childcare = registry::kChildcareKinds;
    if (std::find(elderly.begin(), elderly.end(), k) == elderly.end() &&
        std::find(childcare.begin(), childcare.end(), k) == childcare.end()) {
      return Error::invalid("kinds", "\"" + k + "\" is not an institution kind");
    }
  }
  if (t.filingStates.empty()) return Error::invalid("filing_states", "name at least one filing state in scope");
  for (const auto& s : t.filingStates) {
    if (s != "filed" && s != "unfiled") {
      return Error::invalid("filing_states", "filing state \"" + s + "\" is not one of filed, unfiled");
    }
  }
  std::set<std::string> dims;
  for (const auto& d : t.strataBy) {
    if (std::find(kStrataDimensions.begin(), kStrataDimensions.end(), d) == kStrataDimensions.end()) {
      return Error::invalid("strata_by", "\"" + d + "\" is not a stratification dimension (region, kind, grade)");
    }
    if (!dims.insert(d).second) return Error::invalid("strata_by", "\"" + d + "\" is listed twice");
  }
  for (const auto& g : kGrades) {
    if (!t.gradeRatios.count(g)) return Error::invalid("ratios", "the ratio for grade " + g + " is missing");
  }
  for (const auto& [g, bp] : t.gradeRatios) {
    if (std::find(kGrades.begin(), kGrades.end(), g) == kGrades.end()) {
      return Error::invalid("ratios", "\"" + g + "\" is not a grade (A, B, C, D)");
    }
    if (bp < 0 || bp > 10000) return Error::invalid("ratios", "the ratio for grade " + g + " is outside 0-100%");
  }
  if (!dims.count("grade")) {
    // Without grade strata a stratum mixes grades; the ratio of the highest-risk grade present would be arbitrary.
    std::int64_t first = t.gradeRatios.begin()->second;
    for (const auto& [g, bp] : t.gradeRatios) {
      if (bp != first && t.stratumCounts.empty()) {
        return Error::invalid("ratios", "ratios differ by grade, so the task must stratify by grade");
      }
    }
  }
  for (const auto& [key, count] : t.stratumCounts) {
    if (key.empty() || count < 0) return Error::invalid("stratum_counts", "stratum counts need a key and a count >= 0");
  }
  auto start = core::parseDay(t.windowStart);
  if (!start) return Error::invalid("window_start", "window_start must be a date YYYY-MM-DD");
  auto end = core::parseDay(t.windowEnd);
  if (!end) return Error::invalid("window_end", "window_end must be a date YYYY-MM-DD");
  if (*end < *start) return Error::invalid("window_end", "the inspection window ends before it starts");
  if (t.capSlack < 0 || t.capSlack > 100) return Error::invalid("cap_slack", "cap_slack must be 0-100");
  if (auto ok = core::checkText("beacon_source", t.beaconSource, 0, 255); !ok) return ok;
  if (t.itemCodes.empty()) return Error::invalid("items", "name at least one inspection item");
  if (t.departments.empty()) return Error::invalid("requirements", "name at least one department and its inspectors per entity");
  int total = 0;
  std::set<std::string> depts;
  for (const auto& d : t.departments) {
    if (!depts.insert(d.departmentCode).second) {
      return Error::invalid("requirements", "department " + d.departmentCode + " is listed twice");
    }
    if (d.perEntity < 1 || d.perEntity > 10) {
      return Error::invalid("requirements", "department " + d.departmentCode + ": per_entity must be 1-10");
    }
    total += d.perEntity;
  }
  if (total < minPerEntity) {
    return Error::invalid("requirements", "each entity needs at least " + std::to_string(minPerEntity) +
                                             " inspectors in all; the departments send " + std::to_string(total));
  }
  if (t.joint && depts.size() < 2) {
    return Error::invalid("requirements", "a joint task (部门联合抽查) names at least two departments");
  }
  return core::Ok{};
}

}  // namespace cw::draws
