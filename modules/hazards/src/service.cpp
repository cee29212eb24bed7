#include "cw/hazards/service.hpp"

#include <Poco/JSON/Object.h>

#include <algorithm>
#include <functional>

#include "cw/core/crypto.hpp"
#include "cw/core/time.hpp"
#include "cw/core/validation.hpp"
#include "cw/core/workdays.hpp"
#include "cw/hazards/exif.hpp"
#include "cw/http/json.hpp"
#include "cw/http/multipart.hpp"
#include "repository.hpp"

namespace cw::hazards {

using core::Error;
using core::ErrorCode;

namespace {

using http::jsonText;

bool isStaff(const http::Principal& who) {
  return who.role == "admin" || who.role == "officer" || who.role == "inspector";
}

core::Status needOfficer(const http::Principal& who, const Hazard& h) {
  if (who.role == "admin" || (who.role == "officer" && who.departmentCode == h.departmentCode)) return core::Ok{};
  return Error::denied("only an officer of department " + h.departmentCode + " may do this");
}

core::Status needInstitution(const http::Principal& who, const Hazard& h) {
  if (who.role == "institution" && who.institutionId == h.institutionId) return core::Ok{};
  return Error::denied("only the institution itself may do this");
}

std::string describeBytes(std::uint64_t n) {
  if (n >= 1024ull * 1024) return std::to_string(n / (1024 * 1024)) + " MB";
  if (n >= 1024) return std::to_string(n / 1024) + " KB";
  return std::to_string(n) + " bytes";
}

// The type a file name claims by its extension: nullopt without one; "" for an extension evidence never has.
std::optional<std::string> claimedType(const std::string& name) {
  std::size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot + 1 == name.size()) return std::nullopt;
  std::string ext;
  for (char ch : name.substr(dot + 1)) ext += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "png") return "image/png";
  if (ext == "pdf") return "application/pdf";
  if (ext == "mp4" || ext == "m4v") return "video/mp4";
  return "";
}

std::string typeLabel(const std::string& type) {
  if (type == "image/jpeg") return "a JPEG photo";
  if (type == "image/png") return "a PNG image";
  if (type == "application/pdf") return "a PDF document";
  return "an MP4 video";
}

// What a refused file looks like, so the message can say more than "not allowed".
std::string guessKind(std::string_view head) {
  std::string lower;
  for (char ch : head.substr(0, 256)) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower.find("<html") != std::string::npos || lower.find("<!doctype") != std::string::npos ||
      lower.find("<script") != std::string::npos || lower.find("<svg") != std::string::npos) {
    return "HTML/SVG text";
  }
  if (head.substr(0, 2) == "MZ" || head.substr(0, 4) == "\x7f" "ELF") return "a program";
  if (head.substr(0, 4) == std::string_view("PK\x03\x04", 4)) return "a ZIP/Office file";
  if (head.size() >= 12 && head.substr(4, 4) == "ftyp") return "a video or photo format other than MP4";
  return "an unrecognised format";
}

}  // namespace

HazardService::HazardService(db::Pool& pool, audit::AuditLog& audit, const core::Clock& clock,
                             core::RandomSource& random, const core::BlobStore& files, const core::FieldCipher* cipher,
                             HazardsConfig config)
    : pool_(pool), audit_(audit), clock_(clock), random_(random), files_(files), cipher_(cipher), config_(config) {}

core::Status HazardService::installCatalogue(Catalogue catalogue) {
  catalogue_ = catalogue;  // usable for lookups even when the database write below fails
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  c.execute("UPDATE hazard_catalogue SET active = 0");
  for (const auto& e : catalogue.entries) {
    c.execute("INSERT INTO hazard_catalogue (code, category, name, name_en, applies_to, severity, rectification_days,"
              " fire_safety, legal_basis, description, catalogue_version, active)"
              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) ON DUPLICATE KEY UPDATE category = VALUES(category),"
              " name = VALUES(name), name_en = VALUES(name_en), applies_to = VALUES(applies_to),"
              " severity = VALUES(severity), rectification_days = VALUES(rectification_days),"
              " fire_safety = VALUES(fire_safety), legal_basis = VALUES(legal_basis),"
              " description = VALUES(description), catalogue_version = VALUES(catalogue_version), active = 1",
              e.code, e.category, e.name, e.nameEn, e.appliesTo, e.severity, e.rectificationDays, e.fireSafety,
              e.legalBasis, e.description, catalogue.version);
  }
  tx.commit();
  return core::Ok{};
}

// ----- reports ----------------------------------------------------------------------------------------------

namespace {

struct NewHazard {
  std::int64_t institutionId = 0;
  std::string departmentCode;
  const CatalogueEntry* entry = nullptr;
  std::string severity;
  std::string title;
  std::string description;
  std::string location;
  std::string source;
  std::optional<std::int64_t> followupId;
  std::optional<std::int64_t> complaintId;
  std::int64_t reportedBy = 0;
  std::string deadline;
  std::optional<std::string> deadlineReason;
  std::string state;
};

}  // namespace

// Validates a report and works out its deadline; the institution must exist and the entry fit its sector.
static core::Result<NewHazard> prepareReport(db::Connection& c, const Catalogue& catalogue, const ReportInput& in,
                                             core::Day today) {
  NewHazard n;
  n.entry = catalogue.find(in.catalogueCode);
  if (!n.entry) return Error::invalid("catalogue_code", "\"" + in.catalogueCode + "\" is not in the hazard catalogue");
  auto inst = c.query("SELECT i.id, i.kind, i.region_code FROM institutions i WHERE i.id = ?", in.institutionId);
  if (inst.empty()) return Error::invalid("institution_id", "institution " + std::to_string(in.institutionId) + " does not exist");
  n.institutionId = in.institutionId;
  n.severity = in.severity.value_or(n.entry->severity);
  if (std::find(kSeverities.begin(), kSeverities.end(), n.severity) == kSeverities.end()) {
    return Error::invalid("severity", "severity must be general (一般) or major (重大)");
  }
  if (auto ok = core::checkText("title", in.title, 2, 128); !ok) return ok.error();
  if (auto ok = core::checkText("description", in.description, 2, 2000); !ok) return ok.error();
  if (!in.location.empty()) {
    if (auto ok = core::checkText("location", in.location, 1, 255); !ok) return ok.error();
  }
  n.title = core::trim(in.title);
  n.description = core::trim(in.description);
  n.location = core::trim(in.location);
  core::Day defaultDeadline = today + std::chrono::days(n.entry->rectificationDays);
  n.deadline = core::formatDay(defaultDeadline);
  if (in.deadline && *in.deadline != n.deadline) {
    auto day = core::parseDay(*in.deadline);
    if (!day) return Error::invalid("deadline", "deadline must be a date YYYY-MM-DD");
    if (*day < today) return Error::invalid("deadline", "the deadline cannot be in the past");
    if (*day > today + std::chrono::days(365)) return Error::invalid("deadline", "the deadline is more than a year away");
    if (!in.deadlineReason || core::trim(*in.deadlineReason).size() < 2) {
      return Error::invalid("deadline_reason", "give the reason for a deadline other than the catalogue's " +
                                                   std::to_string(n.entry->rectificationDays) + " days");
    }
    if (auto ok = core::checkText("deadline_reason", *in.deadlineReason, 2, 512); !ok) return ok.error();
    n.deadline = *in.deadline;
    n.deadlineReason = core::trim(*in.deadlineReason);
  }
  return n;
}

