#include "cw/registry/service.hpp"

#include "cw/registry/bulk.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>

#include "cw/core/time.hpp"
#include "cw/core/validation.hpp"
#include "cw/http/json.hpp"
#include "cw/registry/bulk.hpp"
#include "cw/registry/codes.hpp"
#include "record_json.hpp"
#include "repository.hpp"

namespace cw::registry {

using core::Error;
using core::ErrorCode;

namespace {

constexpr const char* kIdContext = "institution.legal_rep_id";

Error notFound(std::int64_t id) { return Error::notFound("institution " + std::to_string(id) + " does not exist"); }

std::string summaryOf(const std::vector<FieldChange>& changes) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("changes", changesToApi(changes));
  return http::toJsonText(o);
}

}  // namespace

struct RegistryService::Impl {
  db::Pool& pool;
  audit::AuditLog& audit;
  const core::Clock& clock;
  const core::WorkCalendar& calendar;
  const core::FieldCipher* cipher;
  const core::BlobStore& files;
  RegistryConfig config;

  std::string now() const { return core::formatSqlDateTime(clock.now()); }

  // Encrypts a resident ID that arrived in plain text; keeps an unchanged (masked) one as it is.
  core::Status protect(Record& record) const {
    auto id = record.get("legal_rep_id_number");
    if (!id || id->find('*') != std::string::npos) return core::Ok{};
    if (!cipher) {
      return Error::precondition("personal-data encryption is not configured (pii.encryption_key, pii.index_key)");
    }
    record.set("legal_rep_id_cipher", cipher->encrypt(*id, kIdContext));
    record.set("legal_rep_id_index", cipher->blindIndex(*id, kIdContext));
    record.set("legal_rep_id_number", maskResidentId(*id));
    return core::Ok{};
  }

  // Validates a whole record as it would be stored; the masked ID of an unchanged record is not re-checked.
  core::Status validate(db::Connection& c, Record& record) const {
    auto id = record.get("legal_rep_id_number");
    bool unchangedId = id && id->find('*') != std::string::npos && record.get("legal_rep_id_index");
    Record check = record;
    if (unchangedId) check.set("legal_rep_id_number", std::string("11010519491231002X"));  // stands in, checked before
    if (auto ok = validateRecord(check, core::shanghaiDay(clock.now())); !ok) return ok;
    if (unchangedId) check.set("legal_rep_id_number", id);
    record = std::move(check);
    if (!repo::regionExists(c, *record.get("region_code"))) {
      return Error::invalid("region_code", "region_code '" + *record.get("region_code") + "' is not a known region");
    }
    return core::Ok{};
  }

  // Officers act only on the sector their department supervises.
  core::Status requireCompetent(db::Connection& c, const http::Principal& who, const std::string& sector) const {
    if (who.role != "officer" || !who.departmentCode) {
      return Error::denied("only an officer of the competent department may do this");
    }
    auto mine = repo::departmentSector(c, *who.departmentCode);
    if (!mine || *mine != sector) {
      return Error::denied("department " + *who.departmentCode + " does not supervise " + sector +
                           " institutions (civil affairs supervises elderly care, health supervises childcare)");
    }
    return core::Ok{};
  }

  core::Result<Institution> visible(db::Connection& c, const http::Principal& who, std::int64_t id,
                                    bool forUpdate = false) const {
    if (who.role == "institution" && who.institutionId != id) return notFound(id);
    auto inst = repo::loadInstitution(c, id, forUpdate);
    if (!inst) return notFound(id);
    return *inst;
  }

  Record merged(const Record& base, const RecordChanges& input) const {
    RecordChanges changes = input;
    // A client that sends back the masked number it was shown has not changed it.
    if (auto it = changes.values.values.find("legal_rep_id_number");
        it != changes.values.values.end() && it->second && *it->second == base.get("legal_rep_id_number")) {
      changes.values.values.erase(it);
    }
    Record out = applyChanges(base, changes.values, changes.licences, changes.relations);
    if (changes.values.values.count("legal_rep_id_number")) {
      out.set("legal_rep_id_cipher", std::nullopt);
      out.set("legal_rep_id_index", std::nullopt);
    }
    return out;
  }

