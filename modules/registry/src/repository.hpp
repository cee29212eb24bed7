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
/// Which of `codes` are already registered.
std::set<std::string> existingCreditCodes(db::Connection& c, const std::vector<std::string>& codes);
std::set<std::string> allRegionCodes(db::Connection& c);
/// The ids of the matching institutions in the query's order (limit/offset of the query), and the total capped at
/// `countCap` (0: no count).
struct IdPage {
  std::vector<std::int64_t> ids;
  std::int64_t total = 0;
  bool totalCapped = false;
};
IdPage searchIds(db::Connection& c, const SearchQuery& q, std::optional<std::int64_t> onlyId, std::int64_t countCap);
/// Institutions by id (list form: no licences or relations), in the order of `ids`; missing ids are skipped.
std::vector<Institution> loadMany(db::Connection& c, const std::vector<std::int64_t>& ids);
bool regionExists(db::Connection& c, const std::string& code);
/// The department supervising a sector (departments.sector), e.g. MZ for elderly.
std::optional<std::string> competentDepartment(db::Connection& c, const std::string& sector);
std::optional<std::string> departmentSector(db::Connection& c, const std::string& department);

/// The region and every sub-region of it that exists (prefix match on the GB/T 2260 code).
std::vector<std::string> regionAndSubregions(db::Connection& c, const std::string& code);

/// Columns of `institutions` that hold record fields, in a fixed order (the resident ID as its masked form, its
/// cipher and its blind index), and the value a record stores in one of them.
const std::vector<std::string>& recordColumns();
std::optional<std::string> columnValue(const Record& record, const std::string& column);

/// Statement text for `n` rows: INSERT ... VALUES (...), (...) (see db::chunkOf for choosing `n`).
std::string multiRowInsert(const std::string& table, const std::vector<std::string>& columns, std::size_t n);

/// Rewrites the name bigrams (institution_name_grams) of the institutions whose ids are bound to the IN list of
/// nameGramsSql(n).
std::string nameGramsSql(std::size_t n);
/// Links relations to the institutions they name by credit code, both ways, for the institutions in the IN list
/// of n ids: relations of theirs naming a registered institution, and earlier relations naming one of them.
std::vector<std::string> linkRelationsSql(std::size_t n);

/// Rewrites one institution's name bigrams and links relations to and from it (after any write of its row).
void indexInstitution(db::Connection& c, std::int64_t id);

/// Distinct bigrams (two consecutive code points) of a text, as institution_name_grams holds them.
std::vector<std::string> nameGrams(const std::string& text);

}  // namespace cw::registry::repo
