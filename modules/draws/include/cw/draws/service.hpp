#pragma once
// Use cases of the inspection draws: the item list and inspector directory, plans and tasks, the draw lifecycle
// (draft -> locked -> drawn -> in_progress -> closed) with swaps, the public record, and inspection results with
// their review and publication. Every change is written with its audit record in one transaction.
//
// Thread-safety: DrawService holds no mutable state of its own and may be shared; lock/draw/swap serialise on the
// task row (SELECT ... FOR UPDATE).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cw/audit/audit_log.hpp"
#include "cw/core/blob_store.hpp"
#include "cw/core/clock.hpp"
#include "cw/core/random.hpp"
#include "cw/core/result.hpp"
#include "cw/core/workdays.hpp"
#include "cw/db/pool.hpp"
#include "cw/draws/model.hpp"
#include "cw/draws/record.hpp"
#include "cw/http/request.hpp"

namespace cw::draws {

/// Where risk grades come from. Until the credit module plugs in, DefaultGradeProvider gives every institution one
/// configured grade; the draw never needs to change when a real provider arrives.
class GradeProvider {
 public:
  virtual ~GradeProvider() = default;
  /// The grade (A..D) of each listed institution, read on the caller's connection (inside the lock transaction).
  /// Institutions missing from the answer get defaultGrade().
  virtual std::unordered_map<std::int64_t, std::string> grades(db::Connection& connection,
                                                               const std::vector<std::int64_t>& institutionIds) = 0;
  virtual std::string defaultGrade() const = 0;
};

class DefaultGradeProvider final : public GradeProvider {
 public:
  explicit DefaultGradeProvider(std::string grade) : grade_(std::move(grade)) {}
  std::unordered_map<std::int64_t, std::string> grades(db::Connection&, const std::vector<std::int64_t>&) override {
    return {};
  }
  std::string defaultGrade() const override { return grade_; }

 private:
  std::string grade_;
};

struct DrawsConfig {
  int minPerEntity = kMinInspectorsPerEntity;
  int publishWorkingDays = 20;  // results are published within 20 working days of the inspection
  std::size_t maxEvidenceBytes = 20 * 1024 * 1024;
};

struct Evidence {
  std::string sha256;
  std::string name;
  std::string mediaType;
  std::int64_t sizeBytes = 0;
  std::string uploadedAt;
};

struct TaskFilter {
  std::optional<std::string> state;
  std::optional<int> year;
  bool publicOnly = false;  // leave out drafts
  std::int64_t offset = 0;
  std::int64_t limit = 20;
};

/// A drawn entity with its current inspectors (after swaps).
struct DrawnEntity {
  int position = 0;
  std::int64_t institutionId = 0;
  std::string creditCode;
  std::string name;
  std::string kind;
  std::string regionName;
  std::string stratum;
  struct Member {
    std::int64_t inspectorId = 0;
    std::string code;
    std::string name;
    std::string departmentCode;
  };
  std::vector<Member> inspectors;
};

struct ItemResult {
  std::string itemCode;
  std::string resultCode;
  std::string checkMethod;
  std::string note;
};

struct InspectionResult {
  std::int64_t id = 0;
  std::int64_t taskId = 0;
  std::string taskTitle;
  std::int64_t institutionId = 0;
  std::string creditCode;
  std::string institutionName;
  std::string regionName;
  std::string departmentCode;
  std::string state;  // pending | submitted | returned | rejected | published
  std::optional<std::string> resultCode;
  std::vector<std::string> problemReasons;
  std::optional<std::string> inspectedOn;
  std::optional<std::string> findings;
  std::optional<std::string> followup;
  std::optional<std::string> followupDescription;
  std::optional<std::string> followupHazardCode;
  std::optional<std::string> reviewComment;
  std::optional<std::string> publishDue;
  bool publishOverdue = false;
  std::optional<std::string> publishedAt;
  std::vector<ItemResult> items;
  std::vector<std::string> inspectors;  // inspector codes on the entity (for the inspector's own view)
  std::string windowStart;
  std::string windowEnd;
};

struct ResultInput {
  std::string resultCode;
  std::vector<std::string> problemReasons;
  std::string inspectedOn;
  std::string findings;
  std::string followup = "none";
  std::string followupDescription;
  std::optional<std::string> followupHazardCode;  // the hazard catalogue entry of an order to correct
  std::vector<ItemResult> items;
};

struct ResultFilter {
  std::optional<std::int64_t> taskId;
  std::optional<std::string> state;
  std::optional<std::string> creditCode;
  std::optional<std::string> text;  // institution name contains
  std::int64_t offset = 0;
  std::int64_t limit = 20;
};

struct CoverageRow {
  std::string regionCode;
  std::string regionName;
  std::string kind;
  std::int64_t institutions = 0;
  std::int64_t notInspected = 0;  // no published result with an inspection in the last 12 months
};

class DrawService {
 public:
  /// Called after a result is published (outside its transaction): the hazards module takes over an "order
  /// correction" follow-up at once. Set before the server starts.
  void setPublishedListener(std::function<void(std::int64_t resultId)> listener) { published_ = std::move(listener); }

  DrawService(db::Pool& pool, audit::AuditLog& audit, const core::Clock& clock, core::RandomSource& random,
              const core::WorkCalendar& calendar, const core::BlobStore& files, GradeProvider& grades,
              DrawsConfig config);

  /// Department code -> Chinese name, for lists that show departments.
  std::map<std::string, std::string> departmentNames();

  // ---- item list (抽查事项清单)
  std::vector<InspectionItem> items(bool activeOnly);
  core::Result<InspectionItem> createItem(const audit::Actor& actor, const http::Principal& who, InspectionItem item);

