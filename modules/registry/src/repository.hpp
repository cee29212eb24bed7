#pragma once
// SQL of the registry: institution rows <-> Records, licences, relations, versions, filings.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cw/db/pool.hpp"
#include "cw/registry/service.hpp"

namespace cw::registry::repo {

std::optional<Institution> loadInstitution(db::Connection& c, std::int64_t id, bool forUpdate = false);
std::optional<std::int64_t> idByCreditCode(db::Connection& c, const std::string& creditCode);
/// Inserts a new institution row from a validated, protected record; returns its id.
std::int64_t insertInstitution(db::Connection& c, const Record& record, const std::string& filingState,
                               const std::optional<std::string>& filingNo, const std::string& now);
/// Overwrites the row (and its licences and relations) with `record` at `version`.
void saveInstitution(db::Connection& c, std::int64_t id, const Record& record, int version,
                     const std::string& filingState, const std::optional<std::string>& filingNo,
                     const std::string& now);
void insertVersion(db::Connection& c, std::int64_t id, int version, const Record& record, const std::string& source,
                   std::optional<std::int64_t> filingId, std::optional<std::int64_t> userId, const std::string& now);
std::vector<Version> loadVersions(db::Connection& c, std::int64_t id);
/// The next filing number of a department for a year, e.g. "MZ-2026-000123".
std::string nextFilingNumber(db::Connection& c, const std::string& department, int year);
/// Reserves `count` consecutive filing numbers; returns the first sequence number.
long long reserveFilingNumbers(db::Connection& c, const std::string& department, int year, int count);
std::string formatFilingNumber(const std::string& department, int year, long long sequence);
/// Which of `codes` are already registered.
std::set<std::string> existingCreditCodes(db::Connection& c, const std::vector<std::string>& codes);
std::set<std::string> allRegionCodes(db::Connection& c);
std::pair<std::vector<Institution>, std::int64_t> search(db::Connection& c, const SearchQuery& q,
                                                         std::optional<std::int64_t> onlyId);
bool regionExists(db::Connection& c, const std::string& code);
/// The department supervising a sector (departments.sector), e.g. MZ for elderly.
std::optional<std::string> competentDepartment(db::Connection& c, const std::string& sector);
std::optional<std::string> departmentSector(db::Connection& c, const std::string& department);

/// Region code -> the LIKE prefix covering it and its sub-regions ("360400" -> "3604%").
std::string regionPrefix(const std::string& code);

}  // namespace cw::registry::repo