static std::int64_t insertHazard(db::Connection& c, core::RandomSource& random, const NewHazard& n,
                                 const std::string& now) {
  auto inst = c.query("SELECT region_code FROM institutions WHERE id = ?", n.institutionId);
  c.execute("INSERT INTO hazards (reference, institution_id, region_code, department_code, catalogue_code, category,"
            " severity, fire_safety, title, description, location, source, followup_id, complaint_id, state,"
            " reported_by, reported_at, deadline, original_deadline, deadline_reason, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            "YH" + core::randomCode(random, 10), n.institutionId, inst[0].str("region_code"), n.departmentCode,
            n.entry->code, n.entry->category, n.severity, n.entry->fireSafety && n.severity == "major", n.title,
            n.description, n.location, n.source, n.followupId, n.complaintId, n.state, n.reportedBy, now, n.deadline,
            n.deadline, n.deadlineReason, now);
  return c.lastInsertId();
}

// The history and outbox rows of a new hazard.
static void recordNewHazard(db::Connection& c, audit::AuditLog& audit, const audit::Actor& actor, std::int64_t id,
                            const NewHazard& n, const std::string& now) {
  repo::addEvent(c, id, actor, now, "reported", std::nullopt, "reported",
                 std::string(n.source == "self_check" ? "机构自查" : n.source == "complaint" ? "投诉核实" : "监督检查") + "：" + n.title);
  if (n.state == "notified") {
    repo::addEvent(c, id, actor, now, "notified", "reported", "notified",
                   "整改期限 " + n.deadline + (n.deadlineReason ? "（" + *n.deadlineReason + "）" : ""));
  } else if (n.state == "rectifying") {
    repo::addEvent(c, id, actor, now, "acknowledged", "reported", "rectifying", "自查整改，期限 " + n.deadline);
  }
  repo::emit(c, "hazard.reported", id, n.institutionId, "hazard:" + std::to_string(id) + ":reported",
             jsonText({{"severity", n.severity}, {"category", n.entry->category}, {"catalogue_code", n.entry->code},
                   {"fire_safety", n.entry->fireSafety && n.severity == "major"}, {"source", n.source},
                   {"deadline", n.deadline}}),
             now);
  audit.append(c, actor, {"hazard.report", "hazard", std::to_string(id),
                          jsonText({{"institution_id", n.institutionId}, {"catalogue_code", n.entry->code},
                                {"severity", n.severity}, {"source", n.source}, {"deadline", n.deadline}})});
}

core::Result<Hazard> HazardService::report(const audit::Actor& actor, const http::Principal& who,
                                           const ReportInput& input) {
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  core::Day today = core::shanghaiDay(clock_.now());
  NewHazard n;
  if (who.role == "institution") {
    if (!who.institutionId || *who.institutionId != input.institutionId) {
      return Error::denied("an institution reports hazards of its own self-check only");
    }
    if (input.deadline || input.severity) {
      // The deadline and severity of a self-check come from the catalogue; the department may change them.
      ReportInput plain = input;
      plain.deadline.reset();
      plain.deadlineReason.reset();
      plain.severity.reset();
      auto prepared = prepareReport(c, catalogue_, plain, today);
      if (!prepared) return prepared.error();
      n = *prepared;
    } else {
      auto prepared = prepareReport(c, catalogue_, input, today);
      if (!prepared) return prepared.error();
      n = *prepared;
    }
    n.source = "self_check";
    n.state = "rectifying";
    auto dept = c.query("SELECT d.code FROM institutions i JOIN departments d ON d.sector = i.sector"
                        " WHERE i.id = ? ORDER BY d.sort_order LIMIT 1",
                        input.institutionId);
    if (dept.empty()) return Error::precondition("no competent department is configured for this institution");
    n.departmentCode = dept[0].str("code");
  } else if (who.role == "officer" || who.role == "inspector") {
    if (!who.departmentCode) return Error::denied("your account has no department");
    auto prepared = prepareReport(c, catalogue_, input, today);
    if (!prepared) return prepared.error();
    n = *prepared;
    n.source = "inspection";
    n.state = "notified";
    n.departmentCode = *who.departmentCode;
  } else {
    return Error::denied("the role '" + who.role + "' may not report hazards");
  }
  n.reportedBy = who.userId;
  std::string now = core::formatSqlDateTime(clock_.now());
  db::Transaction tx(c);
  std::int64_t id = insertHazard(c, random_, n, now);
  recordNewHazard(c, audit_, actor, id, n, now);
  tx.commit();
  return *repo::load(c, id, today);
}

core::Result<HazardPage> HazardService::list(const http::Principal& who, const HazardFilter& filter) {
  std::vector<std::string> params;
  auto scope = repo::scopeClause(who, params);
  if (!scope) return Error::denied("the role '" + who.role + "' does not see hazards");
  if (filter.state && *filter.state != "open" && *filter.state != "overdue" && *filter.state != "escalated" &&
      std::find(kStates.begin(), kStates.end(), *filter.state) == kStates.end()) {
    return Error::invalid("state", "unknown state \"" + *filter.state + "\"");
  }
  if (filter.severity && std::find(kSeverities.begin(), kSeverities.end(), *filter.severity) == kSeverities.end()) {
    return Error::invalid("severity", "severity is general or major");
  }
  if (filter.category && std::find(kCategories.begin(), kCategories.end(), *filter.category) == kCategories.end()) {
    return Error::invalid("category", "unknown category \"" + *filter.category + "\"");
  }
  if (filter.source && std::find(kSources.begin(), kSources.end(), *filter.source) == kSources.end()) {
    return Error::invalid("source", "source is inspection, self_check or complaint");
  }
  if (filter.region) {
    if (auto ok = core::checkRegionCode("region", *filter.region); !ok) return ok.error();
  }
  if (filter.offset + filter.limit > HazardPage::kCountCap) {
    return Error::invalid("page", "only the first 10,000 matches can be paged through; narrow the filters");
  }
  auto lease = pool_.acquire();
  return repo::list(*lease, *scope, params, filter, core::shanghaiDay(clock_.now()));
}

core::Result<HazardDetail> HazardService::get(const http::Principal& who, std::int64_t id) {
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  auto h = repo::load(c, id, core::shanghaiDay(clock_.now()));
  if (!h || !repo::visibleTo(who, *h)) return Error::notFound("hazard " + std::to_string(id) + " does not exist");
  HazardDetail d;
  d.hazard = *h;
  d.events = repo::events(c, id);
  d.evidence = repo::evidence(c, id);
  if (isStaff(who)) {
    auto t = c.query("SELECT tracking_code FROM complaints WHERE hazard_id = ?", id);
    if (!t.empty()) d.complaintTracking = t[0].str("tracking_code");
  }
  return d;
}

// ----- the loop ---------------------------------------------------------------------------------------------