  // ---- inspector directory (执法检查人员名录库)
  std::pair<std::vector<Inspector>, std::int64_t> inspectors(const std::optional<std::string>& department,
                                                             const std::optional<std::string>& status,
                                                             std::int64_t offset, std::int64_t limit);
  core::Result<Inspector> createInspector(const audit::Actor& actor, const http::Principal& who, Inspector inspector);
  core::Result<Inspector> setInspectorStatus(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                             const std::string& status);
  /// An inspector declares for themself; an officer or admin may record one for any inspector.
  core::Result<Conflict> declareConflict(const audit::Actor& actor, const http::Principal& who, std::int64_t inspectorId,
                                         const std::string& creditCode, const std::string& reason,
                                         const std::string& validFrom, const std::optional<std::string>& validTo);
  core::Result<std::vector<Conflict>> conflicts(const http::Principal& who, std::int64_t inspectorId);
  /// The inspector row of a signed-in inspector, NotFound when the account has none.
  core::Result<Inspector> inspectorOf(const http::Principal& who);

  // ---- special lists of the entity directory
  std::vector<SpecialList> specialLists();
  core::Result<std::vector<ListMember>> listMembers(const std::string& code);
  /// Officers and administrators; Conflict when the institution is already on the list.
  core::Result<ListMember> addListMember(const audit::Actor& actor, const http::Principal& who, const std::string& code,
                                         const std::string& creditCode, const std::string& reason);
  core::Status removeListMember(const audit::Actor& actor, const http::Principal& who, const std::string& code,
                                std::int64_t institutionId);

  // ---- plans and tasks
  core::Result<Plan> createPlan(const audit::Actor& actor, const http::Principal& who, int year, const std::string& title);
  std::vector<Plan> plans();
  core::Result<Task> createTask(const audit::Actor& actor, const http::Principal& who, TaskInput input);
  core::Result<Task> updateTask(const audit::Actor& actor, const http::Principal& who, std::int64_t id, TaskInput input);
  core::Result<Task> task(std::int64_t id);
  std::pair<std::vector<Task>, std::int64_t> tasks(const TaskFilter& filter);

  // ---- the draw
  /// Freezes pool, inspectors and exclusions, draws the secret and publishes the commitment.
  core::Result<Task> lock(const audit::Actor& actor, const http::Principal& who, std::int64_t taskId);
  /// Reveals the secret and draws; FailedPrecondition naming the entity and department when too few inspectors are
  /// eligible, with nothing saved.
  core::Result<Task> draw(const audit::Actor& actor, const http::Principal& who, std::int64_t taskId,
                          const std::string& beaconValue);
  core::Result<Task> swap(const audit::Actor& actor, const http::Principal& who, std::int64_t taskId,
                          const std::string& creditCode, const std::string& removedCode, const std::string& addedCode,
                          const std::string& reason);
  core::Result<Task> start(const audit::Actor& actor, const http::Principal& who, std::int64_t taskId);
  core::Result<std::vector<DrawnEntity>> drawnList(std::int64_t taskId);
  /// The drawn list for a caller: staff see it; an inspector only for a task they are assigned in (else NotFound).
  core::Result<std::vector<DrawnEntity>> drawnListFor(const http::Principal& who, std::int64_t taskId);
  /// The public record; NotFound before the task is locked. The secret and seed appear only once drawn.
  core::Result<DrawRecord> record(std::int64_t taskId);
  core::Result<FrozenFiles> frozenFiles(std::int64_t taskId);
  /// Re-runs the stored draw: Ok, or FailedPrecondition with the first mismatch.
  core::Status verifyStored(std::int64_t taskId);

  // ---- results
  /// The signed-in inspector's assignments, as result rows of their department.
  core::Result<std::vector<InspectionResult>> myResults(const http::Principal& who);
  core::Result<InspectionResult> result(const http::Principal& who, std::int64_t id);
  core::Result<std::pair<std::vector<InspectionResult>, std::int64_t>> results(const http::Principal& who,
                                                                               const ResultFilter& filter);
  /// Only an inspector assigned to the entity, while the result is pending or returned.
  core::Result<InspectionResult> recordResult(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                              const ResultInput& input);
  /// A PDF, PNG, JPEG or WebP (by content) attached by an assigned inspector while the result is open.
  core::Result<Evidence> addEvidence(const audit::Actor& actor, const http::Principal& who, std::int64_t resultId,
                                     const std::string& name, const std::string& bytes);
  /// Whoever may see the result may see its evidence (an institution once published).
  core::Result<std::vector<Evidence>> evidence(const http::Principal& who, std::int64_t resultId);
  core::Result<std::pair<Evidence, std::string>> evidenceFile(const http::Principal& who, std::int64_t resultId,
                                                              const std::string& sha256);
  core::Result<InspectionResult> submitResult(const audit::Actor& actor, const http::Principal& who, std::int64_t id);
  /// decision: publish | return | reject. An officer of the result's department (or admin).
  core::Result<InspectionResult> reviewResult(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                              const std::string& decision, const std::string& comment);
  std::pair<std::vector<InspectionResult>, std::int64_t> publishedResults(const ResultFilter& filter);
  core::Result<std::vector<CoverageRow>> coverage(const std::optional<std::string>& region,
                                                  const std::optional<std::string>& kind);

 private:
  std::function<void(std::int64_t)> published_;
  db::Pool& pool_;
  audit::AuditLog& audit_;
  const core::Clock& clock_;
  core::RandomSource& random_;
  const core::WorkCalendar& calendar_;
  const core::BlobStore& files_;
  GradeProvider& grades_;
  DrawsConfig config_;
};

}  // namespace cw::draws
