#include "repository.hpp"

#include "cw/core/time.hpp"
#include "cw/db/outbox.hpp"
#include "cw/core/validation.hpp"

namespace cw::hazards::repo {

namespace {

constexpr const char* kSelect =
    "SELECT h.id, h.reference, h.institution_id, i.name AS institution_name, i.credit_code, h.region_code,"
    " r.name AS region_name, h.department_code, h.catalogue_code, c.name AS catalogue_name, h.category, h.severity,"
    " h.fire_safety, c.legal_basis, h.title, h.description, h.location, h.source, h.followup_id, h.state,"
    " h.reported_by, u.display_name AS reported_by_name, h.reported_at, h.deadline, h.original_deadline,"
    " h.deadline_reason, h.extension_state, h.extension_days, h.extension_reason, h.extension_note, h.round,"
    " h.acknowledged_at, h.submitted_at, h.verified_at, v.display_name AS verified_by_name, h.closed_on_time,"
    " h.escalated_at, h.reopen_count, h.last_rejection, h.evidence_count, h.evidence_bytes, h.updated_at"
    " FROM hazards h"
    " JOIN institutions i ON i.id = h.institution_id"
    " JOIN regions r ON r.code = h.region_code"
    " JOIN hazard_catalogue c ON c.code = h.catalogue_code"
    " JOIN users u ON u.id = h.reported_by"
    " LEFT JOIN users v ON v.id = h.verified_by";

std::optional<std::string> iso(const std::optional<std::string>& sql) {
  if (!sql) return std::nullopt;
  return core::sqlToIsoUtc(*sql);
}

Hazard fromRow(const db::Row& r, core::Day today) {
  Hazard h;
  h.id = r.i64("id");
  h.reference = r.str("reference");
  h.institutionId = r.i64("institution_id");
  h.institutionName = r.str("institution_name");
  h.creditCode = r.str("credit_code");
  h.regionCode = r.str("region_code");
  h.regionName = r.str("region_name");
  h.departmentCode = r.str("department_code");
  h.catalogueCode = r.str("catalogue_code");
  h.catalogueName = r.str("catalogue_name");
  h.category = r.str("category");
  h.severity = r.str("severity");
  h.fireSafety = r.boolean("fire_safety");
  h.legalBasis = r.str("legal_basis");
  h.title = r.str("title");
  h.description = r.str("description");
  h.location = r.str("location");
  h.source = r.str("source");
  h.followupId = r.optI64("followup_id");
  h.state = r.str("state");
  h.reportedBy = r.i64("reported_by");
  h.reportedByName = r.str("reported_by_name");
  h.reportedAt = core::sqlToIsoUtc(r.str("reported_at"));
  h.deadline = r.str("deadline");
  h.originalDeadline = r.str("original_deadline");
  h.deadlineReason = r.optStr("deadline_reason");
  h.extensionState = r.str("extension_state");
  if (auto d = r.optI64("extension_days")) h.extensionDays = static_cast<int>(*d);
  h.extensionReason = r.optStr("extension_reason");
  h.extensionNote = r.optStr("extension_note");
  h.round = static_cast<int>(r.i64("round"));
  h.acknowledgedAt = iso(r.optStr("acknowledged_at"));
  h.submittedAt = iso(r.optStr("submitted_at"));
  h.verifiedAt = iso(r.optStr("verified_at"));
  h.verifiedByName = r.optStr("verified_by_name");
  if (!r.isNull("closed_on_time")) h.closedOnTime = r.boolean("closed_on_time");
  h.escalatedAt = iso(r.optStr("escalated_at"));
  h.reopenCount = static_cast<int>(r.i64("reopen_count"));
  h.lastRejection = r.optStr("last_rejection");
  h.evidenceCount = static_cast<int>(r.i64("evidence_count"));
  h.evidenceBytes = r.i64("evidence_bytes");
  h.updatedAt = core::sqlToIsoUtc(r.str("updated_at"));
  if (auto deadline = core::parseDay(h.deadline)) {
    h.daysLeft = static_cast<int>((*deadline - today).count());
    h.overdue = isOpen(h.state) && *deadline < today;
  }
  return h;
}

}  // namespace

std::optional<std::string> scopeClause(const http::Principal& who, std::vector<std::string>& params) {
  if (who.role == "admin") return std::string("1 = 1");
  if (who.role == "officer" && who.departmentCode) {
    params.push_back(*who.departmentCode);
    return std::string("h.department_code = ?");
  }
  if (who.role == "inspector" && who.departmentCode) {
    params.push_back(*who.departmentCode);
    if (!who.regionCode) return std::string("h.department_code = ?");
    params.push_back(core::regionPrefix(*who.regionCode));
    params.push_back(std::to_string(who.userId));
    return std::string("h.department_code = ? AND (h.region_code LIKE ? OR h.reported_by = ?)");
  }
  if (who.role == "institution" && who.institutionId) {
    params.push_back(std::to_string(*who.institutionId));
    return std::string("h.institution_id = ?");
  }
  return std::nullopt;
}

bool visibleTo(const http::Principal& who, const Hazard& h) {
  if (who.role == "admin") return true;
  if (who.role == "officer") return who.departmentCode && *who.departmentCode == h.departmentCode;
  if (who.role == "inspector") {
    if (!who.departmentCode || *who.departmentCode != h.departmentCode) return false;
    if (!who.regionCode || h.reportedBy == who.userId) return true;
    std::string prefix = core::regionPrefix(*who.regionCode);
    prefix.pop_back();
    return h.regionCode.rfind(prefix, 0) == 0;
  }
  if (who.role == "institution") return who.institutionId && *who.institutionId == h.institutionId;
  return false;
}

std::optional<Hazard> load(db::Connection& c, std::int64_t id, core::Day today, bool forUpdate) {
  if (forUpdate) c.query("SELECT id FROM hazards WHERE id = ? FOR UPDATE", id);
  auto rows = c.query(std::string(kSelect) + " WHERE h.id = ?", id);
  if (rows.empty()) return std::nullopt;
  return fromRow(rows[0], today);
}

std::optional<Hazard> loadByReference(db::Connection& c, const std::string& reference, core::Day today) {
  auto rows = c.query(std::string(kSelect) + " WHERE h.reference = ?", reference);
  if (rows.empty()) return std::nullopt;
  return fromRow(rows[0], today);
}

HazardPage list(db::Connection& c, const std::string& scope, const std::vector<std::string>& scopeParams,
                const HazardFilter& f, core::Day today) {
  std::string where = scope;
  std::vector<std::string> params = scopeParams;
  std::string todayText = core::formatDay(today);
  bool joinInstitution = false;
  if (f.state) {
    if (*f.state == "open") {
      where += " AND h.state IN ('reported', 'notified', 'rectifying', 'submitted')";
    } else if (*f.state == "overdue") {
      where += " AND h.state IN ('reported', 'notified', 'rectifying', 'submitted') AND h.deadline < ?";
      params.push_back(todayText);
    } else if (*f.state == "escalated") {
      where += " AND h.state IN ('reported', 'notified', 'rectifying', 'submitted') AND h.escalated_at IS NOT NULL";
    } else {
      where += " AND h.state = ?";
      params.push_back(*f.state);
    }
  }
  if (f.severity) {
    where += " AND h.severity = ?";
    params.push_back(*f.severity);
  }
  if (f.category) {
    where += " AND h.category = ?";
    params.push_back(*f.category);
  }
  if (f.source) {
    where += " AND h.source = ?";
    params.push_back(*f.source);
  }
  if (f.region) {
    where += " AND h.region_code LIKE ?";
    params.push_back(core::regionPrefix(*f.region));
  }
  if (f.institutionId) {
    where += " AND h.institution_id = ?";
    params.push_back(std::to_string(*f.institutionId));
  }
  if (f.text) {
    if (f.text->size() == 12 && f.text->rfind("YH", 0) == 0) {
      where += " AND h.reference = ?";
      params.push_back(*f.text);
    } else {
      joinInstitution = true;
      where += " AND (i.name LIKE ? OR h.title LIKE ?)";
      std::string like = "%" + *f.text + "%";
      params.push_back(like);
      params.push_back(like);
    }
  }
  std::string from = joinInstitution ? " FROM hazards h JOIN institutions i ON i.id = h.institution_id"
                                     : " FROM hazards h";
  auto bindAll = [&](db::Binder& b, unsigned& n) {
    for (const auto& p : params) b.bind(n++, p);
  };
  HazardPage page;
  auto counted = c.queryWith("SELECT COUNT(*) AS n FROM (SELECT 1" + from + " WHERE " + where + " LIMIT " +
                                 std::to_string(HazardPage::kCountCap + 1) + ") x",
                             [&](db::Binder& b) {
                               unsigned n = 1;
                               bindAll(b, n);
                             });
  page.total = counted[0].i64("n");
  if (page.total > HazardPage::kCountCap) {
    page.total = HazardPage::kCountCap;
    page.totalCapped = true;
  }
  // The page of ids first, from the index alone; then the names for those rows only.
  auto rows = c.queryWith(std::string(kSelect) + " JOIN (SELECT h.id" + from + " WHERE " + where +
                              " ORDER BY h.id DESC LIMIT ? OFFSET ?) pg ON pg.id = h.id ORDER BY h.id DESC",
                          [&](db::Binder& b) {
                            unsigned n = 1;
                            bindAll(b, n);
                            b.bind(n++, f.limit);
                            b.bind(n++, f.offset);
                          });
  for (std::size_t i = 0; i < rows.size(); ++i) page.items.push_back(fromRow(rows[i], today));
  return page;
}

std::vector<HazardEvent> events(db::Connection& c, std::int64_t hazardId) {
  std::vector<HazardEvent> out;
  auto rows = c.query("SELECT at, actor_name, action, from_state, to_state, note FROM hazard_events"
                      " WHERE hazard_id = ? ORDER BY id",
                      hazardId);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    out.push_back({core::sqlToIsoUtc(r.str("at")), r.str("actor_name"), r.str("action"), r.optStr("from_state"),
                   r.optStr("to_state"), r.str("note")});
  }
  return out;
}