namespace {

// The hazard row locked for this transaction, if `who` may see it (NotFound otherwise, revealing nothing).
core::Result<Hazard> lockVisible(db::Connection& c, const http::Principal& who, std::int64_t id, core::Day today) {
  auto h = repo::load(c, id, today, true);
  if (!h || !repo::visibleTo(who, *h)) return Error::notFound("hazard " + std::to_string(id) + " does not exist");
  return *h;
}

struct Change {
  db::Connection& c;
  const Hazard& h;
  core::Day today;
  std::string now;  // SQL DATETIME, UTC
};

// One change to one hazard: `apply` checks it against the locked row and writes it with its history, outbox and
// audit rows; everything commits together (or nothing, when apply fails) and the hazard is read back.
core::Result<Hazard> changeHazard(db::Pool& pool, const core::Clock& clock, const http::Principal& who,
                                  std::int64_t id, const std::function<core::Status(const Change&)>& apply) {
  core::Day today = core::shanghaiDay(clock.now());
  auto lease = pool.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  auto h = lockVisible(c, who, id, today);
  if (!h) return h.error();
  if (auto ok = apply(Change{c, *h, today, core::formatSqlDateTime(clock.now())}); !ok) return ok.error();
  tx.commit();
  return *repo::load(c, id, today);
}

// Verification and rejection: staff of the department, never the person who reported the hazard.
core::Status needReviewer(const http::Principal& who, const Hazard& h, const std::string& verb) {
  if (!isStaff(who)) return Error::denied("only an officer or inspector of the department may " + verb + " rectification");
  if (h.reportedBy == who.userId) {
    return Error::denied("four-eyes rule: the person who reported a hazard cannot " + verb + " its rectification");
  }
  return core::Ok{};
}

}  // namespace

core::Result<Hazard> HazardService::acknowledge(const audit::Actor& actor, const http::Principal& who,
                                                std::int64_t id) {
  return changeHazard(pool_, clock_, who, id, [&](const Change& x) -> core::Status {
    if (auto ok = needInstitution(who, x.h); !ok) return ok;
    auto next = nextState(x.h.state, Action::Acknowledge);
    if (!next) return next.error();
    x.c.execute("UPDATE hazards SET state = ?, acknowledged_at = ?, updated_at = ? WHERE id = ?", *next, x.now, x.now,
                id);
    repo::addEvent(x.c, id, actor, x.now, "acknowledged", x.h.state, *next, "");
    audit_.append(x.c, actor, {"hazard.acknowledge", "hazard", std::to_string(id), "{}"});
    return core::Ok{};
  });
}

core::Result<Hazard> HazardService::requestExtension(const audit::Actor& actor, const http::Principal& who,
                                                     std::int64_t id, int days, const std::string& reason) {
  if (days < 1 || days > config_.maxExtensionDays) {
    return Error::invalid("days", "an extension is 1 to " + std::to_string(config_.maxExtensionDays) + " days");
  }
  if (auto ok = core::checkText("reason", reason, 5, 512); !ok) return ok.error();
  return changeHazard(pool_, clock_, who, id, [&](const Change& x) -> core::Status {
    if (auto ok = needInstitution(who, x.h); !ok) return ok;
    if (x.h.state != "notified" && x.h.state != "rectifying" && x.h.state != "reported") {
      return Error::precondition("an extension can be requested only while rectifying (the hazard is " + x.h.state + ")");
    }
    if (x.h.extensionState != "none") {
      return Error::precondition("an extension can be requested once; this hazard's request was " + x.h.extensionState);
    }
    x.c.execute("UPDATE hazards SET extension_state = 'requested', extension_days = ?, extension_reason = ?,"
                " updated_at = ? WHERE id = ?",
                days, core::trim(reason), x.now, id);
    repo::addEvent(x.c, id, actor, x.now, "extension_requested", std::nullopt, std::nullopt,
                   "申请延期 " + std::to_string(days) + " 日：" + core::trim(reason));
    audit_.append(x.c, actor, {"hazard.extension.request", "hazard", std::to_string(id), jsonText({{"days", days}})});
    return core::Ok{};
  });
}

core::Result<Hazard> HazardService::decideExtension(const audit::Actor& actor, const http::Principal& who,
                                                    std::int64_t id, bool grant, const std::string& note) {
  if (!grant || !note.empty()) {
    if (auto ok = core::checkText("note", note, grant ? 1 : 2, 512); !ok) return ok.error();
  }
  return changeHazard(pool_, clock_, who, id, [&](const Change& x) -> core::Status {
    if (auto ok = needOfficer(who, x.h); !ok) return ok;
    if (x.h.extensionState != "requested") return Error::precondition("there is no pending extension request");
    if (!isOpen(x.h.state)) return Error::precondition("the hazard is already closed (" + x.h.state + ")");
    std::optional<std::string> trimmed;
    if (!note.empty()) trimmed = core::trim(note);
    std::string deadline = x.h.deadline;
    if (grant) {
      deadline = core::formatDay(*core::parseDay(x.h.deadline) + std::chrono::days(x.h.extensionDays.value_or(0)));
      // A new deadline: if it passes too, that is a new escalation.
      x.c.execute("UPDATE hazards SET extension_state = 'granted', extension_note = ?, deadline = ?,"
                  " escalated_at = NULL, updated_at = ? WHERE id = ?",
                  trimmed, deadline, x.now, id);
    } else {
      x.c.execute("UPDATE hazards SET extension_state = 'refused', extension_note = ?, updated_at = ? WHERE id = ?",
                  trimmed, x.now, id);
    }
    repo::addEvent(x.c, id, actor, x.now, grant ? "extension_granted" : "extension_refused", std::nullopt,
                   std::nullopt, grant ? "新期限 " + deadline + (trimmed ? "：" + *trimmed : "") : *trimmed);
    audit_.append(x.c, actor, {"hazard.extension.decide", "hazard", std::to_string(id),
                               jsonText({{"grant", grant}, {"deadline", deadline}})});
    return core::Ok{};
  });
}

core::Result<Hazard> HazardService::changeDeadline(const audit::Actor& actor, const http::Principal& who,
                                                   std::int64_t id, const std::string& deadline,
                                                   const std::string& reason) {
  core::Day today = core::shanghaiDay(clock_.now());
  auto day = core::parseDay(deadline);
  if (!day) return Error::invalid("deadline", "deadline must be a date YYYY-MM-DD");
  if (*day < today) return Error::invalid("deadline", "the deadline cannot be in the past");
  if (*day > today + std::chrono::days(365)) return Error::invalid("deadline", "the deadline is more than a year away");
  if (auto ok = core::checkText("reason", reason, 2, 512); !ok) return ok.error();
  return changeHazard(pool_, clock_, who, id, [&](const Change& x) -> core::Status {
    if (auto ok = needOfficer(who, x.h); !ok) return ok;
    if (!isOpen(x.h.state)) return Error::precondition("the hazard is closed; reopen it to set a new deadline");
    x.c.execute("UPDATE hazards SET deadline = ?, deadline_reason = ?, escalated_at = NULL, updated_at = ?"
                " WHERE id = ?",
                deadline, core::trim(reason), x.now, id);
    repo::addEvent(x.c, id, actor, x.now, "deadline_changed", std::nullopt, std::nullopt,
                   x.h.deadline + " → " + deadline + "：" + core::trim(reason));
    audit_.append(x.c, actor, {"hazard.deadline", "hazard", std::to_string(id),
                               jsonText({{"from", x.h.deadline}, {"to", deadline}})});
    return core::Ok{};
  });
}

core::Result<Hazard> HazardService::submit(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                           const std::string& note) {
  if (auto ok = core::checkText("note", note, 2, 1000); !ok) {
    return Error::invalid("note", "describe the rectification measures taken (2 to 1000 characters)");
  }
  return changeHazard(pool_, clock_, who, id, [&](const Change& x) -> core::Status {
    if (auto ok = needInstitution(who, x.h); !ok) return ok;
    auto next = nextState(x.h.state, Action::Submit);
    if (!next) return next.error();
    auto files = x.c.query("SELECT COUNT(*) AS n FROM hazard_evidence WHERE hazard_id = ? AND round = ?", id,
                           x.h.round);
    if (files[0].i64("n") == 0) {
      return Error::precondition("upload at least one piece of rectification evidence for this round before submitting");
    }
    x.c.execute("UPDATE hazards SET state = ?, submitted_at = ?, updated_at = ? WHERE id = ?", *next, x.now, x.now, id);
    repo::addEvent(x.c, id, actor, x.now, "submitted", x.h.state, *next, core::trim(note));
    audit_.append(x.c, actor, {"hazard.submit", "hazard", std::to_string(id), jsonText({{"round", x.h.round}})});
    return core::Ok{};
  });
}

