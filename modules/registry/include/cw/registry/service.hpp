#pragma once
// The registry's use cases: the institution directory, versions and diffs, and the filing workflow (备案) in
// which an institution submits and the competent department — civil affairs (民政) for elderly care, health
// (卫健) for childcare — accepts or returns it within a number of working days.
//
// Access (on top of each route's role list): an institution user reaches only its own institution and filings
// (anything else is NotFound, so ids reveal nothing); an officer changes only institutions of the sector its
// department supervises; every change is written with its audit record in one transaction.
//
// Thread-safety: stateless apart from injected dependencies; share freely.

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cw/audit/audit_log.hpp"
#include "cw/core/blob_store.hpp"
#include "cw/core/clock.hpp"
#include "cw/core/field_cipher.hpp"
#include "cw/core/workdays.hpp"
#include "cw/db/pool.hpp"
#include "cw/http/request.hpp"
#include "cw/registry/model.hpp"

namespace cw::registry {

struct RegistryConfig {
  int reviewWorkingDays = 20;  // 备案 review deadline
  std::size_t maxDocumentBytes = 20 * 1024 * 1024;
};

struct FilingDocument {
  std::string sha256;
  std::string name;
  std::string mediaType;
  std::int64_t sizeBytes = 0;
  std::string uploadedBy;
  std::string uploadedAt;
};

struct Institution {
  std::int64_t id = 0;
  int version = 0;
  std::string sector;
  std::string filingState;  // unfiled | filed | cancelled
  std::optional<std::string> filingNo;
  std::string regionName;
  Record record;  // legal_rep_id_number is masked
  std::string createdAt;
  std::string updatedAt;
};

struct SearchQuery {
  std::optional<std::string> text;  // substring of the name
  std::optional<std::string> creditCode;
  std::optional<std::string> region;  // a code; includes its sub-regions
  std::optional<std::string> kind;
  std::optional<std::string> sector;
  std::optional<std::string> ownership;
  std::optional<std::string> filingState;
  std::optional<std::int64_t> capacityMin;
  std::optional<std::int64_t> capacityMax;
  std::string sort = "name";  // name | capacity | updated_at | credit_code
  bool descending = false;
  std::int64_t offset = 0;
  std::int64_t limit = 20;
};

struct SearchPage {
  static constexpr std::int64_t kCountCap = 10'000;
  std::vector<Institution> items;
  std::int64_t total = 0;
  bool totalCapped = false;
};

struct Version {
  int version = 0;
  std::string source;  // filing | direct | import | seed
  std::optional<std::int64_t> filingId;
  std::optional<std::string> createdBy;
  std::string createdAt;
  Record record;
};

/// One return of a filing: kept after resubmission, so the whole review history stays visible.
struct ReviewRound {
  std::string returnedAt;
  std::string reviewer;
  std::map<std::string, std::string> reasons;
};

struct Filing {
  std::int64_t id = 0;
  std::optional<std::int64_t> institutionId;
  std::string institutionName;
  std::string creditCode;
  std::string kind;   // new | change | cancel
  std::string state;  // submitted | returned | accepted | withdrawn
  Record proposed;    // the whole record as it would become
  std::vector<FieldChange> changes;  // against the current record
  std::optional<std::string> reason;  // for a cancellation
  std::string departmentCode;
  std::string submittedBy;
  std::string submittedAt;
  std::string dueOn;
  int workingDaysLeft = 0;  // negative when overdue
  bool overdue = false;
  int submissions = 1;
  std::optional<std::string> reviewedBy;
  std::optional<std::string> reviewedAt;
  std::map<std::string, std::string> returnReasons;  // field -> reason, while returned
  std::vector<ReviewRound> rounds;                    // every return so far, oldest first
  std::optional<std::string> filingNo;
};

/// A change to a record: only fields present are changed; licences/relations replaced when flagged.
struct RecordChanges {
  Record values;
  bool licences = false;
  bool relations = false;
};

struct BatchRow {
  std::size_t row = 0;  // where the record came from, for error reports
  Record record;
};

/// Rows of an import, built on demand: an import reads each row twice (validation, then writing) and never holds
/// every record at once.
struct BatchSource {
  std::size_t size = 0;
  std::function<BatchRow(std::size_t)> at;
};

struct BatchError {
  std::size_t row = 0;
  std::string field;
  std::string message;
};

struct BatchResult {
  std::size_t imported = 0;
  std::vector<BatchError> errors;
};

struct ExpiringLicence {
  std::int64_t institutionId = 0;
  std::string institutionName;
  std::string regionCode;
  Licence licence;
  int daysLeft = 0;
};

class RegistryService {
 public:
  /// `cipher` may be null when no personal-data keys are configured: then anything that stores or reveals a
  /// resident ID number fails with FailedPrecondition naming the missing setting.
  RegistryService(db::Pool& pool, audit::AuditLog& audit, const core::Clock& clock, const core::WorkCalendar& calendar,
                  const core::FieldCipher* cipher, const core::BlobStore& files, RegistryConfig config);

