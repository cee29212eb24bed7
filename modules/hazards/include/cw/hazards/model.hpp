#pragma once
// Hazards and their closed loop (闭环):
//   reported -> notified -> rectifying -> submitted -> verified (closed)
//                               ^              |
//                               +-- rejected --+        verified -> rectifying when an officer reopens it
// Overdue is not a state: a hazard still open after its deadline is escalated (flagged, an event for credit)
// whatever step it is at, so the institution can still finish the loop.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cw/core/result.hpp"

namespace cw::hazards {

inline const std::vector<std::string> kStates{"reported", "notified", "rectifying", "submitted", "verified"};
inline const std::vector<std::string> kOpenStates{"reported", "notified", "rectifying", "submitted"};
inline const std::vector<std::string> kSources{"inspection", "self_check", "complaint"};
inline const std::vector<std::string> kSeverities{"general", "major"};

/// The loop's actions.
enum class Action { Acknowledge, Submit, Verify, Reject, Reopen };

/// The state an action leads to from `state`; FailedPrecondition naming both when the loop does not allow it.
core::Result<std::string> nextState(const std::string& state, Action action);
std::string actionName(Action action);
bool isOpen(const std::string& state);

struct Hazard {
  std::int64_t id = 0;
  std::string reference;
  std::int64_t institutionId = 0;
  std::string institutionName;
  std::string creditCode;
  std::string regionCode;
  std::string regionName;
  std::string departmentCode;
  std::string catalogueCode;
  std::string catalogueName;
  std::string category;
  std::string severity;
  bool fireSafety = false;
  std::string legalBasis;
  std::string title;
  std::string description;
  std::string location;
  std::string source;
  std::optional<std::int64_t> followupId;
  std::string state;
  std::int64_t reportedBy = 0;
  std::string reportedByName;
  std::string reportedAt;
  std::string deadline;  // YYYY-MM-DD, Asia/Shanghai
  std::string originalDeadline;
  std::optional<std::string> deadlineReason;
  std::string extensionState;
  std::optional<int> extensionDays;
  std::optional<std::string> extensionReason;
  std::optional<std::string> extensionNote;
  int round = 1;
  std::optional<std::string> acknowledgedAt;
  std::optional<std::string> submittedAt;
  std::optional<std::string> verifiedAt;
  std::optional<std::string> verifiedByName;
  std::optional<bool> closedOnTime;
  std::optional<std::string> escalatedAt;
  bool overdue = false;  // open and past the deadline today
  int daysLeft = 0;      // negative when overdue
  int reopenCount = 0;
  std::optional<std::string> lastRejection;
  int evidenceCount = 0;
  std::int64_t evidenceBytes = 0;
  std::string updatedAt;
};

struct HazardEvent {
  std::string at;
  std::string actor;
  std::string action;
  std::optional<std::string> fromState;
  std::optional<std::string> toState;
  std::string note;
};

struct EvidenceItem {
  std::int64_t id = 0;
  int round = 1;
  std::string sha256;
  std::int64_t sizeBytes = 0;
  std::string mediaType;
  std::string originalName;
  std::string uploadedBy;
  std::string uploadedAt;
  std::optional<std::string> takenAt;
  std::optional<double> latitude;
  std::optional<double> longitude;
};

struct HazardDetail {
  Hazard hazard;
  std::vector<HazardEvent> events;
  std::vector<EvidenceItem> evidence;
  std::optional<std::string> complaintTracking;  // officers only
};

struct HazardFilter {
  std::optional<std::string> state;  // a state, or "open" / "overdue" / "escalated"
  std::optional<std::string> severity;
  std::optional<std::string> category;
  std::optional<std::string> region;  // includes sub-regions
  std::optional<std::string> source;
  std::optional<std::int64_t> institutionId;
  std::optional<std::string> text;  // institution name, title or reference
  std::int64_t offset = 0;
  std::int64_t limit = 20;
};

struct HazardPage {
  static constexpr std::int64_t kCountCap = 10'000;
  std::vector<Hazard> items;
  std::int64_t total = 0;
  bool totalCapped = false;
};

struct ReportInput {
  std::int64_t institutionId = 0;
  std::string catalogueCode;
  std::optional<std::string> severity;  // default from the catalogue
  std::string title;
  std::string description;
  std::string location;
  std::optional<std::string> deadline;  // YYYY-MM-DD; default reported day + catalogue days
  std::optional<std::string> deadlineReason;  // required when the deadline is not the default
};

struct Complaint {
  std::int64_t id = 0;
  std::string trackingCode;
  std::int64_t institutionId = 0;
  std::string institutionName;
  std::string category;
  std::string description;
  std::optional<std::string> contact;  // decrypted for officers only
  std::string state;
  std::optional<std::int64_t> hazardId;
  std::optional<std::string> hazardReference;
  std::optional<std::string> hazardState;
  std::optional<std::string> reply;
  std::string createdAt;
  std::optional<std::string> handledAt;
};

struct ComplaintInput {
  std::int64_t institutionId = 0;
  std::string category;
  std::string description;
  std::optional<std::string> contact;
};

/// What anyone with the tracking code may read: nothing about the complainant.
struct ComplaintStatus {
  std::string trackingCode;
  std::string institutionName;
  std::string category;
  std::string state;
  std::string createdAt;
  std::optional<std::string> handledAt;
  std::optional<std::string> reply;
  std::optional<std::string> hazardState;
  std::optional<std::string> hazardDeadline;
};

struct EvidenceFile {
  std::string path;
  std::string sha256;
  std::string mediaType;
  std::string originalName;
  std::int64_t sizeBytes = 0;
};

struct UploadResult {
  EvidenceItem evidence;
  bool duplicate = false;  // this hazard already had the same content
};

struct CountRow {
  std::string key;
  std::string label;
  std::int64_t count = 0;
};

struct MonthRow {
  std::string month;  // YYYY-MM
  std::int64_t closed = 0;
  std::int64_t onTime = 0;
};

struct HazardStats {
  std::int64_t open = 0;
  std::int64_t overdue = 0;
  std::int64_t majorOpen = 0;
  std::int64_t escalated = 0;
  std::vector<CountRow> openByCategory;
  std::vector<CountRow> openByRegion;
  std::vector<CountRow> byState;
  std::vector<MonthRow> months;  // the last 12 months
};

/// A hazard the rules publish (an overdue major hazard): institution and hazard only, no person.
struct PublicHazard {
  std::string reference;
  std::string institutionName;
  std::string regionName;
  std::string category;
  std::string catalogueName;
  std::string deadline;
  int daysOverdue = 0;
};

}  // namespace cw::hazards