core::Result<Hazard> HazardService::verify(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                           const std::string& note) {
  if (!note.empty()) {
    if (auto ok = core::checkText("note", note, 1, 1000); !ok) return ok.error();
  }
  return changeHazard(pool_, clock_, who, id, [&](const Change& x) -> core::Status {
    if (auto ok = needReviewer(who, x.h, "verify"); !ok) return ok;
    auto next = nextState(x.h.state, Action::Verify);
    if (!next) return next.error();
    // On time when the evidence came by the deadline, however long the verifier took.
    bool onTime = core::shanghaiDay(*core::parseIsoUtc(*x.h.submittedAt)) <= *core::parseDay(x.h.deadline);
    x.c.execute("UPDATE hazards SET state = ?, verified_at = ?, verified_by = ?, closed_on_time = ?, updated_at = ?"
                " WHERE id = ?",
                *next, x.now, who.userId, onTime, x.now, id);
    repo::addEvent(x.c, id, actor, x.now, "verified", x.h.state, *next, core::trim(note));
    repo::emit(x.c, "hazard.verified", id, x.h.institutionId,
               "hazard:" + std::to_string(id) + ":verified:" + std::to_string(x.h.reopenCount),
               jsonText({{"severity", x.h.severity}, {"category", x.h.category}, {"on_time", onTime},
                     {"deadline", x.h.deadline}, {"escalated", x.h.escalatedAt.has_value()}}),
               x.now);
    audit_.append(x.c, actor, {"hazard.verify", "hazard", std::to_string(id), jsonText({{"on_time", onTime}})});
    return core::Ok{};
  });
}

core::Result<Hazard> HazardService::reject(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                           const std::string& reasons) {
  if (auto ok = core::checkText("reasons", reasons, 2, 1000); !ok) return ok.error();
  return changeHazard(pool_, clock_, who, id, [&](const Change& x) -> core::Status {
    if (auto ok = needReviewer(who, x.h, "review"); !ok) return ok;
    auto next = nextState(x.h.state, Action::Reject);
    if (!next) return next.error();
    x.c.execute("UPDATE hazards SET state = ?, round = round + 1, last_rejection = ?, submitted_at = NULL,"
                " updated_at = ? WHERE id = ?",
                *next, core::trim(reasons), x.now, id);
    repo::addEvent(x.c, id, actor, x.now, "rejected", x.h.state, *next, core::trim(reasons));
    audit_.append(x.c, actor, {"hazard.reject", "hazard", std::to_string(id), jsonText({{"round", x.h.round}})});
    return core::Ok{};
  });
}

core::Result<Hazard> HazardService::reopen(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                           const std::string& reason, std::optional<int> days) {
  if (auto ok = core::checkText("reason", reason, 2, 1000); !ok) return ok.error();
  if (days && (*days < 1 || *days > 180)) return Error::invalid("days", "the new period is 1 to 180 days");
  return changeHazard(pool_, clock_, who, id, [&](const Change& x) -> core::Status {
    if (auto ok = needOfficer(who, x.h); !ok) return ok;
    auto next = nextState(x.h.state, Action::Reopen);
    if (!next) return next.error();
    const CatalogueEntry* entry = catalogue_.find(x.h.catalogueCode);
    int period = days.value_or(entry ? entry->rectificationDays : 30);
    std::string deadline = core::formatDay(x.today + std::chrono::days(period));
    x.c.execute("UPDATE hazards SET state = ?, round = round + 1, reopen_count = reopen_count + 1, deadline = ?,"
                " deadline_reason = ?, verified_at = NULL, verified_by = NULL, closed_on_time = NULL,"
                " submitted_at = NULL, escalated_at = NULL, extension_state = 'none', extension_days = NULL,"
                " extension_reason = NULL, extension_note = NULL, updated_at = ? WHERE id = ?",
                *next, deadline, "reopened: " + core::trim(reason).substr(0, 400), x.now, id);
    repo::addEvent(x.c, id, actor, x.now, "reopened", x.h.state, *next,
                   core::trim(reason) + "（整改期限 " + deadline + "）");
    repo::emit(x.c, "hazard.reopened", id, x.h.institutionId,
               "hazard:" + std::to_string(id) + ":reopened:" + std::to_string(x.h.reopenCount + 1),
               jsonText({{"severity", x.h.severity}, {"category", x.h.category}, {"deadline", deadline}}), x.now);
    audit_.append(x.c, actor, {"hazard.reopen", "hazard", std::to_string(id), jsonText({{"deadline", deadline}})});
    return core::Ok{};
  });
}

// ----- evidence ---------------------------------------------------------------------------------------------