  Filing filingFromRow(const db::Row& row) const {
    Filing f;
    f.id = row.i64("id");
    f.institutionId = row.optI64("institution_id");
    f.institutionName = row.optStr("institution_name").value_or("");
    f.creditCode = row.str("credit_code");
    f.kind = row.str("kind");
    f.state = row.str("state");
    auto payload = Poco::JSON::Parser().parse(row.str("payload")).extract<Poco::JSON::Object::Ptr>();
    f.proposed = recordFromSnapshot(http::toJsonText(payload->getObject("record")));
    if (payload->has("reason") && !payload->isNull("reason")) f.reason = payload->getValue<std::string>("reason");
    // The changes against the record the filing was based on, fixed when it was (re)submitted.
    if (auto list = payload->getArray("changes")) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        auto o = list->getObject(static_cast<unsigned>(i));
        auto text = [&](const char* k) -> std::optional<std::string> {
          if (!o->has(k) || o->isNull(k)) return std::nullopt;
          return o->getValue<std::string>(k);
        };
        f.changes.push_back({o->getValue<std::string>("field"), text("before"), text("after")});
      }
    }
    if (auto list = payload->getArray("rounds")) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        auto o = list->getObject(static_cast<unsigned>(i));
        ReviewRound round{o->getValue<std::string>("returned_at"), o->getValue<std::string>("reviewer"), {}};
        auto reasons = o->getObject("reasons");
        for (const auto& k : reasons->getNames()) round.reasons[k] = reasons->getValue<std::string>(k);
        f.rounds.push_back(std::move(round));
      }
    }
    f.departmentCode = row.str("department_code");
    f.submittedBy = row.optStr("submitter").value_or("");
    f.submittedAt = core::sqlToIsoUtc(row.str("submitted_at"));
    f.dueOn = row.str("due_on");
    f.submissions = static_cast<int>(row.i64("submissions"));
    f.reviewedBy = row.optStr("reviewer");
    if (auto at = row.optStr("reviewed_at")) f.reviewedAt = core::sqlToIsoUtc(*at);
    f.filingNo = row.optStr("filing_no");
    if (auto reasons = row.optStr("return_reasons")) {
      auto o = Poco::JSON::Parser().parse(*reasons).extract<Poco::JSON::Object::Ptr>();
      for (const auto& k : o->getNames()) f.returnReasons[k] = o->getValue<std::string>(k);
    }
    auto today = core::shanghaiDay(clock.now());
    if (auto due = core::parseDay(f.dueOn); due && (f.state == "submitted")) {
      f.workingDaysLeft = calendar.workingDaysBetween(today, *due);
      f.overdue = today > *due;
    }
    return f;
  }

  core::Result<Filing> loadFiling(db::Connection& c, const http::Principal& who, std::int64_t id,
                                  bool forUpdate = false) const {
    static const std::string kSql =
        "SELECT f.*, i.name AS institution_name, su.username AS submitter, ru.username AS reviewer"
        " FROM filings f LEFT JOIN institutions i ON i.id = f.institution_id"
        " LEFT JOIN users su ON su.id = f.submitted_by LEFT JOIN users ru ON ru.id = f.reviewed_by WHERE f.id = ?";
    if (forUpdate) c.query("SELECT id FROM filings WHERE id = ? FOR UPDATE", id);
    auto rows = c.query(kSql, id);
    Error missing = Error::notFound("filing " + std::to_string(id) + " does not exist");
    if (rows.empty()) return missing;
    auto institution = rows[0].optI64("institution_id");
    if (who.role == "institution" && institution != who.institutionId) return missing;
    if (who.role == "officer" && rows[0].str("department_code") != who.departmentCode.value_or("")) return missing;
    return filingFromRow(rows[0]);
  }

  std::string payloadJson(const Record& base, const Record& proposed, int baseVersion,
                          const std::optional<std::string>& reason,
                          Poco::JSON::Array::Ptr rounds = new Poco::JSON::Array) const {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("rounds", rounds);
    o->set("record", Poco::JSON::Parser().parse(recordToSnapshot(proposed)));
    o->set("changes", changesToApi(diffRecords(base, proposed)));
    o->set("base_version", baseVersion);
    o->set("reason", reason ? Poco::Dynamic::Var(*reason) : Poco::Dynamic::Var());
    return http::toJsonText(o);
  }

  // Builds the proposed record of a filing from the current one and the submitted changes.
  core::Result<Record> propose(db::Connection& c, const Institution& current, const std::string& kind,
                               const RecordChanges& changes, const std::optional<std::string>& reason,
                               bool mustChange = true) const {
    if (kind == "cancel") {
      if (!reason) return Error::invalid("reason", "reason is required for a cancellation (注销)");
      if (auto ok = core::checkText("reason", *reason, 1, 500); !ok) return ok.error();
      if (!changes.values.values.empty() || changes.licences || changes.relations) {
        return Error::invalid("kind", "a cancellation carries only a reason, not record changes");
      }
      return current.record;
    }
    if (auto it = changes.values.values.find("credit_code");
        it != changes.values.values.end() && it->second &&
        normaliseCreditCode(*it->second) != current.record.get("credit_code").value_or("")) {
      return Error::invalid("credit_code", "credit_code identifies the institution and cannot change by filing");
    }
    Record proposed = merged(current.record, changes);
    if (auto ok = validate(c, proposed); !ok) return ok.error();
    if (kind == "change" && mustChange && diffRecords(current.record, proposed).empty()) {
      return Error::invalid("record", "the change filing changes nothing");
    }
    if (auto ok = protect(proposed); !ok) return ok.error();
    return proposed;
  }
};

RegistryService::RegistryService(db::Pool& pool, audit::AuditLog& audit, const core::Clock& clock,
                                 const core::WorkCalendar& calendar, const core::FieldCipher* cipher,
                                 const core::BlobStore& files, RegistryConfig config)
    : impl_(std::make_shared<Impl>(Impl{pool, audit, clock, calendar, cipher, files, config})) {}

namespace {
FilingDocument documentFromRow(const db::Row& row) {
  FilingDocument d;
  d.sha256 = row.str("sha256");
  d.name = row.str("name");
  d.mediaType = row.str("media_type");
  d.sizeBytes = row.i64("size_bytes");
  d.uploadedBy = row.optStr("username").value_or("");
  d.uploadedAt = core::sqlToIsoUtc(row.str("uploaded_at"));
  return d;
}
constexpr const char* kDocumentColumns =
    "SELECT fd.sha256, fd.name, fd.uploaded_at, d.media_type, d.size_bytes, u.username FROM filing_documents fd"
    " JOIN documents d ON d.sha256 = fd.sha256 LEFT JOIN users u ON u.id = fd.uploaded_by";
}  // namespace

