#pragma once
// Plain types of the inspection draws (双随机、一公开): item list, inspector directory, plans, tasks, draws and
// results. No database or HTTP types here.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cw/core/result.hpp"

namespace cw::draws {

/// Check methods (检查方式) of domain-rules section 1.
inline const std::vector<std::string> kCheckMethods{"site", "document", "adopt", "testing", "online", "entrusted"};
/// Result codes of the provincial platform; docs/draws.md gives the labels.
inline const std::vector<std::string> kResultCodes{"1", "A", "E", "F", "7", "8", "9", "10", "11", "12"};
/// Reasons that accompany result code A (发现问题待后续处理).
inline const std::vector<std::string> kProblemReasons{"2", "B", "C", "6", "D", "3", "4", "5"};
/// Follow-up (后续处置) after a result.
inline const std::vector<std::string> kFollowups{"none", "routine", "order_correction", "transfer", "notify"};
/// Risk grades a ratio is set for, lowest risk first.
inline const std::vector<std::string> kGrades{"A", "B", "C", "D"};
/// Stratification dimensions, in the order they appear in a stratum key.
inline const std::vector<std::string> kStrataDimensions{"region", "kind", "grade"};

struct InspectionItem {
  std::string code;
  std::string name;
  std::string departmentCode;
  std::string legalBasis;
  std::vector<std::string> kinds;
  std::vector<std::string> checkMethods;
  bool active = true;
};

struct Inspector {
  std::int64_t id = 0;
  std::string code;  // public id in draw records
  std::optional<std::int64_t> userId;
  std::string name;
  std::string departmentCode;
  std::string regionCode;
  std::string regionName;
  std::optional<std::string> certificateNo;
  std::string memberKind;  // enforcement | expert
  std::string status;      // active | on_leave | retired
  std::string expertise;
};

struct Conflict {
  std::int64_t id = 0;
  std::int64_t inspectorId = 0;
  std::int64_t institutionId = 0;
  std::string institutionName;
  std::string creditCode;
  std::string reason;
  std::string validFrom;
  std::optional<std::string> validTo;
  std::string declaredAt;
};

/// A special list of the entity directory: key supervision (重点监管) or complaint-driven (投诉举报).
struct SpecialList {
  std::string code;
  std::string name;
  std::string kind;  // key_supervision | complaint
  std::int64_t members = 0;
};

struct ListMember {
  std::int64_t institutionId = 0;
  std::string creditCode;
  std::string name;
  std::string reason;
  std::string addedAt;
};

struct Plan {
  std::int64_t id = 0;
  int year = 0;
  std::string title;
  std::string departmentCode;
  std::string createdAt;
};

struct DepartmentRequirement {
  std::string departmentCode;
  int perEntity = 1;
  std::string state;  // open | closed (the per-department subtask)
};

/// What an officer writes for a task; validated by validateTask.
struct TaskInput {
  std::int64_t planId = 0;
  std::string title;
  std::string regionCode;
  std::vector<std::string> kinds;
  std::vector<std::string> filingStates{"filed"};
  std::optional<std::string> specialListCode;
  std::vector<std::string> strataBy{"region", "kind", "grade"};
  std::map<std::string, std::int64_t> gradeRatios;  // basis points per grade
  std::map<std::string, std::int64_t> stratumCounts;  // optional fixed counts by stratum key
  std::string windowStart;
  std::string windowEnd;
  bool joint = false;
  bool crossJurisdiction = false;
  int capSlack = 1;
  std::string beaconSource;
  std::optional<std::int64_t> previousTaskId;
  std::vector<std::string> itemCodes;
  std::vector<DepartmentRequirement> departments;
};

struct Task {
  std::int64_t id = 0;
  TaskInput input;
  std::string departmentCode;  // lead department (the plan's)
  std::string regionName;
  std::string state;           // draft | locked | drawn | in_progress | closed
  int planYear = 0;
  std::int64_t selectedCount = 0;
  std::optional<std::string> lockedAt;
  std::optional<std::string> drawnAt;
  std::string createdAt;
};

/// Default ratios from published provincial practice: D/high 30%, C/higher 10%, B/medium 2%, A/low 1%.
std::map<std::string, std::int64_t> defaultGradeRatios();
/// Minimum inspectors per entity over all departments (domain rule: at least 2).
inline constexpr int kMinInspectorsPerEntity = 2;

/// Checks a task's fields (not references to other rows); InvalidArgument naming the field.
core::Status validateTask(const TaskInput& task, int minPerEntity = kMinInspectorsPerEntity);

/// The stratum key of an entity under the task's stratification: the chosen dimensions' values joined by "|" in
/// the order region, kind, grade ("360402|elderly_institution|C"); "all" when the task does not stratify.
std::string stratumKey(const std::vector<std::string>& strataBy, const std::string& region, const std::string& kind,
                       const std::string& grade);

/// "1000" -> "10%", "250" -> "2.5%": how a ratio in basis points is shown.
std::string percentText(std::int64_t basisPoints);
/// "10%", "2.5%", "0.25%" (at most two decimals, 0..100%) -> basis points; InvalidArgument naming `field` otherwise.
core::Result<std::int64_t> parseRatio(const std::string& field, const std::string& text);

}  // namespace cw::draws