core::Result<UploadResult> HazardService::uploadEvidence(const audit::Actor& actor, const http::Principal& who,
                                                         std::int64_t id, const std::string& contentType,
                                                         std::optional<std::uint64_t> contentLength,
                                                         std::istream& body) {
  core::Day today = core::shanghaiDay(clock_.now());
  // Check who and what before reading a byte of the body.
  {
    auto lease = pool_.acquire();
    auto h = repo::load(*lease, id, today);
    if (!h || !repo::visibleTo(who, *h)) return Error::notFound("hazard " + std::to_string(id) + " does not exist");
    if (auto ok = needInstitution(who, *h); !ok) return ok.error();
    if (h->state != "notified" && h->state != "rectifying" && h->state != "reported") {
      return Error::precondition("evidence can be added only while rectifying (the hazard is " + h->state + ")");
    }
    if (h->evidenceCount >= config_.maxFilesPerHazard) {
      return Error{ErrorCode::PayloadTooLarge,
                   "this hazard already has " + std::to_string(h->evidenceCount) + " files, the most allowed", "file"};
    }
  }
  auto boundary = http::multipartBoundary(contentType);
  if (!boundary) return boundary.error();
  constexpr std::uint64_t kFormOverhead = 64 * 1024;  // part headers and small fields
  if (contentLength && *contentLength > config_.maxFileBytes + kFormOverhead) {
    return Error{ErrorCode::PayloadTooLarge,
                 "the file is larger than the limit of " + describeBytes(config_.maxFileBytes) + " per file", "file"};
  }

  std::optional<core::BlobWriter> writer;
  std::string originalName;
  std::string mediaType;
  bool sawFile = false;
  bool inFile = false;
  // The type from the first bytes, and a name that does not contradict it (the verifier must not be misled):
  // decided as soon as 16 bytes are in, so a wrong file is refused before the rest of it is read.
  auto recognise = [&]() -> core::Status {
    auto type = core::sniffEvidenceType(writer->head());
    if (!type) {
      return Error::invalid("file", "\"" + originalName + "\" is " + guessKind(writer->head()) +
                                        ", not a JPEG, PNG, PDF or MP4 file (types are recognised by content, not by "
                                        "name)");
    }
    mediaType = *type;
    if (auto claimed = claimedType(originalName); claimed && *claimed != mediaType) {
      return Error::invalid("file", "\"" + originalName + "\" is " + typeLabel(mediaType) +
                                        (claimed->empty() ? std::string(", but its name has an extension evidence never has")
                                                          : ", but its name says " + typeLabel(*claimed)) +
                                        "; give it the right name (.jpg, .png, .pdf or .mp4)");
    }
    return core::Ok{};
  };
  http::MultipartParser parser(*boundary, {
      [&](const http::PartHeaders& part) -> core::Status {
        inFile = part.name == "file";
        if (!inFile) return core::Ok{};
        if (sawFile) return Error::invalid("file", "send one file per request");
        if (!part.filename || part.filename->empty()) return Error::invalid("file", "the file part has no file name");
        sawFile = true;
        originalName = *part.filename;
        if (!core::isValidUtf8(originalName) || core::utf8Length(originalName) > 255) {
          return Error::invalid("file", "the file name must be UTF-8 of at most 255 characters");
        }
        auto begun = files_.begin();
        if (!begun) return begun.error();
        writer.emplace(std::move(*begun));
        return core::Ok{};
      },
      [&](std::string_view data) -> core::Status {
        if (!inFile) return core::Ok{};  // other fields are ignored
        if (writer->size() + data.size() > config_.maxFileBytes) {
          return Error{ErrorCode::PayloadTooLarge,
                       "the file is larger than the limit of " + describeBytes(config_.maxFileBytes) + " per file",
                       "file"};
        }
        if (auto ok = writer->write(data); !ok) return ok;
        if (mediaType.empty() && writer->head().size() >= 16) return recognise();
        return core::Ok{};
      },
      [&]() -> core::Status {
        if (!inFile) return core::Ok{};
        inFile = false;
        if (writer->size() == 0) return Error::invalid("file", "\"" + originalName + "\" is empty");
        return mediaType.empty() ? recognise() : core::Ok{};
      }});

  std::vector<char> buffer(64 * 1024);
  while (body) {
    body.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    auto n = body.gcount();
    if (n <= 0) break;
    if (auto ok = parser.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n))); !ok) return ok.error();
  }
  if (auto ok = parser.finish(); !ok) return ok.error();
  if (!sawFile || !writer) return Error::invalid("file", "the form has no \"file\" part");
  PhotoMetadata meta;
  if (mediaType == "image/jpeg") meta = readPhotoMetadata(writer->head());
  auto stored = writer->commit();
  if (!stored) return stored.error();

  // The file is in the store; now the record, checked again under the row lock (another upload may have won).
  try {
    auto lease = pool_.acquire();
    db::Connection& c = *lease;
    db::Transaction tx(c);
    auto h = lockVisible(c, who, id, today);
    if (!h) throw Error(h.error());
    if (h->state != "notified" && h->state != "rectifying" && h->state != "reported") {
      throw Error::precondition("evidence can be added only while rectifying (the hazard is " + h->state + ")");
    }
    auto existing = c.query("SELECT id FROM hazard_evidence WHERE hazard_id = ? AND round = ? AND sha256 = ?", id,
                            h->round, stored->sha256);
    UploadResult result;
    if (!existing.empty()) {
      result.duplicate = true;
    } else {
      if (h->evidenceCount + 1 > config_.maxFilesPerHazard) {
        throw Error{ErrorCode::PayloadTooLarge,
                    "this hazard already has " + std::to_string(h->evidenceCount) + " files, the most allowed", "file"};
      }
      if (static_cast<std::uint64_t>(h->evidenceBytes) + stored->sizeBytes > config_.maxHazardBytes) {
        throw Error{ErrorCode::PayloadTooLarge,
                    "the evidence of one hazard is limited to " + describeBytes(config_.maxHazardBytes) + " in all; " +
                        describeBytes(config_.maxHazardBytes - std::min<std::uint64_t>(h->evidenceBytes, config_.maxHazardBytes)) +
                        " remain",
                    "file"};
      }
      std::string now = core::formatSqlDateTime(clock_.now());
      std::optional<double> lat = meta.latitude, lon = meta.longitude;
      c.execute("INSERT INTO hazard_evidence (hazard_id, round, sha256, size_bytes, media_type, original_name,"
                " uploaded_by, uploaded_at, taken_at, gps_lat, gps_lon) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                id, h->round, stored->sha256, static_cast<std::int64_t>(stored->sizeBytes), mediaType, originalName,
                who.userId, now, meta.takenAt, lat, lon);
      c.execute("UPDATE hazards SET evidence_count = evidence_count + 1, evidence_bytes = evidence_bytes + ?,"
                " updated_at = ? WHERE id = ?",
                static_cast<std::int64_t>(stored->sizeBytes), now, id);
      repo::addEvent(c, id, actor, now, "evidence_added", std::nullopt, std::nullopt,
                     originalName + " (" + mediaType + ", " + describeBytes(stored->sizeBytes) + ", sha256 " +
                         stored->sha256.substr(0, 12) + "…)");
      audit_.append(c, actor, {"hazard.evidence.add", "hazard", std::to_string(id),
                               jsonText({{"sha256", stored->sha256}, {"size", static_cast<std::int64_t>(stored->sizeBytes)},
                                     {"media_type", mediaType}, {"round", h->round}})});
    }
    tx.commit();
    for (auto& e : repo::evidence(c, id)) {
      if (e.sha256 == stored->sha256 && e.round == h->round) result.evidence = e;
    }
    return result;
  } catch (const Error& e) {
    if (stored->created) files_.remove(stored->sha256);  // nobody else can refer to content first stored just now
    return e;
  } catch (...) {
    if (stored->created) files_.remove(stored->sha256);
    throw;
  }
}

core::Result<EvidenceFile> HazardService::evidenceFile(const http::Principal& who, const std::string& sha256) {
  auto notFound = Error::notFound("no evidence " + sha256.substr(0, 64));
  if (sha256.size() != 64 || !core::hexDecode(sha256)) return notFound;
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  core::Day today = core::shanghaiDay(clock_.now());
  auto rows = c.query("SELECT hazard_id, media_type, original_name, size_bytes FROM hazard_evidence WHERE sha256 = ?"
                      " ORDER BY id",
                      sha256);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto h = repo::load(c, rows[i].i64("hazard_id"), today);
    if (!h || !repo::visibleTo(who, *h)) continue;
    if (!files_.exists(sha256)) return Error{ErrorCode::Internal, "the stored evidence file is missing", {}};
    return EvidenceFile{files_.pathOf(sha256), sha256, rows[i].str("media_type"), rows[i].str("original_name"),
                        rows[i].i64("size_bytes")};
  }
  return notFound;
}

// ----- complaints -------------------------------------------------------------------------------------------