core::Result<FilingDocument> RegistryService::addFilingDocument(const audit::Actor& actor, const http::Principal& who,
                                                               std::int64_t filingId, const std::string& name,
                                                               const std::string& bytes) {
  if (who.role != "institution") return Error::denied("documents are attached by the institution's own account");
  auto lease = impl_->pool.acquire();
  db::Connection& c = *lease;
  auto filing = impl_->loadFiling(c, who, filingId);  // someone else's filing is NotFound before anything else
  if (!filing) return filing.error();
  if (auto ok = core::checkText("name", name, 1, 255); !ok) return ok.error();
  if (name.find('/') != std::string::npos || name.find('\\') != std::string::npos) {
    return Error::invalid("name", "name must be a file name, not a path");
  }
  if (bytes.empty()) return Error::invalid("file", "the request body must be the document; it is empty");
  if (bytes.size() > impl_->config.maxDocumentBytes) {
    return Error{ErrorCode::PayloadTooLarge, "documents may be at most " +
                 std::to_string(impl_->config.maxDocumentBytes / (1024 * 1024)) + " MiB", "file"};
  }
  auto type = core::sniffDocumentType(bytes);
  if (!type) return Error::invalid("file", "the document must be a PDF, PNG, JPEG or WebP file (checked by content)");
  if (filing->state != "submitted" && filing->state != "returned") {
    return Error::precondition("filing " + std::to_string(filingId) + " is " + filing->state +
                               "; documents are added while it is open");
  }
  // The file is stored before the rows that point at it: a crash in between leaves an unreferenced file (the
  // same bytes are reused by the next upload), never a row without its file.
  auto sha = impl_->files.put(bytes);
  if (!sha) return sha.error();
  std::string now = impl_->now();
  db::Transaction tx(c);
  c.execute("INSERT INTO documents (sha256, media_type, size_bytes, created_at) VALUES (?, ?, ?, ?)"
            " ON DUPLICATE KEY UPDATE sha256 = sha256",
            *sha, *type, static_cast<std::int64_t>(bytes.size()), now);
  if (!c.query("SELECT sha256 FROM filing_documents WHERE filing_id = ? AND sha256 = ?", filingId, *sha).empty()) {
    return Error::conflict("this document is already attached to filing " + std::to_string(filingId), "file");
  }
  c.execute("INSERT INTO filing_documents (filing_id, sha256, name, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?)",
            filingId, *sha, name, who.userId, now);
  Poco::JSON::Object::Ptr summary = new Poco::JSON::Object;
  summary->set("sha256", *sha);
  summary->set("name", name);
  summary->set("media_type", *type);
  summary->set("size_bytes", static_cast<Poco::Int64>(bytes.size()));
  impl_->audit.append(c, actor, {"filing.document_add", "filing", std::to_string(filingId), http::toJsonText(summary)});
  tx.commit();
  auto rows = c.query(std::string(kDocumentColumns) + " WHERE fd.filing_id = ? AND fd.sha256 = ?", filingId, *sha);
  return documentFromRow(rows[0]);
}

core::Result<std::vector<FilingDocument>> RegistryService::filingDocuments(const http::Principal& who,
                                                                          std::int64_t filingId) {
  auto lease = impl_->pool.acquire();
  auto filing = impl_->loadFiling(*lease, who, filingId);
  if (!filing) return filing.error();
  std::vector<FilingDocument> out;
  for (const auto& row :
       lease->query(std::string(kDocumentColumns) + " WHERE fd.filing_id = ? ORDER BY fd.uploaded_at", filingId)) {
    out.push_back(documentFromRow(row));
  }
  return out;
}

core::Result<std::pair<FilingDocument, std::string>> RegistryService::filingDocument(const http::Principal& who,
                                                                                    std::int64_t filingId,
                                                                                    const std::string& sha256) {
  auto lease = impl_->pool.acquire();
  auto filing = impl_->loadFiling(*lease, who, filingId);
  if (!filing) return filing.error();
  auto rows = lease->query(std::string(kDocumentColumns) + " WHERE fd.filing_id = ? AND fd.sha256 = ?", filingId,
                           sha256);
  if (rows.empty()) return Error::notFound("filing " + std::to_string(filingId) + " has no such document");
  auto bytes = impl_->files.get(sha256);
  if (!bytes) return bytes.error();
  return std::pair{documentFromRow(rows[0]), std::move(*bytes)};
}

core::Result<Institution> RegistryService::registerDirect(const audit::Actor& actor, const http::Principal& who,
                                                          Record record) {
  auto lease = impl_->pool.acquire();
  db::Connection& c = *lease;
  if (auto ok = impl_->validate(c, record); !ok) return ok.error();
  std::string sector = sectorOfKind(*record.get("kind"));
  if (auto ok = impl_->requireCompetent(c, who, sector); !ok) return ok.error();
  if (auto ok = impl_->protect(record); !ok) return ok.error();
  std::string code = *record.get("credit_code");
  std::string now = impl_->now();
  db::Transaction tx(c);
  if (repo::idByCreditCode(c, code)) {
    return Error::conflict("an institution with credit_code " + code + " is already registered", "credit_code");
  }
  int year = static_cast<int>(static_cast<int>(std::chrono::year_month_day(core::shanghaiDay(impl_->clock.now())).year()));
  std::string filingNo = repo::nextFilingNumber(c, *who.departmentCode, year);
  std::int64_t id = 0;
  try {
    id = repo::insertInstitution(c, record, "filed", filingNo, now);
  } catch (const db::DbError& e) {
    if (e.isDuplicateKey()) {
      return Error::conflict("an institution with credit_code " + code + " is already registered", "credit_code");
    }
    throw;
  }
  repo::insertVersion(c, id, 1, record, "direct", std::nullopt, who.userId, now);
  impl_->audit.append(c, actor, {"institution.register_direct", "institution", std::to_string(id),
                                 summaryOf(diffRecords(Record{}, record))});
  tx.commit();
  return *repo::loadInstitution(c, id);
}

