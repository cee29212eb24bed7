#pragma once
// SQL of the draws module. Every function runs on the caller's connection (inside its transaction, if any).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cw/core/blob_store.hpp"
#include "cw/core/clock.hpp"
#include "cw/core/workdays.hpp"
#include "cw/db/pool.hpp"
#include "cw/draws/service.hpp"

namespace cw::draws::repo {

std::vector<InspectionItem> loadItems(db::Connection& c, bool activeOnly);

/// The public id of inspector row `id`: "I" and six digits.
std::string inspectorCode(std::int64_t id);
std::optional<Inspector> loadInspector(db::Connection& c, std::int64_t id);
std::pair<std::vector<Inspector>, std::int64_t> loadInspectors(db::Connection& c, const std::optional<std::string>& department,
                                                               const std::optional<std::string>& status,
                                                               std::int64_t offset, std::int64_t limit);
std::vector<Conflict> loadConflicts(db::Connection& c, std::int64_t inspectorId);

/// Region, kinds, list, previous task, items and departments exist; InvalidArgument naming the field otherwise.
core::Status checkTaskReferences(db::Connection& c, const TaskInput& t);
std::int64_t insertTask(db::Connection& c, const TaskInput& t, const std::string& lead, std::int64_t userId,
                        const std::string& now);
void updateTask(db::Connection& c, std::int64_t id, const TaskInput& t, const std::string& now);
std::optional<Task> loadTask(db::Connection& c, std::int64_t id, bool forUpdate = false);
std::pair<std::vector<Task>, std::int64_t> loadTasks(db::Connection& c, const TaskFilter& filter);

struct ScopeEntity {
  std::int64_t id = 0;
  std::string creditCode;
  std::string region;
  std::string kind;
};
std::vector<ScopeEntity> loadScope(db::Connection& c, const TaskInput& t);

struct EligibleInspector {
  std::int64_t id = 0;
  std::string code;
  std::string departmentCode;
  std::string region;
};
/// Active enforcement inspectors of the departments.
std::vector<EligibleInspector> loadEligibleInspectors(db::Connection& c, const std::vector<std::string>& departments);

/// Recusal (回避) pairs: jurisdiction (cross-jurisdiction tasks), declared conflicts valid on `today`, rotation (the
/// previous task's assignments) and related parties (a declared conflict with an institution's related institution).
std::vector<ExclusionLine> computeExclusions(db::Connection& c, const Task& task, const std::vector<ScopeEntity>& scope,
                                             const std::vector<EligibleInspector>& inspectors, const std::string& today);

struct StoredDraw {
  Digests digests;
  std::string secret;  // raw
  std::string commitment;
  std::string beaconSource;
  std::optional<std::string> beaconValue;
  std::optional<std::string> seedHex;
  int capSlack = 0;
  std::vector<Stratum> strata;
  std::string lockedAt;
  std::optional<std::string> drawnAt;
};
std::optional<StoredDraw> loadDraw(db::Connection& c, std::int64_t taskId);
/// One frozen file by its digest (the empty file is never stored).
core::Result<std::string> loadFile(const core::BlobStore& files, const std::string& digest);
core::Result<FrozenFiles> loadFiles(const core::BlobStore& files, const Digests& digests);
/// Entities, assignments and one pending result per entity and department.
void saveOutcome(db::Connection& c, std::int64_t taskId, const DrawOutcome& outcome);
std::vector<DrawnEntity> loadDrawnList(db::Connection& c, std::int64_t taskId);
DrawRecord buildRecord(db::Connection& c, std::int64_t taskId, const StoredDraw& stored);

std::pair<std::vector<InspectionResult>, std::int64_t> loadResults(
    db::Connection& c, const ResultFilter& filter, std::optional<std::int64_t> inspectorId,
    const std::optional<std::string>& department, const core::WorkCalendar& calendar, const core::Clock& clock,
    std::optional<std::int64_t> institutionId = std::nullopt);
std::optional<InspectionResult> loadResult(db::Connection& c, std::int64_t id, const core::WorkCalendar& calendar,
                                           const core::Clock& clock, bool forUpdate = false);
bool isAssigned(db::Connection& c, std::int64_t userId, std::int64_t taskId, std::int64_t institutionId,
                const std::string& department);
void saveResult(db::Connection& c, std::int64_t id, const ResultInput& in, std::int64_t userId);
/// Closes the department's subtask when all its results are published, and the task when all subtasks are closed.
void closeIfComplete(db::Connection& c, std::int64_t taskId, const std::string& department, const std::string& now);
std::vector<CoverageRow> loadCoverage(db::Connection& c, const std::optional<std::string>& region,
                                      const std::optional<std::string>& kind, const std::string& since);

}  // namespace cw::draws::repo