core::Result<Complaint> HazardService::fileComplaint(const ComplaintInput& in, const std::string& clientIp) {
  if (std::find(kCategories.begin(), kCategories.end(), in.category) == kCategories.end()) {
    return Error::invalid("category", "choose what the complaint is about (category)");
  }
  if (auto ok = core::checkText("description", in.description, 10, 2000); !ok) {
    return Error::invalid("description", "describe what you saw in 10 to 2000 characters");
  }
  if (in.contact) {
    if (auto ok = core::checkText("contact", *in.contact, 5, 64); !ok) return ok.error();
    if (!cipher_) return Error{ErrorCode::Unavailable, "contact details cannot be stored on this server; leave them out", "contact"};
  }
  std::string clientKey = cipher_ ? cipher_->blindIndex(clientIp, "complaint.client")
                                  : core::sha256Hex("carewatch.complaint.client/" + clientIp);
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  auto inst = c.query("SELECT id, name FROM institutions WHERE id = ?", in.institutionId);
  if (inst.empty()) return Error::invalid("institution_id", "choose the institution the complaint is about");
  auto now = clock_.now();
  // Two requests racing from one address may both pass the check: the limit is a brake, not an exact count.
  auto recent = c.query("SELECT COUNT(*) AS n FROM complaints WHERE client_key = ? AND created_at > ?", clientKey,
                        core::formatSqlDateTime(now - std::chrono::hours(1)));
  if (recent[0].i64("n") >= config_.complaintsPerHour) {
    return Error{ErrorCode::ResourceExhausted,
                 "too many complaints from this address in the last hour (at most " +
                     std::to_string(config_.complaintsPerHour) + "); try again later",
                 {}};
  }
  std::string code = core::randomCode(random_, 16);
  std::optional<std::string> contact;
  if (in.contact) contact = cipher_->encrypt(core::trim(*in.contact), "complaint.contact");
  c.execute("INSERT INTO complaints (tracking_code, institution_id, category, description, contact_cipher, client_key,"
            " state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'received', ?)",
            code, in.institutionId, in.category, core::trim(in.description), contact, clientKey,
            core::formatSqlDateTime(now));
  std::int64_t id = c.lastInsertId();
  audit_.append(c, audit::Actor::system("公众投诉", ""),
                {"complaint.file", "complaint", std::to_string(id),
                 jsonText({{"institution_id", in.institutionId}, {"category", in.category}})});
  tx.commit();
  Complaint out;
  out.id = id;
  out.trackingCode = code;
  out.institutionId = in.institutionId;
  out.institutionName = inst[0].str("name");
  out.category = in.category;
  out.description = core::trim(in.description);
  out.state = "received";
  out.createdAt = core::formatIsoUtc(now);
  return out;
}

core::Result<ComplaintStatus> HazardService::complaintStatus(const std::string& trackingCode) {
  auto notFound = Error::notFound("no complaint has this tracking code");
  if (trackingCode.size() != 16) return notFound;
  auto lease = pool_.acquire();
  auto rows = lease->query(
      "SELECT p.tracking_code, i.name AS institution_name, p.category, p.state, p.created_at, p.handled_at, p.reply,"
      " h.state AS hazard_state, h.deadline AS hazard_deadline FROM complaints p"
      " JOIN institutions i ON i.id = p.institution_id LEFT JOIN hazards h ON h.id = p.hazard_id"
      " WHERE p.tracking_code = ?",
      trackingCode);
  if (rows.empty() || rows[0].str("tracking_code") != trackingCode) return notFound;  // collation is case-blind
  const auto& r = rows[0];
  ComplaintStatus s;
  s.trackingCode = trackingCode;
  s.institutionName = r.str("institution_name");
  s.category = r.str("category");
  s.state = r.str("state");
  s.createdAt = core::sqlToIsoUtc(r.str("created_at"));
  if (auto h = r.optStr("handled_at")) s.handledAt = core::sqlToIsoUtc(*h);
  s.reply = r.optStr("reply");
  s.hazardState = r.optStr("hazard_state");
  s.hazardDeadline = r.optStr("hazard_deadline");
  return s;
}

namespace {

// Complaints go to the competent department of the institution's sector.
constexpr const char* kComplaintScope = " JOIN departments d ON d.sector = i.sector";

Complaint complaintFromRow(const db::Row& r, const core::FieldCipher* cipher) {
  Complaint p;
  p.id = r.i64("id");
  p.trackingCode = r.str("tracking_code");
  p.institutionId = r.i64("institution_id");
  p.institutionName = r.str("institution_name");
  p.category = r.str("category");
  p.description = r.str("description");
  if (auto token = r.optStr("contact_cipher"); token && cipher) {
    auto plain = cipher->decrypt(*token, "complaint.contact");
    if (plain) p.contact = *plain;
  }
  p.state = r.str("state");
  p.hazardId = r.optI64("hazard_id");
  p.hazardReference = r.optStr("hazard_reference");
  p.hazardState = r.optStr("hazard_state");
  p.reply = r.optStr("reply");
  p.createdAt = core::sqlToIsoUtc(r.str("created_at"));
  if (auto h = r.optStr("handled_at")) p.handledAt = core::sqlToIsoUtc(*h);
  return p;
}

constexpr const char* kComplaintSelect =
    "SELECT p.id, p.tracking_code, p.institution_id, i.name AS institution_name, p.category, p.description,"
    " p.contact_cipher, p.state, p.hazard_id, h.reference AS hazard_reference, h.state AS hazard_state, p.reply,"
    " p.created_at, p.handled_at, d.code AS department_code FROM complaints p"
    " JOIN institutions i ON i.id = p.institution_id";

}  // namespace

core::Result<std::pair<std::vector<Complaint>, std::int64_t>> HazardService::complaints(
    const audit::Actor& actor, const http::Principal& who, std::optional<std::string> state, std::int64_t offset,
    std::int64_t limit) {
  if (who.role != "admin" && who.role != "officer") return Error::denied("only officers handle complaints");
  if (state && *state != "received" && *state != "accepted" && *state != "dismissed") {
    return Error::invalid("state", "state is received, accepted or dismissed");
  }
  std::string where = " WHERE 1 = 1";
  std::vector<std::string> params;
  if (who.role == "officer") {
    where += " AND d.code = ?";
    params.push_back(who.departmentCode.value_or(""));
  }
  if (state) {
    where += " AND p.state = ?";
    params.push_back(*state);
  }
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  std::string from = std::string(kComplaintScope) + " LEFT JOIN hazards h ON h.id = p.hazard_id";
  auto total = c.queryWith("SELECT COUNT(*) AS n FROM complaints p JOIN institutions i ON i.id = p.institution_id" +
                               std::string(kComplaintScope) + where,
                           [&](db::Binder& b) {
                             unsigned n = 1;
                             for (const auto& p : params) b.bind(n++, p);
                           });
  auto rows = c.queryWith(std::string(kComplaintSelect) + from + where + " ORDER BY p.id DESC LIMIT ? OFFSET ?",
                          [&](db::Binder& b) {
                            unsigned n = 1;
                            for (const auto& p : params) b.bind(n++, p);
                            b.bind(n++, limit);
                            b.bind(n++, offset);
                          });
  std::vector<Complaint> out;
  for (std::size_t i = 0; i < rows.size(); ++i) out.push_back(complaintFromRow(rows[i], cipher_));
  // A complainant's contact is personal data shown in full: who read whose is kept, as for an ID number's reveal.
  if (std::any_of(out.begin(), out.end(), [](const Complaint& p) { return p.contact.has_value(); })) {
    db::Transaction tx(c);
    for (const auto& p : out) {
      if (p.contact) {
        audit_.append(c, actor, {"complaint.contact_read", "complaint", std::to_string(p.id), "{\"field\":\"contact\"}"});
      }
    }
    tx.commit();
  }
  return std::make_pair(std::move(out), total[0].i64("n"));
}