core::Result<Institution> RegistryService::preregister(const audit::Actor& actor, const http::Principal& who,
                                                       Record record) {
  const std::vector<std::string> kSkeleton{"credit_code", "name", "kind", "region_code"};
  for (const auto& [field, value] : record.values) {
    if (std::find(kSkeleton.begin(), kSkeleton.end(), field) == kSkeleton.end() && value) {
      return Error::invalid(field, "an unfiled registration has only credit_code, name, kind and region_code; " +
                                       field + " comes with the institution's first filing");
    }
  }
  // Validate the four fields with stand-ins for the rest, which the first filing provides.
  Record check = record;
  check.set("ownership", std::string("private_nonprofit"));
  check.set("address", std::string("-"));
  check.set("legal_rep_name", std::string("-"));
  check.set("legal_rep_id_number", std::string("11010519491231002X"));
  check.set("capacity", std::string("0"));
  auto lease = impl_->pool.acquire();
  db::Connection& c = *lease;
  if (auto ok = impl_->validate(c, check); !ok) return ok.error();
  std::string sector = sectorOfKind(*check.get("kind"));
  if (auto ok = impl_->requireCompetent(c, who, sector); !ok) return ok.error();
  std::string code = *check.get("credit_code");
  std::string now = impl_->now();
  db::Transaction tx(c);
  if (repo::idByCreditCode(c, code)) {
    return Error::conflict("an institution with credit_code " + code + " is already registered", "credit_code");
  }
  try {
    c.execute("INSERT INTO institutions (credit_code, name, kind, sector, region_code, filing_state, version,"
              " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'unfiled', 0, ?, ?)",
              code, *check.get("name"), *check.get("kind"), sector, *check.get("region_code"), now, now);
  } catch (const db::DbError& e) {
    if (e.isDuplicateKey()) {
      return Error::conflict("an institution with credit_code " + code + " is already registered", "credit_code");
    }
    throw;
  }
  std::int64_t id = c.lastInsertId();
  repo::indexInstitution(c, id);
  Poco::JSON::Object::Ptr summary = new Poco::JSON::Object;
  for (const auto& f : kSkeleton) summary->set(f, *check.get(f));
  impl_->audit.append(c, actor, {"institution.preregister", "institution", std::to_string(id), http::toJsonText(summary)});
  tx.commit();
  return *repo::loadInstitution(c, id);
}

core::Result<Institution> RegistryService::get(const http::Principal& who, std::int64_t id) {
  auto lease = impl_->pool.acquire();
  return impl_->visible(*lease, who, id);
}

core::Result<SearchPage> RegistryService::search(const http::Principal& who, const SearchQuery& query) {
  if (query.offset + query.limit > SearchPage::kCountCap) {
    return Error::invalid("page", "only the first " + std::to_string(SearchPage::kCountCap) +
                                      " matches can be paged through; narrow the search, or export it");
  }
  std::optional<std::int64_t> only;
  if (who.role == "institution") {
    if (!who.institutionId) return SearchPage{};
    only = who.institutionId;
  }
  auto lease = impl_->pool.acquire();
  auto ids = repo::searchIds(*lease, query, only, SearchPage::kCountCap);
  SearchPage page;
  page.items = repo::loadMany(*lease, ids.ids);
  page.total = ids.total;
  page.totalCapped = ids.totalCapped;
  return page;
}

core::Result<std::size_t> RegistryService::forEachMatch(const http::Principal& who, SearchQuery query,
                                                        std::size_t maxRows,
                                                        const std::function<void(const Institution&)>& each) {
  std::optional<std::int64_t> only;
  if (who.role == "institution") {
    if (!who.institutionId) return std::size_t{0};
    only = who.institutionId;
  }
  auto lease = impl_->pool.acquire();
  // The ids of every match in order (a single index-ordered statement, 8 bytes a row), then the rows in batches:
  // no OFFSET paging, which would re-read everything before each page.
  query.offset = 0;
  query.limit = static_cast<std::int64_t>(maxRows) + 1;
  auto ids = repo::searchIds(*lease, query, only, 0).ids;
  if (ids.size() > maxRows) {
    return Error::invalid("query", "the search matches more than " + std::to_string(maxRows) +
                                       " institutions; narrow it (region, kind, state) and export again");
  }
  constexpr std::size_t kBatch = 512;
  for (std::size_t at = 0; at < ids.size(); at += kBatch) {
    std::vector<std::int64_t> batch(ids.begin() + static_cast<std::ptrdiff_t>(at),
                                    ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), at + kBatch)));
    for (const auto& inst : repo::loadMany(*lease, batch)) each(inst);
  }
  return ids.size();
}