  /// An officer registers an institution directly (e.g. old paper records): filed at once, audited as such.
  core::Result<Institution> registerDirect(const audit::Actor& actor, const http::Principal& who, Record record);
  /// An officer enters an institution that has not filed yet (credit code, name, kind and region only), so its
  /// account can be created and it can submit its first ("new") filing. No version exists until that filing.
  core::Result<Institution> preregister(const audit::Actor& actor, const http::Principal& who, Record record);
  core::Result<Institution> get(const http::Principal& who, std::int64_t id);
  /// One page of the directory. The total is counted up to `kCountCap`; beyond it `totalCapped` is set (the
  /// console shows "10,000+"), so a broad search never pays for counting a million rows. Only the first
  /// `kCountCap` matches can be paged through (InvalidArgument "page" beyond); forEachMatch() reads them all.
  core::Result<SearchPage> search(const http::Principal& who, const SearchQuery& query);
  /// Every match of `query` (its offset and limit ignored) in its order, at most `maxRows` (more is
  /// InvalidArgument naming the count), handed to `each` in batches without holding them all.
  core::Result<std::size_t> forEachMatch(const http::Principal& who, SearchQuery query, std::size_t maxRows,
                                         const std::function<void(const Institution&)>& each);
  /// An officer of the competent department edits directly: a new version, audited.
  core::Result<Institution> editDirect(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                       const RecordChanges& changes);
  core::Result<std::vector<Version>> versions(const http::Principal& who, std::int64_t id);
  core::Result<std::vector<FieldChange>> diff(const http::Principal& who, std::int64_t id, int from, int to);
  /// The unmasked resident ID of the legal representative: officers of the competent department only; audited.
  core::Result<std::string> revealLegalRepId(const audit::Actor& actor, const http::Principal& who, std::int64_t id);

  /// An institution user files: "new" (first filing of an unfiled institution: the whole record), "change"
  /// (the fields that change) or "cancel" (注销, with a reason).
  core::Result<Filing> submitFiling(const audit::Actor& actor, const http::Principal& who, const std::string& kind,
                                    const RecordChanges& changes, const std::optional<std::string>& reason);
  /// Corrects a returned filing and submits it again (a new review deadline).
  core::Result<Filing> resubmitFiling(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                      const RecordChanges& changes, const std::optional<std::string>& reason);
  core::Result<Filing> getFiling(const http::Principal& who, std::int64_t id);
  /// Officers: their department's filings; institution users: their own; admins: all. Oldest due first.
  core::Result<std::pair<std::vector<Filing>, std::int64_t>> listFilings(const http::Principal& who,
                                                                         const std::optional<std::string>& state,
                                                                         std::int64_t offset, std::int64_t limit);
  core::Result<Filing> acceptFiling(const audit::Actor& actor, const http::Principal& who, std::int64_t id);
  /// `reasons`: field -> what to correct (at least one).
  core::Result<Filing> returnFiling(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                    const std::map<std::string, std::string>& reasons);

  /// Attaches a document (PDF, PNG, JPEG or WebP, recognised by content; size limited) to an open filing of
  /// the caller's own institution. The same bytes are stored once.
  core::Result<FilingDocument> addFilingDocument(const audit::Actor& actor, const http::Principal& who,
                                                 std::int64_t filingId, const std::string& name,
                                                 const std::string& bytes);
  core::Result<std::vector<FilingDocument>> filingDocuments(const http::Principal& who, std::int64_t filingId);
  /// The document's description and bytes, for whoever may see the filing.
  core::Result<std::pair<FilingDocument, std::string>> filingDocument(const http::Principal& who,
                                                                      std::int64_t filingId, const std::string& sha256);

  /// Registers many records at once as filed institutions (source "import"), for an officer of the competent
  /// department. Every row is validated first; with errors and !partial nothing is written. The writing is one
  /// transaction. `progress(done, total)` reports rows written.
  core::Result<BatchResult> importBatch(const audit::Actor& actor, const http::Principal& who,
                                        const BatchSource& rows, bool partial,
                                        const std::function<void(int, int)>& progress);

  core::Result<std::vector<ExpiringLicence>> expiringLicences(const http::Principal& who, int days,
                                                              const std::optional<std::string>& region);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace cw::registry