core::Result<Complaint> HazardService::handleComplaint(const audit::Actor& actor, const http::Principal& who,
                                                       std::int64_t id, bool accept, const std::string& reply,
                                                       const std::optional<ReportInput>& report) {
  if (who.role != "admin" && who.role != "officer") return Error::denied("only officers handle complaints");
  if (!accept || !reply.empty()) {
    if (auto ok = core::checkText("reply", reply, 2, 512); !ok) return ok.error();
  }
  core::Day today = core::shanghaiDay(clock_.now());
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  db::Transaction tx(c);
  c.query("SELECT id FROM complaints WHERE id = ? FOR UPDATE", id);
  auto rows = c.query(std::string(kComplaintSelect) + kComplaintScope +
                          " LEFT JOIN hazards h ON h.id = p.hazard_id WHERE p.id = ?",
                      id);
  auto notFound = Error::notFound("complaint " + std::to_string(id) + " does not exist");
  if (rows.empty()) return notFound;
  if (who.role == "officer" && rows[0].str("department_code") != who.departmentCode.value_or("")) return notFound;
  Complaint p = complaintFromRow(rows[0], cipher_);
  if (p.state != "received") return Error::precondition("the complaint was already " + p.state);
  std::string now = core::formatSqlDateTime(clock_.now());
  std::optional<std::int64_t> hazardId;
  if (accept) {
    if (!report) return Error::invalid("hazard", "accepting a complaint needs the hazard to report");
    ReportInput in = *report;
    in.institutionId = p.institutionId;
    auto prepared = prepareReport(c, catalogue_, in, today);
    if (!prepared) return prepared.error();
    NewHazard n = *prepared;
    n.source = "complaint";
    n.state = "notified";
    n.departmentCode = rows[0].str("department_code");
    n.reportedBy = who.userId;
    n.complaintId = id;
    hazardId = insertHazard(c, random_, n, now);
    recordNewHazard(c, audit_, actor, *hazardId, n, now);
  }
  c.execute("UPDATE complaints SET state = ?, hazard_id = ?, reply = ?, handled_by = ?, handled_at = ? WHERE id = ?",
            accept ? "accepted" : "dismissed", hazardId,
            reply.empty() ? std::optional<std::string>() : std::optional<std::string>(core::trim(reply)), who.userId,
            now, id);
  audit_.append(c, actor, {"complaint.handle", "complaint", std::to_string(id),
                           jsonText({{"accept", accept}, {"hazard_id", hazardId ? Poco::Dynamic::Var(*hazardId) : Poco::Dynamic::Var()}})});
  tx.commit();
  auto again = c.query(std::string(kComplaintSelect) + kComplaintScope +
                           " LEFT JOIN hazards h ON h.id = p.hazard_id WHERE p.id = ?",
                       id);
  return complaintFromRow(again[0], cipher_);
}

// ----- scheduled work ---------------------------------------------------------------------------------------

int HazardService::takeOverFollowups(std::optional<std::int64_t> resultId) {
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  std::string sql =
      "SELECT f.id FROM inspection_followups f JOIN inspection_results r ON r.id = f.result_id"
      " WHERE f.followup_kind = 'order_correction' AND f.state = 'open' AND r.state = 'published'";
  auto ids = resultId ? c.query(sql + " AND r.id = ?", *resultId) : c.query(sql + " ORDER BY f.id LIMIT 500");
  int taken = 0;
  core::Day today = core::shanghaiDay(clock_.now());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    std::int64_t followupId = ids[i].i64("id");
    db::Transaction tx(c);
    auto rows = c.query(
        "SELECT f.id, f.institution_id, f.description, f.hazard_code, f.state, r.department_code, r.recorded_by,"
        " r.reviewed_by, r.task_id FROM inspection_followups f JOIN inspection_results r ON r.id = f.result_id"
        " WHERE f.id = ? FOR UPDATE",
        followupId);
    if (rows.empty() || rows[0].str("state") != "open") continue;  // another process took it
    const auto& f = rows[0];
    const CatalogueEntry* entry = catalogue_.find(f.optStr("hazard_code").value_or(kGenericCode));
    if (!entry) entry = catalogue_.find(kGenericCode);
    NewHazard n;
    n.institutionId = f.i64("institution_id");
    n.departmentCode = f.str("department_code");
    n.entry = entry;
    n.severity = entry->severity;
    n.title = entry->code == kGenericCode ? std::string("检查责令整改") : entry->name;
    n.description = f.str("description");
    n.source = "inspection";
    n.followupId = followupId;
    n.state = "notified";
    n.reportedBy = f.optI64("recorded_by").value_or(f.optI64("reviewed_by").value_or(0));
    n.deadline = core::formatDay(today + std::chrono::days(entry->rectificationDays));
    std::string now = core::formatSqlDateTime(clock_.now());
    audit::Actor actor = audit::Actor::system("系统：检查结果移交", "");
    std::int64_t id = insertHazard(c, random_, n, now);
    recordNewHazard(c, audit_, actor, id, n, now);
    c.execute("UPDATE inspection_followups SET state = 'closed' WHERE id = ?", followupId);
    tx.commit();
    ++taken;
  }
  return taken;
}

EscalationReport HazardService::escalateOverdue() {
  EscalationReport report;
  core::Day today = core::shanghaiDay(clock_.now());
  std::string todayText = core::formatDay(today);
  auto lease = pool_.acquire();
  db::Connection& c = *lease;
  for (;;) {
    auto due = c.query(
        "SELECT id FROM hazards WHERE state IN ('reported', 'notified', 'rectifying', 'submitted') AND deadline < ?"
        " AND escalated_at IS NULL AND (escalated_deadline IS NULL OR escalated_deadline <> deadline)"
        " ORDER BY id LIMIT 500",
        todayText);
    for (std::size_t i = 0; i < due.size(); ++i) {
      std::int64_t id = due[i].i64("id");
      db::Transaction tx(c);
      auto h = repo::load(c, id, today, true);
      if (!h || !isOpen(h->state) || h->escalatedAt || !(*core::parseDay(h->deadline) < today)) continue;
      std::string now = core::formatSqlDateTime(clock_.now());
      if (h->state == "submitted" && h->submittedAt &&
          core::shanghaiDay(*core::parseIsoUtc(*h->submittedAt)) <= *core::parseDay(h->deadline)) {
        // Evidence came in time; it waits for its verifier. Mark it seen so the sweep does not revisit it.
        c.execute("UPDATE hazards SET escalated_deadline = deadline WHERE id = ?", id);
        tx.commit();
        continue;
      }
      bool major = h->severity == "major";
      audit::Actor actor = audit::Actor::system("系统：逾期升级", "");
      c.execute("UPDATE hazards SET escalated_at = ?, escalated_deadline = deadline, updated_at = ? WHERE id = ?", now,
                now, id);
      repo::addEvent(c, id, actor, now, "escalated", std::nullopt, std::nullopt,
                     "超过整改期限 " + h->deadline + (major ? "（重大隐患，已报送信用）" : ""));
      repo::emit(c, "hazard.overdue", id, h->institutionId, "hazard:" + std::to_string(id) + ":overdue:" + h->deadline,
                 jsonText({{"severity", h->severity}, {"category", h->category}, {"catalogue_code", h->catalogueCode},
                       {"fire_safety", h->fireSafety}, {"deadline", h->deadline}, {"state", h->state},
                       // 民发〔2019〕103号: a major fire hazard uncorrected past its deadline is a blacklist ground.
                       {"blacklist_ground", major && h->fireSafety}}),
                 now);
      audit_.append(c, actor, {"hazard.escalate", "hazard", std::to_string(id),
                               jsonText({{"deadline", h->deadline}, {"severity", h->severity}})});
      tx.commit();
      ++report.escalated;
      if (major) ++report.majorEscalated;
    }
    // Rows skipped above are marked (escalated_deadline) and not selected again; stop after the last batch.
    if (due.size() < 500) break;
  }
  return report;
}

// ----- statistics -------------------------------------------------------------------------------------------