core::Result<Institution> RegistryService::editDirect(const audit::Actor& actor, const http::Principal& who,
                                                      std::int64_t id, const RecordChanges& changes) {
  auto lease = impl_->pool.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  auto current = impl_->visible(c, who, id, true);
  if (!current) return current.error();
  if (auto ok = impl_->requireCompetent(c, who, current->sector); !ok) return ok.error();
  if (current->filingState == "cancelled") return Error::precondition("institution " + std::to_string(id) + " is cancelled (注销)");
  if (auto it = changes.values.values.find("credit_code");
      it != changes.values.values.end() && it->second &&
      normaliseCreditCode(*it->second) != current->record.get("credit_code").value_or("")) {
    return Error::invalid("credit_code", "credit_code identifies the institution and cannot change");
  }
  Record proposed = impl_->merged(current->record, changes);
  if (auto ok = impl_->validate(c, proposed); !ok) return ok.error();
  if (auto ok = impl_->requireCompetent(c, who, sectorOfKind(*proposed.get("kind"))); !ok) return ok.error();
  if (auto ok = impl_->protect(proposed); !ok) return ok.error();
  auto diff = diffRecords(current->record, proposed);
  if (diff.empty()) {
    return *current;
  }
  std::string now = impl_->now();
  int version = current->version + 1;
  repo::saveInstitution(c, id, proposed, version, current->filingState, current->filingNo, now);
  repo::insertVersion(c, id, version, proposed, "direct", std::nullopt, who.userId, now);
  impl_->audit.append(c, actor, {"institution.update_direct", "institution", std::to_string(id), summaryOf(diff)});
  tx.commit();
  return *repo::loadInstitution(c, id);
}

core::Result<std::vector<Version>> RegistryService::versions(const http::Principal& who, std::int64_t id) {
  auto lease = impl_->pool.acquire();
  auto inst = impl_->visible(*lease, who, id);
  if (!inst) return inst.error();
  return repo::loadVersions(*lease, id);
}

core::Result<std::vector<FieldChange>> RegistryService::diff(const http::Principal& who, std::int64_t id, int from,
                                                             int to) {
  auto all = versions(who, id);
  if (!all) return all.error();
  const Record* a = nullptr;
  const Record* b = nullptr;
  for (const auto& v : *all) {
    if (v.version == from) a = &v.record;
    if (v.version == to) b = &v.record;
  }
  if (!a) return Error::notFound("institution " + std::to_string(id) + " has no version " + std::to_string(from));
  if (!b) return Error::notFound("institution " + std::to_string(id) + " has no version " + std::to_string(to));
  return diffRecords(*a, *b);
}

core::Result<std::string> RegistryService::revealLegalRepId(const audit::Actor& actor, const http::Principal& who,
                                                            std::int64_t id) {
  auto lease = impl_->pool.acquire();
  db::Connection& c = *lease;
  auto inst = impl_->visible(c, who, id);
  if (!inst) return inst.error();
  if (auto ok = impl_->requireCompetent(c, who, inst->sector); !ok) return ok.error();
  auto token = inst->record.get("legal_rep_id_cipher");
  if (!token) return Error::notFound("institution " + std::to_string(id) + " has no legal representative ID on file");
  if (!impl_->cipher) {
    return Error::precondition("personal-data encryption is not configured (pii.encryption_key, pii.index_key)");
  }
  auto plain = impl_->cipher->decrypt(*token, kIdContext);
  if (!plain) return plain.error();
  db::Transaction tx(c);
  impl_->audit.append(c, actor, {"institution.pii_read", "institution", std::to_string(id),
                                 "{\"field\":\"legal_rep_id_number\"}"});
  tx.commit();
  return *plain;
}

core::Result<Filing> RegistryService::submitFiling(const audit::Actor& actor, const http::Principal& who,
                                                   const std::string& kind, const RecordChanges& changes,
                                                   const std::optional<std::string>& reason) {
  if (who.role != "institution" || !who.institutionId) {
    return Error::denied("filings are submitted by the institution's own account");
  }
  if (kind != "new" && kind != "change" && kind != "cancel") {
    return Error::invalid("kind", "kind must be new, change or cancel");
  }
  auto lease = impl_->pool.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  auto current = impl_->visible(c, who, *who.institutionId, true);
  if (!current) return current.error();
  if (kind == "new" && current->filingState != "unfiled") {
    return Error::precondition("the institution is already " + current->filingState + "; file a change instead");
  }
  if (kind != "new" && current->filingState != "filed") {
    return Error::precondition("a " + kind + " filing needs a filed institution (it is " + current->filingState + ")");
  }
  auto open = c.query("SELECT id FROM filings WHERE institution_id = ? AND state IN ('submitted', 'returned')",
                      current->id);
  if (!open.empty()) {
    return Error::conflict("filing " + std::to_string(open[0].i64("id")) +
                           " of this institution is still open; correct or wait for it first");
  }
  auto proposed = impl_->propose(c, *current, kind, changes, reason);
  if (!proposed) return proposed.error();
  auto department = repo::competentDepartment(c, sectorOfKind(*proposed->get("kind")));
  if (!department) return Error::precondition("no department supervises this sector yet");
  auto nowTime = impl_->clock.now();
  auto due = impl_->calendar.addWorkingDays(core::shanghaiDay(nowTime), impl_->config.reviewWorkingDays);
  c.execute("INSERT INTO filings (institution_id, credit_code, kind, state, payload, department_code, submitted_by,"
            " submitted_at, due_on) VALUES (?, ?, ?, 'submitted', ?, ?, ?, ?, ?)",
            current->id, *current->record.get("credit_code"), kind,
            impl_->payloadJson(current->record, *proposed, current->version, reason), *department, who.userId,
            core::formatSqlDateTime(nowTime), core::formatDay(due));
  std::int64_t id = c.lastInsertId();
  impl_->audit.append(c, actor, {"filing.submit", "filing", std::to_string(id),
                                 summaryOf(diffRecords(current->record, *proposed))});
  tx.commit();
  return impl_->loadFiling(c, who, id);
}

