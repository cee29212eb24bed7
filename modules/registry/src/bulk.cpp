#include "cw/registry/bulk.hpp"

#include <cstdio>

#include "cw/db/statement_text.hpp"
#include "record_json.hpp"
#include "repository.hpp"

namespace cw::registry {

namespace {

const std::vector<std::string>& institutionColumns() {
  static const std::vector<std::string> kColumns = [] {
    std::vector<std::string> out = repo::recordColumns();
    for (const char* c : {"sector", "filing_state", "filing_no", "version", "created_at", "updated_at"}) out.push_back(c);
    return out;
  }();
  return kColumns;
}

const std::vector<std::string> kVersionColumns{"institution_id", "version", "snapshot", "source", "created_by",
                                               "created_at"};
const std::vector<std::string> kLicenceColumns{"institution_id", "kind", "number", "issuer", "expires_on"};
const std::vector<std::string> kRelationColumns{"institution_id", "relation",       "party_name", "party_credit_code",
                                                "party_id_index", "valid_from", "valid_to"};

using Row = std::vector<std::optional<std::string>>;

}  // namespace

std::string formatFilingNumber(const std::string& department, int year, long long sequence) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s-%d-%06lld", department.c_str(), year, sequence);
  return buf;
}

long long reserveFilingNumbers(db::Connection& c, const std::string& department, int year, long long count) {
  c.execute("INSERT INTO filing_counters (department_code, year, last_number) VALUES (?, ?, ?)"
            " ON DUPLICATE KEY UPDATE last_number = last_number + ?",
            department, year, count, count);
  auto last = c.query("SELECT last_number FROM filing_counters WHERE department_code = ? AND year = ?", department,
                      year)[0].i64("last_number");
  return last - count + 1;
}

void indexInstitutions(db::Connection& c, const std::vector<std::int64_t>& ids) {
  for (auto id : ids) repo::indexInstitution(c, id);
}

std::string versionSnapshot(const Record& record) { return recordToSnapshot(record); }

BulkWriter::BulkWriter(std::string source, std::optional<std::int64_t> createdBy)
    : source_(std::move(source)), createdBy_(createdBy) {}

const std::string& BulkWriter::insertSql(const std::string& table, const std::vector<std::string>& columns,
                                         std::size_t rows) {
  std::string key = "insert " + table + " " + std::to_string(rows);
  auto it = statements_.find(key);
  if (it == statements_.end()) it = statements_.emplace(key, repo::multiRowInsert(table, columns, rows)).first;
  return it->second;
}

const std::string& BulkWriter::inListSql(const std::string& prefix, const std::string& suffix, std::size_t n) {
  std::string key = prefix + "\x1f" + std::to_string(n);
  auto it = statements_.find(key);
  if (it == statements_.end()) it = statements_.emplace(key, db::withInList(prefix, suffix, n)).first;
  return it->second;
}

std::vector<std::int64_t> BulkWriter::write(db::Connection& c, std::vector<BulkInstitution>& rows) {
  std::vector<std::int64_t> ids;
  ids.reserve(rows.size());
  for (std::size_t at = 0; at < rows.size();) {
    std::size_t n = db::chunkOf(rows.size() - at, kChunk);
    writeChunk(c, rows, at, n, ids);
    at += n;
  }
  return ids;
}

void BulkWriter::writeChunk(db::Connection& c, std::vector<BulkInstitution>& rows, std::size_t at, std::size_t n,
                            std::vector<std::int64_t>& ids) {
  // Several rows per statement, bound in one pass.
  auto insert = [&](const std::string& table, const std::vector<std::string>& columns, std::vector<Row>& values) {
    for (std::size_t done = 0; done < values.size();) {
      std::size_t k = db::chunkOf(values.size() - done, kChunk);
      c.executeWith(insertSql(table, columns, k), [&](db::Binder& b) {
        unsigned i = 1;
        for (std::size_t r = done; r < done + k; ++r) {
          for (const auto& v : values[r]) b.bind(i++, v);
        }
      });
      done += k;
    }
    values.clear();
  };

  std::vector<Row> values;
  values.reserve(n);
  for (std::size_t k = at; k < at + n; ++k) {
    const BulkInstitution& inst = rows[k];
    Row row;
    row.reserve(institutionColumns().size());
    for (const auto& column : repo::recordColumns()) row.push_back(repo::columnValue(inst.record, column));
    row.push_back(sectorOfKind(inst.record.get("kind").value_or("")));
    row.push_back(inst.filingState);
    row.push_back(inst.filingNo);
    row.push_back(std::string("1"));
    row.push_back(inst.createdAt);
    row.push_back(inst.createdAt);
    values.push_back(std::move(row));
  }
  insert("institutions", institutionColumns(), values);

  // Ids by credit code: one indexed lookup, whatever the server's auto-increment lock mode.
  std::map<std::string, std::int64_t> idOf;
  for (const auto& row : c.queryWith(inListSql("SELECT id, credit_code FROM institutions WHERE credit_code IN (", ")", n),
                                     [&](db::Binder& b) {
                                       for (std::size_t k = 0; k < n; ++k) {
                                         b.bind(static_cast<unsigned>(k + 1), *rows[at + k].record.get("credit_code"));
                                       }
                                     })) {
    idOf[row.str("credit_code")] = row.i64("id");
  }
  std::vector<std::int64_t> chunkIds;
  chunkIds.reserve(n);
  for (std::size_t k = at; k < at + n; ++k) chunkIds.push_back(idOf.at(*rows[k].record.get("credit_code")));

  std::vector<Row> licences, relations;
  for (std::size_t k = at; k < at + n; ++k) {
    BulkInstitution& inst = rows[k];
    const Record& r = inst.record;
    std::string id = std::to_string(chunkIds[k - at]);
    if (inst.snapshot.empty()) inst.snapshot = versionSnapshot(r);
    values.push_back({id, std::string("1"), std::move(inst.snapshot), source_,
                      createdBy_ ? std::optional<std::string>(std::to_string(*createdBy_)) : std::nullopt,
                      inst.createdAt});
    for (const auto& l : r.licences) licences.push_back({id, l.kind, l.number, l.issuer, l.expiresOn});
    for (const auto& x : r.relations) {
      relations.push_back({id, x.relation, x.partyName, x.partyCreditCode, std::nullopt, x.validFrom, x.validTo});
    }
    // The legal representative is a relation too, found by the blind index (as the repository writes it).
    if (auto name = r.get("legal_rep_name")) {
      relations.push_back({id, std::string("legal_representative"), *name, std::nullopt, r.get("legal_rep_id_index"),
                           inst.createdAt.substr(0, 10), std::nullopt});
    }
  }
  insert("institution_versions", kVersionColumns, values);
  insert("licences", kLicenceColumns, licences);
  insert("institution_relations", kRelationColumns, relations);

  auto bindIds = [&](db::Binder& b) {
    for (std::size_t k = 0; k < n; ++k) b.bind(static_cast<unsigned>(k + 1), chunkIds[k]);
  };
  for (const auto& sql : repo::linkRelationsSql(n)) c.executeWith(sql, bindIds);
  c.executeWith(repo::nameGramsSql(n), bindIds);
  ids.insert(ids.end(), chunkIds.begin(), chunkIds.end());
}

}  // namespace cw::registry