static HazardStats computeStats(db::Connection& c, const std::string& scope, std::vector<std::string> params,
                                core::Day today) {
  HazardStats s;
  auto bind = [](const std::vector<std::string>& ps) {
    return [ps](db::Binder& b) {
      unsigned n = 1;
      for (const auto& p : ps) b.bind(n++, p);
    };
  };
  std::string open = " AND h.state IN ('reported', 'notified', 'rectifying', 'submitted')";
  std::vector<std::string> withToday = params;
  withToday.insert(withToday.begin(), core::formatDay(today));
  auto totals = c.queryWith("SELECT COUNT(*) AS open_count, COALESCE(SUM(h.deadline < ?), 0) AS overdue,"
                            " COALESCE(SUM(h.severity = 'major'), 0) AS major_open,"
                            " COALESCE(SUM(h.escalated_at IS NOT NULL), 0) AS escalated FROM hazards h WHERE " +
                                scope + open,
                            bind(withToday));
  s.open = totals[0].i64("open_count");
  s.overdue = totals[0].i64("overdue");
  s.majorOpen = totals[0].i64("major_open");
  s.escalated = totals[0].i64("escalated");
  auto byCategory = c.queryWith("SELECT h.category AS k, COUNT(*) AS n FROM hazards h WHERE " + scope + open +
                                    " GROUP BY h.category ORDER BY n DESC",
                                bind(params));
  for (std::size_t i = 0; i < byCategory.size(); ++i) {
    s.openByCategory.push_back({byCategory[i].str("k"), byCategory[i].str("k"), byCategory[i].i64("n")});
  }
  auto byRegion = c.queryWith("SELECT h.region_code AS k, MAX(r.name) AS label, COUNT(*) AS n FROM hazards h"
                              " JOIN regions r ON r.code = h.region_code WHERE " +
                                  scope + open + " GROUP BY h.region_code ORDER BY n DESC",
                              bind(params));
  for (std::size_t i = 0; i < byRegion.size(); ++i) {
    s.openByRegion.push_back({byRegion[i].str("k"), byRegion[i].str("label"), byRegion[i].i64("n")});
  }
  auto byState = c.queryWith("SELECT h.state AS k, COUNT(*) AS n FROM hazards h WHERE " + scope +
                                 " GROUP BY h.state",
                             bind(params));
  for (std::size_t i = 0; i < byState.size(); ++i) {
    s.byState.push_back({byState[i].str("k"), byState[i].str("k"), byState[i].i64("n")});
  }
  // Months in Asia/Shanghai (UTC+8, no daylight saving).
  std::vector<std::string> since = params;
  auto first = std::chrono::year_month_day(today);
  auto startMonth = std::chrono::year_month(first.year(), first.month()) - std::chrono::months(11);
  auto start = std::chrono::year_month_day(startMonth / std::chrono::day(1));
  since.push_back(core::formatDay(std::chrono::sys_days(start)) + " 00:00:00");
  auto months = c.queryWith("SELECT DATE_FORMAT(DATE_ADD(h.verified_at, INTERVAL 8 HOUR), '%Y-%m') AS m,"
                            " COUNT(*) AS closed, COALESCE(SUM(h.closed_on_time), 0) AS on_time FROM hazards h WHERE " +
                                scope +
                                " AND h.state = 'verified' AND h.verified_at >= DATE_SUB(?, INTERVAL 8 HOUR)"
                                " GROUP BY m ORDER BY m",
                            bind(since));
  std::map<std::string, MonthRow> byMonth;
  for (std::size_t i = 0; i < months.size(); ++i) {
    byMonth[months[i].str("m")] = {months[i].str("m"), months[i].i64("closed"), months[i].i64("on_time")};
  }
  for (int k = 0; k < 12; ++k) {
    auto ym = std::chrono::year_month(start.year(), start.month()) + std::chrono::months(k);
    char key[32];
    std::snprintf(key, sizeof key, "%04d-%02u", static_cast<int>(ym.year()), static_cast<unsigned>(ym.month()));
    auto it = byMonth.find(key);
    s.months.push_back(it != byMonth.end() ? it->second : MonthRow{key, 0, 0});
  }
  return s;
}

core::Result<HazardStats> HazardService::stats(const http::Principal& who, const std::optional<std::string>& region) {
  std::vector<std::string> params;
  auto scope = repo::scopeClause(who, params);
  if (!scope) return Error::denied("the role '" + who.role + "' does not see hazards");
  std::string where = *scope;
  if (region) {
    if (auto ok = core::checkRegionCode("region", *region); !ok) return ok.error();
    where += " AND h.region_code LIKE ?";
    params.push_back(core::regionPrefix(*region));
  }
  auto lease = pool_.acquire();
  return computeStats(*lease, where, params, core::shanghaiDay(clock_.now()));
}

HazardStats HazardService::publicStats() {
  auto lease = pool_.acquire();
  return computeStats(*lease, "1 = 1", {}, core::shanghaiDay(clock_.now()));
}

std::vector<PublicHazard> HazardService::publishedOverdueMajor(std::int64_t offset, std::int64_t limit) {
  auto lease = pool_.acquire();
  core::Day today = core::shanghaiDay(clock_.now());
  auto rows = lease->query(
      "SELECT h.reference, i.name AS institution_name, r.name AS region_name, h.category, c.name AS catalogue_name,"
      " h.deadline FROM hazards h JOIN institutions i ON i.id = h.institution_id JOIN regions r ON r.code ="
      " h.region_code JOIN hazard_catalogue c ON c.code = h.catalogue_code"
      " WHERE h.severity = 'major' AND h.escalated_at IS NOT NULL"
      " AND h.state IN ('reported', 'notified', 'rectifying', 'submitted') AND h.deadline < ?"
      " ORDER BY h.deadline, h.id LIMIT ? OFFSET ?",
      core::formatDay(today), limit, offset);
  std::vector<PublicHazard> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    PublicHazard p{r.str("reference"), r.str("institution_name"), r.str("region_name"), r.str("category"),
                   r.str("catalogue_name"), r.str("deadline"), 0};
    p.daysOverdue = static_cast<int>((today - *core::parseDay(p.deadline)).count());
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<std::pair<std::int64_t, std::string>> HazardService::findInstitutions(const std::string& text) {
  std::vector<std::pair<std::int64_t, std::string>> out;
  std::string q = core::trim(text);
  if (!core::isValidUtf8(q) || core::utf8Length(q) < 2 || core::utf8Length(q) > 64) return out;
  // The first two characters through the bigram index (V0005), confirmed with LIKE.
  std::size_t second = 1;
  while (second < q.size() && (static_cast<unsigned char>(q[second]) & 0xC0) == 0x80) ++second;
  std::size_t third = second + 1;
  while (third < q.size() && (static_cast<unsigned char>(q[third]) & 0xC0) == 0x80) ++third;
  std::string gram = q.substr(0, third);
  std::string like;
  for (char ch : q) {
    if (ch == '%' || ch == '_' || ch == '\\') like += '\\';
    like += ch;
  }
  auto lease = pool_.acquire();
  auto rows = lease->query("SELECT i.id, i.name FROM institution_name_grams g JOIN institutions i ON i.id ="
                           " g.institution_id WHERE g.gram = ? AND i.name LIKE ? ORDER BY i.name LIMIT 10",
                           gram, "%" + like + "%");
  for (std::size_t i = 0; i < rows.size(); ++i) out.emplace_back(rows[i].i64("id"), rows[i].str("name"));
  return out;
}

}  // namespace cw::hazards