core::Result<Filing> RegistryService::resubmitFiling(const audit::Actor& actor, const http::Principal& who,
                                                     std::int64_t id, const RecordChanges& changes,
                                                     const std::optional<std::string>& reason) {
  if (who.role != "institution") return Error::denied("filings are corrected by the institution's own account");
  auto lease = impl_->pool.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  auto filing = impl_->loadFiling(c, who, id, true);
  if (!filing) return filing.error();
  if (filing->state != "returned") {
    return Error::precondition("filing " + std::to_string(id) + " is " + filing->state + ", not returned");
  }
  auto current = impl_->visible(c, who, *filing->institutionId, true);
  if (!current) return current.error();
  // Corrections apply to what was filed, and the filing stays based on the version it was first filed against:
  // if the record changed since, acceptance refuses rather than overwrite that change.
  auto stored = Poco::JSON::Parser()
                    .parse(c.query("SELECT payload FROM filings WHERE id = ?", id)[0].str("payload"))
                    .extract<Poco::JSON::Object::Ptr>();
  int baseVersion = stored->getValue<int>("base_version");
  Institution base = *current;
  base.record = filing->proposed;
  auto proposed = impl_->propose(c, base, filing->kind, changes, reason ? reason : filing->reason, false);
  if (!proposed) return proposed.error();
  auto department = repo::competentDepartment(c, sectorOfKind(*proposed->get("kind")));
  if (!department) return Error::precondition("no department supervises this sector yet");
  auto nowTime = impl_->clock.now();
  auto due = impl_->calendar.addWorkingDays(core::shanghaiDay(nowTime), impl_->config.reviewWorkingDays);
  c.execute("UPDATE filings SET state = 'submitted', payload = ?, department_code = ?, submitted_at = ?, due_on = ?,"
            " submissions = submissions + 1, return_reasons = NULL WHERE id = ?",
            impl_->payloadJson(current->record, *proposed, baseVersion, reason ? reason : filing->reason,
                               stored->getArray("rounds") ? stored->getArray("rounds")
                                                          : Poco::JSON::Array::Ptr(new Poco::JSON::Array)),
            *department, core::formatSqlDateTime(nowTime), core::formatDay(due), id);
  impl_->audit.append(c, actor, {"filing.resubmit", "filing", std::to_string(id),
                                 summaryOf(diffRecords(filing->proposed, *proposed))});
  tx.commit();
  return impl_->loadFiling(c, who, id);
}

core::Result<Filing> RegistryService::getFiling(const http::Principal& who, std::int64_t id) {
  auto lease = impl_->pool.acquire();
  return impl_->loadFiling(*lease, who, id);
}

core::Result<std::pair<std::vector<Filing>, std::int64_t>> RegistryService::listFilings(
    const http::Principal& who, const std::optional<std::string>& state, std::int64_t offset, std::int64_t limit) {
  if (state && *state != "submitted" && *state != "returned" && *state != "accepted" && *state != "withdrawn") {
    return Error::invalid("state", "state must be submitted, returned, accepted or withdrawn");
  }
  auto lease = impl_->pool.acquire();
  db::Connection& c = *lease;
  std::string where = " WHERE 1 = 1";
  std::vector<std::string> params;
  if (who.role == "officer") {
    where += " AND f.department_code = ?";
    params.push_back(who.departmentCode.value_or(""));
  } else if (who.role == "institution") {
    where += " AND f.institution_id = ?";
    params.push_back(std::to_string(who.institutionId.value_or(0)));
  } else if (who.role != "admin") {
    return Error::denied("the filing queue is for officers, institutions and administrators");
  }
  if (state) {
    where += " AND f.state = ?";
    params.push_back(*state);
  }
  auto bind = [&](db::Binder& b) {
    unsigned i = 1;
    for (const auto& p : params) b.bind(i++, p);
    return i;
  };
  auto total = c.queryWith("SELECT COUNT(*) AS n FROM filings f" + where, [&](db::Binder& b) { bind(b); })[0].i64("n");
  auto rows = c.queryWith(
      "SELECT f.*, i.name AS institution_name, su.username AS submitter, ru.username AS reviewer FROM filings f"
      " LEFT JOIN institutions i ON i.id = f.institution_id LEFT JOIN users su ON su.id = f.submitted_by"
      " LEFT JOIN users ru ON ru.id = f.reviewed_by" + where +
          " ORDER BY CASE WHEN f.state = 'submitted' THEN 0 ELSE 1 END, f.due_on, f.id LIMIT ? OFFSET ?",
      [&](db::Binder& b) {
        unsigned i = bind(b);
        b.bind(i++, limit);
        b.bind(i++, offset);
      });
  std::vector<Filing> out;
  for (const auto& row : rows) out.push_back(impl_->filingFromRow(row));
  return std::pair{std::move(out), total};
}

