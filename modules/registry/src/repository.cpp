#include "repository.hpp"

#include <algorithm>
#include <cstdio>

#include "cw/core/time.hpp"
#include "cw/core/validation.hpp"
#include "cw/db/outbox.hpp"
#include "cw/db/statement_text.hpp"
#include "cw/registry/bulk.hpp"
#include "cw/registry/codes.hpp"
#include "record_json.hpp"

namespace cw::registry::repo {

namespace {

// Columns of `institutions` that hold record fields, by field name (the resident ID is kept masked, encrypted
// and as a blind index in three columns of its own).
std::string columnOf(const std::string& field) {
  return field == "legal_rep_id_number" ? "legal_rep_id_masked" : field;
}

std::string selectColumns() {
  std::string cols = "i.id, i.version, i.sector, i.filing_state, i.filing_no, i.created_at, i.updated_at,"
                     " g.name AS region_name";
  for (const auto& c : recordColumns()) cols += ", i." + c;
  return cols;
}

std::string canonical(const FieldSpec& spec, const std::string& raw) {
  if (spec.type == FieldType::Flag) return raw == "0" ? "false" : "true";
  if (spec.type == FieldType::Decimal) {
    std::string out = raw;
    if (out.find('.') != std::string::npos) {
      while (!out.empty() && out.back() == '0') out.pop_back();
      if (!out.empty() && out.back() == '.') out.pop_back();
    }
    return out;
  }
  return raw;
}

Institution fromRow(const db::Row& row) {
  Institution inst;
  inst.id = row.i64("id");
  inst.version = static_cast<int>(row.i64("version"));
  inst.sector = row.str("sector");
  inst.filingState = row.str("filing_state");
  inst.filingNo = row.optStr("filing_no");
  inst.regionName = row.optStr("region_name").value_or("");
  inst.createdAt = core::sqlToIsoUtc(row.str("created_at"));
  inst.updatedAt = core::sqlToIsoUtc(row.str("updated_at"));
  for (const auto& spec : institutionFields()) {
    auto raw = row.optStr(columnOf(spec.name));
    inst.record.set(spec.name, raw ? std::optional<std::string>(canonical(spec, *raw)) : std::nullopt);
  }
  inst.record.set("legal_rep_id_cipher", row.optStr("legal_rep_id_cipher"));
  inst.record.set("legal_rep_id_index", row.optStr("legal_rep_id_index"));
  return inst;
}

void loadChildren(db::Connection& c, Institution& inst) {
  for (const auto& row : c.query("SELECT kind, number, issuer, expires_on FROM licences WHERE institution_id = ?"
                                 " ORDER BY id", inst.id)) {
    inst.record.licences.push_back({row.str("kind"), row.str("number"), row.optStr("issuer"), row.optStr("expires_on")});
  }
  for (const auto& row : c.query("SELECT relation, party_name, party_credit_code, valid_from, valid_to"
                                 " FROM institution_relations WHERE institution_id = ? AND relation <> "
                                 "'legal_representative' ORDER BY id", inst.id)) {
    inst.record.relations.push_back({row.str("relation"), row.str("party_name"), row.optStr("party_credit_code"),
                                     row.str("valid_from"), row.optStr("valid_to")});
  }
}

void writeChildren(db::Connection& c, std::int64_t id, const Record& record, const std::string& now) {
  c.execute("DELETE FROM licences WHERE institution_id = ?", id);
  for (const auto& l : record.licences) {
    c.execute("INSERT INTO licences (institution_id, kind, number, issuer, expires_on) VALUES (?, ?, ?, ?, ?)", id,
              l.kind, l.number, l.issuer, l.expiresOn);
  }
  c.execute("DELETE FROM institution_relations WHERE institution_id = ?", id);
  for (const auto& r : record.relations) {
    c.execute("INSERT INTO institution_relations (institution_id, relation, party_name, party_credit_code,"
              " valid_from, valid_to) VALUES (?, ?, ?, ?, ?, ?)",
              id, r.relation, r.partyName, r.partyCreditCode, r.validFrom, r.validTo);
  }
  // The legal representative is a relation too (a person, found by the blind index of the ID number), so
  // recusal and the credit graph can follow it.
  if (auto name = record.get("legal_rep_name")) {
    c.execute("INSERT INTO institution_relations (institution_id, relation, party_name, party_id_index, valid_from)"
              " VALUES (?, 'legal_representative', ?, ?, ?)",
              id, *name, record.get("legal_rep_id_index"), now.substr(0, 10));
  }
  indexInstitution(c, id);
  // The credit graph follows related parties through the outbox.
  db::emitEvent(c, {0, "registry.relations", "institution", id, id,
                    "institution:" + std::to_string(id) + ":relations:" + now, "{}", ""},
                now);
}

}  // namespace

const std::vector<std::string>& recordColumns() {
  static const std::vector<std::string> kColumns = [] {
    std::vector<std::string> out;
    for (const auto& spec : institutionFields()) out.push_back(columnOf(spec.name));
    out.push_back("legal_rep_id_cipher");
    out.push_back("legal_rep_id_index");
    return out;
  }();
  return kColumns;
}

std::optional<std::string> columnValue(const Record& record, const std::string& column) {
  if (column == "legal_rep_id_masked") return record.get("legal_rep_id_number");
  auto v = record.get(column);
  const FieldSpec* spec = findField(column);
  if (v && spec && spec->type == FieldType::Flag) return std::string(*v == "true" ? "1" : "0");
  return v;
}

std::string multiRowInsert(const std::string& table, const std::vector<std::string>& columns, std::size_t n) {
  std::string sql = "INSERT INTO " + table + " (";
  for (std::size_t i = 0; i < columns.size(); ++i) sql += (i ? ", " : "") + columns[i];
  sql += ") VALUES ";
  std::string one = db::withInList("(", ")", columns.size());
  sql.reserve(sql.size() + n * (one.size() + 2));
  for (std::size_t r = 0; r < n; ++r) sql += (r ? ", " : "") + one;
  return sql;
}

std::string nameGramsSql(std::size_t n) {
  // Computed by the server from the stored name, exactly as migration V0005 filled the table.
  return db::withInList(
      "INSERT IGNORE INTO institution_name_grams (gram, institution_id)"
      " WITH RECURSIVE pos (p) AS (SELECT 1 UNION ALL SELECT p + 1 FROM pos WHERE p < 127)"
      " SELECT SUBSTRING(i.name, pos.p, 2), i.id FROM institutions i JOIN pos ON pos.p < CHAR_LENGTH(i.name)"
      " WHERE i.id IN (",
      ")", n);
}

std::vector<std::string> linkRelationsSql(std::size_t n) {
  return {db::withInList("UPDATE institution_relations r JOIN institutions p ON p.credit_code = r.party_credit_code"
                         " SET r.related_institution_id = p.id WHERE r.related_institution_id IS NULL AND"
                         " r.institution_id IN (",
                         ")", n),
          db::withInList("UPDATE institution_relations r JOIN institutions p ON p.credit_code = r.party_credit_code"
                         " SET r.related_institution_id = p.id WHERE r.related_institution_id IS NULL AND p.id IN (",
                         ")", n)};
}

void indexInstitution(db::Connection& c, std::int64_t id) {
  for (const auto& sql : linkRelationsSql(1)) c.execute(sql, id);
  c.execute("DELETE FROM institution_name_grams WHERE institution_id = ?", id);
  c.execute(nameGramsSql(1), id);
}

std::vector<std::string> nameGrams(const std::string& text) {
  std::vector<std::string> points;
  for (std::size_t i = 0; i < text.size();) {
    auto lead = static_cast<unsigned char>(text[i]);
    std::size_t len = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    points.push_back(text.substr(i, len));
    i += len;
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    std::string gram = points[i] + points[i + 1];
    if (std::find(out.begin(), out.end(), gram) == out.end()) out.push_back(std::move(gram));
  }
  return out;
}

std::vector<std::string> regionAndSubregions(db::Connection& c, const std::string& code) {
  std::vector<std::string> out;
  for (const auto& row : c.query("SELECT code FROM regions WHERE code LIKE ? ORDER BY code", core::regionPrefix(code))) {
    out.push_back(row.str("code"));
  }
  return out;
}

std::optional<Institution> loadInstitution(db::Connection& c, std::int64_t id, bool forUpdate) {
  if (forUpdate) c.query("SELECT id FROM institutions WHERE id = ? FOR UPDATE", id);
  static const std::string kSql =
      "SELECT " + selectColumns() + " FROM institutions i LEFT JOIN regions g ON g.code = i.region_code WHERE i.id = ?";
  auto rows = c.query(kSql, id);
  if (rows.empty()) return std::nullopt;
  Institution inst = fromRow(rows[0]);
  loadChildren(c, inst);
  return inst;
}

std::optional<std::int64_t> idByCreditCode(db::Connection& c, const std::string& creditCode) {
  auto rows = c.query("SELECT id FROM institutions WHERE credit_code = ?", creditCode);
  if (rows.empty()) return std::nullopt;
  return rows[0].i64("id");
}

std::int64_t insertInstitution(db::Connection& c, const Record& record, const std::string& filingState,
                               const std::optional<std::string>& filingNo, const std::string& now) {
  static const std::string kSql = [] {
    std::string cols, marks;
    for (const auto& col : recordColumns()) {
      cols += col + ", ";
      marks += "?, ";
    }
    return "INSERT INTO institutions (" + cols + "sector, filing_state, filing_no, version, created_at, updated_at)"
           " VALUES (" + marks + "?, ?, ?, 1, ?, ?)";
  }();
  c.executeWith(kSql, [&](db::Binder& b) {
    unsigned i = 1;
    for (const auto& col : recordColumns()) b.bind(i++, columnValue(record, col));
    b.bind(i++, sectorOfKind(*record.get("kind")));
    b.bind(i++, filingState);
    b.bind(i++, filingNo);
    b.bind(i++, now);
    b.bind(i++, now);
  });
  std::int64_t id = c.lastInsertId();
  writeChildren(c, id, record, now);
  return id;
}

void saveInstitution(db::Connection& c, std::int64_t id, const Record& record, int version,
                     const std::string& filingState, const std::optional<std::string>& filingNo,
                     const std::string& now) {
  static const std::string kSql = [] {
    std::string sets;
    for (const auto& col : recordColumns()) sets += col + " = ?, ";
    return "UPDATE institutions SET " + sets +
           "sector = ?, filing_state = ?, filing_no = ?, version = ?, updated_at = ? WHERE id = ?";
  }();
  c.executeWith(kSql, [&](db::Binder& b) {
    unsigned i = 1;
    for (const auto& col : recordColumns()) b.bind(i++, columnValue(record, col));
    b.bind(i++, sectorOfKind(*record.get("kind")));
    b.bind(i++, filingState);
    b.bind(i++, filingNo);
    b.bind(i++, version);
    b.bind(i++, now);
    b.bind(i++, id);
  });
  writeChildren(c, id, record, now);
}

void insertVersion(db::Connection& c, std::int64_t id, int version, const Record& record, const std::string& source,
                   std::optional<std::int64_t> filingId, std::optional<std::int64_t> userId, const std::string& now) {
  c.execute("INSERT INTO institution_versions (institution_id, version, snapshot, source, filing_id, created_by,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            id, version, recordToSnapshot(record), source, filingId, userId, now);
}

std::vector<Version> loadVersions(db::Connection& c, std::int64_t id) {
  std::vector<Version> out;
  for (const auto& row : c.query("SELECT v.version, v.snapshot, v.source, v.filing_id, v.created_at,"
                                 " u.username FROM institution_versions v LEFT JOIN users u ON u.id = v.created_by"
                                 " WHERE v.institution_id = ? ORDER BY v.version",
                                 id)) {
    Version v;
    v.version = static_cast<int>(row.i64("version"));
    v.source = row.str("source");
    v.filingId = row.optI64("filing_id");
    v.createdBy = row.optStr("username");
    v.createdAt = core::sqlToIsoUtc(row.str("created_at"));
    v.record = recordFromSnapshot(row.str("snapshot"));
    out.push_back(std::move(v));
  }
  return out;
}

std::string nextFilingNumber(db::Connection& c, const std::string& department, int year) {
  return formatFilingNumber(department, year, reserveFilingNumbers(c, department, year, 1));
}

std::set<std::string> existingCreditCodes(db::Connection& c, const std::vector<std::string>& codes) {
  std::set<std::string> found;
  constexpr std::size_t kBatch = 500;
  for (std::size_t start = 0; start < codes.size(); start += kBatch) {
    std::size_t n = std::min(kBatch, codes.size() - start);
    std::string sql = "SELECT credit_code FROM institutions WHERE credit_code IN (?";
    for (std::size_t i = 1; i < n; ++i) sql += ", ?";
    sql += ")";
    auto rows = c.queryWith(sql, [&](db::Binder& b) {
      for (std::size_t i = 0; i < n; ++i) b.bind(static_cast<unsigned>(i + 1), codes[start + i]);
    });
    for (const auto& row : rows) found.insert(row.str("credit_code"));
  }
  return found;
}

std::set<std::string> allRegionCodes(db::Connection& c) {
  std::set<std::string> out;
  for (const auto& row : c.query("SELECT code FROM regions")) out.insert(row.str("code"));
  return out;
}

namespace {

// A bigram that fewer institutions carry than this drives a name search: its candidates are read through the
// bigram index and confirmed with LIKE. Above it, matches are dense enough that walking the sort index and
// testing LIKE on each entry finds a page sooner.
constexpr std::int64_t kDrivingGramLimit = 20'000;
constexpr std::size_t kGramsConsidered = 12;
constexpr std::size_t kRegionListLimit = 2'000;

std::int64_t cappedCount(db::Connection& c, const std::string& from, const std::string& where,
                         const std::vector<std::string>& params, std::int64_t cap) {
  return c.queryWith("SELECT COUNT(*) AS n FROM (SELECT 1 AS one " + from + where + " LIMIT ?) capped",
                     [&](db::Binder& b) {
                       unsigned i = 1;
                       for (const auto& p : params) b.bind(i++, p);
                       b.bind(i, cap);
                     })[0]
      .i64("n");
}

}  // namespace

IdPage searchIds(db::Connection& c, const SearchQuery& q, std::optional<std::int64_t> onlyId, std::int64_t countCap) {
  // Only the conditions in use are written, so the optimiser can pick the matching index.
  std::string from = "FROM institutions i";
  std::string where = " WHERE 1 = 1";
  std::vector<std::string> params;
  auto add = [&](const std::string& clause, const std::string& value) {
    where += " AND " + clause;
    params.push_back(value);
  };
  IdPage page;
  if (q.text) {
    // The rarest bigram of the text, if rare enough, drives the search (see kDrivingGramLimit).
    auto grams = nameGrams(*q.text);
    if (grams.size() > kGramsConsidered) grams.resize(kGramsConsidered);
    std::optional<std::pair<std::int64_t, std::string>> rarest;
    for (const auto& gram : grams) {
      auto n = cappedCount(c, "FROM institution_name_grams", " WHERE gram = ?", {gram}, kDrivingGramLimit + 1);
      if (n == 0) return page;  // no name holds this bigram, so none holds the text
      if (!rarest || n < rarest->first) rarest = std::pair{n, gram};
    }
    if (rarest && rarest->first <= kDrivingGramLimit) {
      from = "FROM institution_name_grams ng STRAIGHT_JOIN institutions i ON i.id = ng.institution_id";
      add("ng.gram = ?", rarest->second);
    }
    std::string escaped;
    for (char ch : *q.text) {
      if (ch == '%' || ch == '_' || ch == '\\') escaped += '\\';
      escaped += ch;
    }
    add("i.name LIKE ?", "%" + escaped + "%");
  }
  if (onlyId) add("i.id = ?", std::to_string(*onlyId));
  if (q.creditCode) add("i.credit_code = ?", normaliseCreditCode(*q.creditCode));
  if (q.region) {
    // Equality or IN on the region and its sub-regions, so (region_code, name|capacity) gives the order too.
    auto codes = regionAndSubregions(c, *q.region);
    if (codes.empty()) return page;
    // One region: (region_code, name) holds its rows in name order. Names tend to start with the place name, so
    // walking the whole name index until a district's rows turn up (the optimiser's guess) reads most of it.
    if (codes.size() == 1 && from == "FROM institutions i") {
      from += " IGNORE INDEX FOR ORDER BY (idx_institutions_name)";
    }
    if (codes.size() > kRegionListLimit) {
      add("i.region_code LIKE ?", core::regionPrefix(*q.region));
    } else {
      where += " AND i.region_code IN (";
      for (std::size_t k = 0; k < codes.size(); ++k) {
        where += k ? ", ?" : "?";
        params.push_back(codes[k]);
      }
      where += ")";
    }
  }
  if (q.kind) add("i.kind = ?", *q.kind);
  if (q.sector) add("i.sector = ?", *q.sector);
  if (q.ownership) add("i.ownership = ?", *q.ownership);
  if (q.filingState) add("i.filing_state = ?", *q.filingState);
  if (q.capacityMin) add("i.capacity >= ?", std::to_string(*q.capacityMin));
  if (q.capacityMax) add("i.capacity <= ?", std::to_string(*q.capacityMax));
  static const std::map<std::string, std::string> kSort{
      {"name", "i.name"}, {"capacity", "i.capacity"}, {"updated_at", "i.updated_at"}, {"credit_code", "i.credit_code"}};
  std::string order = kSort.count(q.sort) ? kSort.at(q.sort) : "i.name";
  std::string dir = q.descending ? " DESC" : " ASC";
  if (countCap > 0) {
    std::int64_t n = cappedCount(c, from, where, params, countCap + 1);
    page.total = std::min(n, countCap);
    page.totalCapped = n > countCap;
  }
  // Ids first (from an index where one fits), whole rows for those ids only afterwards.
  std::string select = from.find("STRAIGHT_JOIN") != std::string::npos ? "SELECT STRAIGHT_JOIN i.id " : "SELECT i.id ";
  std::string sql = select + from + where + " ORDER BY " + order + dir + ", i.id" + dir + " LIMIT ? OFFSET ?";
  auto rows = c.queryWith(sql, [&](db::Binder& b) {
    unsigned i = 1;
    for (const auto& p : params) b.bind(i++, p);
    b.bind(i++, q.limit);
    b.bind(i++, q.offset);
  });
  page.ids.reserve(rows.size());
  for (const auto& row : rows) page.ids.push_back(row.i64("id"));
  return page;
}

std::vector<Institution> loadMany(db::Connection& c, const std::vector<std::int64_t>& ids) {
  static const std::string kPrefix =
      "SELECT " + selectColumns() + " FROM institutions i LEFT JOIN regions g ON g.code = i.region_code WHERE i.id IN (";
  std::map<std::int64_t, Institution> found;
  db::forEachRowWithIds(c, kPrefix, ")", ids, [&](const db::Row& row) {
    Institution inst = fromRow(row);
    found.emplace(inst.id, std::move(inst));
  });
  std::vector<Institution> out;
  out.reserve(ids.size());
  for (auto id : ids) {
    auto it = found.find(id);
    if (it != found.end()) out.push_back(std::move(it->second));
  }
  return out;
}

bool regionExists(db::Connection& c, const std::string& code) {
  return !c.query("SELECT 1 AS found FROM regions WHERE code = ?", code).empty();
}

std::optional<std::string> competentDepartment(db::Connection& c, const std::string& sector) {
  auto rows = c.query("SELECT code FROM departments WHERE sector = ? ORDER BY sort_order, code LIMIT 1", sector);
  if (rows.empty()) return std::nullopt;
  return rows[0].str("code");
}

std::optional<std::string> departmentSector(db::Connection& c, const std::string& department) {
  auto rows = c.query("SELECT sector FROM departments WHERE code = ?", department);
  if (rows.empty()) return std::nullopt;
  return rows[0].str("sector");
}

}  // namespace cw::registry::repo
