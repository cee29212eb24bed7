#pragma once
// Use cases of safety hazards: reports (inspection, self-check, accepted complaint), the rectification loop with
// its four-eyes verification, extensions, deadline changes and reopening, streamed evidence uploads and
// downloads, public complaints with tracking codes, scheduled escalation of overdue hazards, and statistics.
// Every change is written with its history row, its audit record and any outbox event in one transaction.
//
// Who sees a hazard: the institution it concerns; officers of its department; inspectors of its department
// whose region contains it (or who reported it); administrators. Anyone else gets NotFound, so references and
// evidence hashes reveal nothing.
//
// Thread-safety: HazardService holds no mutable state of its own and may be shared; changes to one hazard
// serialise on its row (SELECT ... FOR UPDATE).

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "cw/audit/audit_log.hpp"
#include "cw/core/blob_store.hpp"
#include "cw/core/clock.hpp"
#include "cw/core/field_cipher.hpp"
#include "cw/core/random.hpp"
#include "cw/core/result.hpp"
#include "cw/db/pool.hpp"
#include "cw/hazards/catalogue.hpp"
#include "cw/hazards/model.hpp"
#include "cw/http/request.hpp"

namespace cw::hazards {

struct HazardsConfig {
  std::uint64_t maxFileBytes = 100ull * 1024 * 1024;       // one evidence file
  std::uint64_t maxHazardBytes = 1024ull * 1024 * 1024;    // all evidence of one hazard
  int maxFilesPerHazard = 30;
  int complaintsPerHour = 5;  // per client address
  int maxExtensionDays = 60;
};

struct EscalationReport {
  int escalated = 0;
  int majorEscalated = 0;
};

class HazardService {
 public:
  HazardService(db::Pool& pool, audit::AuditLog& audit, const core::Clock& clock, core::RandomSource& random,
                const core::BlobStore& files, const core::FieldCipher* cipher, HazardsConfig config);

  /// Writes the catalogue into hazard_catalogue (insert or update; entries no longer in it become inactive) and
  /// keeps it for lookups.
  core::Status installCatalogue(Catalogue catalogue);
  const Catalogue& catalogue() const { return catalogue_; }

  core::Result<Hazard> report(const audit::Actor& actor, const http::Principal& who, const ReportInput& input);
  core::Result<HazardPage> list(const http::Principal& who, const HazardFilter& filter);
  core::Result<HazardDetail> get(const http::Principal& who, std::int64_t id);

  core::Result<Hazard> acknowledge(const audit::Actor& actor, const http::Principal& who, std::int64_t id);
  core::Result<Hazard> requestExtension(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                        int days, const std::string& reason);
  core::Result<Hazard> decideExtension(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                       bool grant, const std::string& note);
  core::Result<Hazard> changeDeadline(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                      const std::string& deadline, const std::string& reason);
  core::Result<Hazard> submit(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                              const std::string& note);
  core::Result<Hazard> verify(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                              const std::string& note);
  core::Result<Hazard> reject(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                              const std::string& reasons);
  core::Result<Hazard> reopen(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                              const std::string& reason, std::optional<int> days);

  /// Reads a multipart/form-data body with one file part ("file") from `body` as it arrives, hashing it and
  /// writing it into the store; refuses by content type, per-file and per-hazard limits and truncation, leaving
  /// nothing behind.
  core::Result<UploadResult> uploadEvidence(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                            const std::string& contentType,
                                            std::optional<std::uint64_t> contentLength, std::istream& body);
  core::Result<EvidenceFile> evidenceFile(const http::Principal& who, const std::string& sha256);

  core::Result<Complaint> fileComplaint(const ComplaintInput& input, const std::string& clientIp);
  core::Result<ComplaintStatus> complaintStatus(const std::string& trackingCode);
  /// One page of complaints with the complainants' contacts in full (the officer calls back); every complaint
  /// whose contact is shown gets an audit record of the read (complaint.contact_read), committed with the page.
  core::Result<std::pair<std::vector<Complaint>, std::int64_t>> complaints(const audit::Actor& actor,
                                                                           const http::Principal& who,
                                                                           std::optional<std::string> state,
                                                                           std::int64_t offset, std::int64_t limit);
  /// Accepting turns the complaint into a hazard reported by the officer (the complaint's text is the starting
  /// point, the officer sets catalogue entry and title); dismissing needs a reply.
  core::Result<Complaint> handleComplaint(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                          bool accept, const std::string& reply,
                                          const std::optional<ReportInput>& report);

  /// Turns published "order correction" follow-ups of inspections into hazards (once each). Called after a result
  /// is published and by the scheduler, which catches any the first call missed.
  int takeOverFollowups(std::optional<std::int64_t> resultId = std::nullopt);
  /// Flags every hazard open past its deadline and writes its hazard.overdue event; running it again changes
  /// nothing. A submitted hazard whose evidence came in time waits for its verifier and is not overdue.
  EscalationReport escalateOverdue();

  core::Result<HazardStats> stats(const http::Principal& who, const std::optional<std::string>& region);
  HazardStats publicStats();
  std::vector<PublicHazard> publishedOverdueMajor(std::int64_t offset, std::int64_t limit);
  /// Institutions anyone may name in a complaint (name search, public fields only).
  std::vector<std::pair<std::int64_t, std::string>> findInstitutions(const std::string& text);

 private:
  db::Pool& pool_;
  audit::AuditLog& audit_;
  const core::Clock& clock_;
  core::RandomSource& random_;
  const core::BlobStore& files_;
  const core::FieldCipher* cipher_;
  HazardsConfig config_;
  Catalogue catalogue_;
};

}  // namespace cw::hazards