core::Result<Filing> RegistryService::acceptFiling(const audit::Actor& actor, const http::Principal& who,
                                                   std::int64_t id) {
  if (who.role != "officer") return Error::denied("filings are accepted by an officer of the competent department");
  auto lease = impl_->pool.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  auto filing = impl_->loadFiling(c, who, id, true);
  if (!filing) return filing.error();
  if (filing->state != "submitted") {
    return Error::precondition("filing " + std::to_string(id) + " is " + filing->state + ", not submitted");
  }
  auto current = repo::loadInstitution(c, *filing->institutionId, true);
  if (!current) return notFound(*filing->institutionId);
  auto payload = Poco::JSON::Parser()
                     .parse(c.query("SELECT payload FROM filings WHERE id = ?", id)[0].str("payload"))
                     .extract<Poco::JSON::Object::Ptr>();
  if (payload->getValue<int>("base_version") != current->version) {
    return Error::conflict("institution " + std::to_string(current->id) +
                           " changed after this filing was submitted; return the filing so it is filed again");
  }
  auto nowTime = impl_->clock.now();
  std::string now = core::formatSqlDateTime(nowTime);
  std::string state = filing->kind == "cancel" ? "cancelled" : "filed";
  std::optional<std::string> filingNo = current->filingNo;
  if (filing->kind == "new" || !filingNo) {
    int year = static_cast<int>(std::chrono::year_month_day(core::shanghaiDay(nowTime)).year());
    filingNo = repo::nextFilingNumber(c, filing->departmentCode, year);
  }
  int version = current->version + 1;
  repo::saveInstitution(c, current->id, filing->proposed, version, state, filingNo, now);
  repo::insertVersion(c, current->id, version, filing->proposed, "filing", id, who.userId, now);
  c.execute("UPDATE filings SET state = 'accepted', reviewed_by = ?, reviewed_at = ?, filing_no = ? WHERE id = ?",
            who.userId, now, filingNo, id);
  Poco::JSON::Object::Ptr summary = new Poco::JSON::Object;
  summary->set("filing_no", *filingNo);
  summary->set("institution_id", current->id);
  summary->set("version", version);
  summary->set("changes", changesToApi(diffRecords(current->record, filing->proposed)));
  impl_->audit.append(c, actor, {"filing.accept", "filing", std::to_string(id), http::toJsonText(summary)});
  tx.commit();
  return impl_->loadFiling(c, who, id);
}

core::Result<Filing> RegistryService::returnFiling(const audit::Actor& actor, const http::Principal& who,
                                                   std::int64_t id, const std::map<std::string, std::string>& reasons) {
  if (who.role != "officer") return Error::denied("filings are returned by an officer of the competent department");
  if (reasons.empty()) return Error::invalid("reasons", "give at least one reason, per field, for returning the filing");
  Poco::JSON::Object::Ptr stored = new Poco::JSON::Object;
  for (const auto& [field, reason] : reasons) {
    if (field != "general" && field != "licences" && field != "relations" && !findField(field)) {
      return Error::invalid("reasons", "reasons names an unknown field '" + field + "'");
    }
    if (auto ok = core::checkText("reasons." + field, core::trim(reason), 1, 500); !ok) return ok.error();
    stored->set(field, core::trim(reason));
  }
  auto lease = impl_->pool.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  auto filing = impl_->loadFiling(c, who, id, true);
  if (!filing) return filing.error();
  if (filing->state != "submitted") {
    return Error::precondition("filing " + std::to_string(id) + " is " + filing->state + ", not submitted");
  }
  std::string now = impl_->now();
  auto payload = Poco::JSON::Parser()
                     .parse(c.query("SELECT payload FROM filings WHERE id = ?", id)[0].str("payload"))
                     .extract<Poco::JSON::Object::Ptr>();
  Poco::JSON::Array::Ptr rounds = payload->getArray("rounds");
  if (!rounds) rounds = new Poco::JSON::Array;
  Poco::JSON::Object::Ptr round = new Poco::JSON::Object;
  round->set("returned_at", core::formatIsoUtc(impl_->clock.now()));
  round->set("reviewer", who.username);
  round->set("reasons", stored);
  rounds->add(round);
  payload->set("rounds", rounds);
  c.execute("UPDATE filings SET state = 'returned', reviewed_by = ?, reviewed_at = ?, return_reasons = ?, payload = ?"
            " WHERE id = ?",
            who.userId, now, http::toJsonText(stored), http::toJsonText(payload), id);
  Poco::JSON::Object::Ptr summary = new Poco::JSON::Object;
  summary->set("reasons", stored);
  impl_->audit.append(c, actor, {"filing.return", "filing", std::to_string(id), http::toJsonText(summary)});
  tx.commit();
  return impl_->loadFiling(c, who, id);
}