std::vector<EvidenceItem> evidence(db::Connection& c, std::int64_t hazardId) {
  std::vector<EvidenceItem> out;
  auto rows = c.query(
      "SELECT e.id, e.round, e.sha256, e.size_bytes, e.media_type, e.original_name, u.display_name AS uploaded_by,"
      " e.uploaded_at, e.taken_at, e.gps_lat, e.gps_lon FROM hazard_evidence e JOIN users u ON u.id = e.uploaded_by"
      " WHERE e.hazard_id = ? ORDER BY e.id",
      hazardId);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    EvidenceItem e;
    e.id = r.i64("id");
    e.round = static_cast<int>(r.i64("round"));
    e.sha256 = r.str("sha256");
    e.sizeBytes = r.i64("size_bytes");
    e.mediaType = r.str("media_type");
    e.originalName = r.str("original_name");
    e.uploadedBy = r.str("uploaded_by");
    e.uploadedAt = core::sqlToIsoUtc(r.str("uploaded_at"));
    e.takenAt = r.optStr("taken_at");
    if (!r.isNull("gps_lat") && !r.isNull("gps_lon")) {
      e.latitude = r.f64("gps_lat");
      e.longitude = r.f64("gps_lon");
    }
    out.push_back(std::move(e));
  }
  return out;
}

void addEvent(db::Connection& c, std::int64_t hazardId, const audit::Actor& actor, const std::string& at,
              const std::string& action, const std::optional<std::string>& from, const std::optional<std::string>& to,
              const std::string& note) {
  c.execute("INSERT INTO hazard_events (hazard_id, at, actor_id, actor_name, action, from_state, to_state, note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            hazardId, at, actor.id, actor.name.substr(0, 64), action, from, to, note);
}

void emit(db::Connection& c, const std::string& topic, std::int64_t hazardId, std::int64_t institutionId,
          const std::string& dedupKey, const std::string& payload, const std::string& at) {
  db::emitEvent(c, {0, topic, "hazard", hazardId, institutionId, dedupKey, payload, ""}, at);
}

}  // namespace cw::hazards::repo