core::Result<BatchResult> RegistryService::importBatch(const audit::Actor& actor, const http::Principal& who,
                                                      const BatchSource& rows, bool partial,
                                                      const std::function<void(int, int)>& progress) {
  if (who.role != "officer" || !who.departmentCode) {
    return Error::denied("imports are done by an officer of the competent department");
  }
  auto lease = impl_->pool.acquire();
  db::Connection& c = *lease;
  auto sector = repo::departmentSector(c, *who.departmentCode);
  if (!sector || (*sector != "elderly" && *sector != "childcare")) {
    return Error::denied("department " + *who.departmentCode + " does not supervise institutions");
  }
  // Validation first, every row, without writing anything. Regions and existing codes are read in bulk; only the
  // credit codes of valid rows are kept.
  auto regions = repo::allRegionCodes(c);
  BatchResult result;
  std::vector<std::size_t> valid;
  std::vector<std::string> codes;
  std::map<std::string, std::size_t> firstRowOf;  // credit code -> file row
  std::vector<std::size_t> fileRow(rows.size, 0);
  for (std::size_t k = 0; k < rows.size; ++k) {
    BatchRow row = rows.at(k);
    fileRow[k] = row.row;
    auto fail = [&](const std::string& field, const std::string& message) {
      result.errors.push_back({row.row, field, message});
    };
    if (auto ok = validateRecord(row.record); !ok) {
      fail(ok.error().field, ok.error().message);
      continue;
    }
    const std::string code = *row.record.get("credit_code");
    if (!regions.count(*row.record.get("region_code"))) {
      fail("region_code", "region_code '" + *row.record.get("region_code") + "' is not a known region");
      continue;
    }
    if (sectorOfKind(*row.record.get("kind")) != *sector) {
      fail("kind", "department " + *who.departmentCode + " supervises " + *sector + " institutions only");
      continue;
    }
    if (auto [it, fresh] = firstRowOf.emplace(code, row.row); !fresh) {
      fail("credit_code", "credit_code " + code + " appears more than once in the file (first in row " +
                              std::to_string(it->second) + ")");
      continue;
    }
    valid.push_back(k);
    codes.push_back(code);
  }
  auto existing = repo::existingCreditCodes(c, codes);
  std::vector<std::size_t> toWrite;
  for (std::size_t v = 0; v < valid.size(); ++v) {
    if (existing.count(codes[v])) {
      result.errors.push_back({fileRow[valid[v]], "credit_code", "credit_code " + codes[v] + " is already registered"});
      continue;
    }
    toWrite.push_back(valid[v]);
  }
  std::sort(result.errors.begin(), result.errors.end(),
            [](const BatchError& a, const BatchError& b) { return a.row < b.row; });
  if ((!result.errors.empty() && !partial) || toWrite.empty()) return result;

  // One transaction: an interrupted import leaves nothing behind. Records are rebuilt and written a chunk at a
  // time, so memory does not grow with the file.
  int total = static_cast<int>(toWrite.size());
  auto nowTime = impl_->clock.now();
  std::string now = core::formatSqlDateTime(nowTime);
  int year = static_cast<int>(std::chrono::year_month_day(core::shanghaiDay(nowTime)).year());
  db::Transaction tx(c);
  long long number = reserveFilingNumbers(c, *who.departmentCode, year, total);
  BulkWriter writer("import", who.userId);
  std::vector<BulkInstitution> chunk;
  int done = 0;
  for (std::size_t w = 0; w < toWrite.size();) {
    std::size_t n = std::min(BulkWriter::kChunk, toWrite.size() - w);
    chunk.clear();
    for (std::size_t k = w; k < w + n; ++k) {
      BulkInstitution inst;
      inst.record = std::move(rows.at(toWrite[k]).record);
      if (auto ok = impl_->protect(inst.record); !ok) return ok.error();
      inst.filingNo = formatFilingNumber(*who.departmentCode, year, number++);
      inst.createdAt = now;
      chunk.push_back(std::move(inst));
    }
    writer.write(c, chunk);
    w += n;
    done += static_cast<int>(n);
    if (progress) progress(done, total);
  }
  Poco::JSON::Object::Ptr summary = new Poco::JSON::Object;
  summary->set("rows", static_cast<Poco::Int64>(rows.size));
  summary->set("imported", total);
  summary->set("rejected_rows", static_cast<Poco::Int64>(result.errors.size()));
  impl_->audit.append(c, actor, {"institution.import", "import", actor.requestId, http::toJsonText(summary)});
  tx.commit();
  result.imported = toWrite.size();
  return result;
}

core::Result<std::vector<ExpiringLicence>> RegistryService::expiringLicences(const http::Principal& who, int days,
                                                                            const std::optional<std::string>& region) {
  if (days < 0 || days > 3660) return Error::invalid("days", "days must be between 0 and 3660");
  auto today = core::shanghaiDay(impl_->clock.now());
  std::string to = core::formatDay(today + std::chrono::days(days));
  std::string sql =
      "SELECT l.kind, l.number, l.issuer, l.expires_on, i.id, i.name, i.region_code FROM licences l"
      " JOIN institutions i ON i.id = l.institution_id WHERE l.expires_on <= ?"
      " AND i.filing_state <> 'cancelled'";
  // Already expired licences are listed too (negative days_left): they are the most urgent.
  std::vector<std::string> params{to};
  if (region) {
    sql += " AND i.region_code LIKE ?";
    params.push_back(core::regionPrefix(*region));
  }
  if (who.role == "institution") {
    sql += " AND i.id = ?";
    params.push_back(std::to_string(who.institutionId.value_or(0)));
  }
  sql += " ORDER BY l.expires_on, i.id LIMIT 5000";
  auto lease = impl_->pool.acquire();
  auto rows = lease->queryWith(sql, [&](db::Binder& b) {
    unsigned i = 1;
    for (const auto& p : params) b.bind(i++, p);
  });
  std::vector<ExpiringLicence> out;
  for (const auto& row : rows) {
    ExpiringLicence e;
    e.institutionId = row.i64("id");
    e.institutionName = row.str("name");
    e.regionCode = row.str("region_code");
    e.licence = {row.str("kind"), row.str("number"), row.optStr("issuer"), row.optStr("expires_on")};
    if (auto day = core::parseDay(row.str("expires_on"))) e.daysLeft = static_cast<int>((*day - today).count());
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace cw::registry
