#pragma once
// Ratings (等级评定) as the service hands them out.
//
// The process: self_assessment (the institution scores itself) -> panel (waiting for the department to assign
// or draw the expert panel) -> scoring (every evaluator scores every item) -> draft (the result is computed; the
// institution may challenge items for 10 working days, the panel answers) -> published (approved by the
// department; valid for a configured period) -> superseded (by a later published rating). Before publication a
// rating may be withdrawn.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cw/ratings/engine.hpp"
#include "cw/ratings/scheme.hpp"

namespace cw::ratings {

inline const std::vector<std::string> kStates{"self_assessment", "panel", "scoring", "draft",
                                              "published", "superseded", "withdrawn"};

struct SchemeInfo {
  std::int64_t id = 0;
  std::string code;
  std::string version;
  std::string sector;
  std::string standard;
  std::string title;
  bool active = false;
  std::string installedAt;
  std::shared_ptr<const Scheme> scheme;
};

struct Rating {
  std::int64_t id = 0;
  std::string reference;
  std::int64_t institutionId = 0;
  std::string institutionName;
  std::string creditCode;
  std::string regionCode;
  std::string regionName;
  std::string departmentCode;
  std::int64_t schemeId = 0;
  std::string schemeCode;
  std::string schemeVersion;
  std::string schemeTitle;
  std::string sector;
  std::string state;
  std::string aggregation;
  std::string openedAt;
  std::optional<std::string> selfSubmittedAt;
  std::optional<std::string> panelAssignedAt;
  std::optional<std::string> draftAt;
  std::optional<std::string> challengeDeadline;  // last day, Asia/Shanghai
  bool challengeWindowOpen = false;
  std::optional<std::string> confirmedAt;
  std::optional<std::string> publishedAt;
  std::optional<std::string> validUntil;
  std::optional<Tenths> total;
  std::optional<std::string> level;         // the computed (and, once published, published) level
  std::optional<std::string> currentLevel;  // in force: the published level or a lower one after a downgrade
  std::string levelName;                    // of currentLevel when published, else of level; "" when none
  std::string reviewState;                  // none | required
  std::optional<std::string> reviewReason;
  std::optional<int> ageDays;               // since publication
  std::optional<int> daysToExpiry;          // negative once expired
  bool expired = false;
  std::string updatedAt;
};

struct RatingFilter {
  std::optional<std::string> state;
  std::optional<std::string> region;
  std::optional<std::int64_t> institutionId;
  std::optional<int> expiringWithinDays;  // published ratings whose validity ends within n days (or has ended)
  bool reviewRequired = false;
  std::int64_t offset = 0;
  std::int64_t limit = 20;
};

struct RatingPage {
  std::vector<Rating> items;
  std::int64_t total = 0;
};

struct PanelMember {
  std::int64_t inspectorId = 0;
  std::string code;
  std::string name;
  std::string memberKind;  // enforcement | expert
  std::string expertise;
  std::string assignedHow;  // assigned | drawn
  std::optional<std::string> submittedAt;
  int answered = 0;  // lines filled in
};

struct Candidate {
  std::int64_t inspectorId = 0;
  std::string code;
  std::string name;
  std::string memberKind;
  std::string expertise;
  std::string regionCode;
  bool hasAccount = false;
  std::optional<std::string> conflict;  // declared | related: cannot sit on this panel
};

struct SheetLine {
  std::string code;
  std::optional<Tenths> points;
  std::optional<bool> passed;
  std::string note;
  std::string evidence;
};

struct SheetInput {
  std::vector<SheetLine> lines;
  bool submit = false;
};

struct Challenge {
  std::int64_t id = 0;
  std::string itemCode;
  std::string itemName;
  std::string claim;
  std::string evidence;
  std::string filedAt;
  std::optional<std::string> decision;  // upheld | dismissed
  std::optional<std::string> answer;
  std::optional<Tenths> correctedPoints;
  std::optional<bool> correctedPassed;
  std::optional<std::string> answeredBy;
  std::optional<std::string> answeredAt;
};

struct RatingEvent {
  std::int64_t id = 0;
  std::string action;
  std::optional<std::string> actor;
  std::optional<std::string> fromLevel;
  std::optional<std::string> toLevel;
  std::string note;
  std::string createdAt;
};

/// What the asking user may see of one rating.
struct RatingDetail {
  Rating rating;
  std::vector<PanelMember> panel;
  std::vector<SheetLine> selfAssessment;
  std::optional<std::vector<SheetLine>> mySheet;  // the asking evaluator's own sheet
  /// Every evaluator's sheet by inspector code: officers and administrators, once the draft exists.
  std::map<std::string, std::vector<SheetLine>> panelSheets;
  std::vector<Challenge> challenges;
  std::vector<RatingEvent> events;
  bool isEvaluator = false;
};

struct ChallengeInput {
  std::string itemCode;
  std::string claim;
  std::string evidence;
};

struct AnswerInput {
  std::string decision;  // upheld | dismissed
  std::string answer;
  std::optional<Tenths> points;
  std::optional<bool> passed;
};

/// The reasons for a rating: the engine's outcome over the final item scores, with the evaluators' notes per item
/// and the self-assessment beside them.
struct Explanation {
  Rating rating;
  std::shared_ptr<const Scheme> scheme;
  Sheet scores;                // final: aggregated, with upheld challenges applied
  Outcome outcome;
  Sheet selfAssessment;
  std::map<std::string, std::vector<std::string>> notes;  // item code -> evaluators' notes
  std::map<std::string, std::string> corrections;          // item code -> answer of an upheld challenge
};

struct LevelCount {
  std::string regionCode;
  std::string regionName;
  std::string schemeCode;
  std::string level;  // "" when published without a level
  std::int64_t count = 0;
};

struct PublicRating {
  std::int64_t institutionId = 0;
  std::string institutionName;
  std::string regionName;
  Rating rating;
  std::optional<Explanation> explanation;
};

}  // namespace cw::ratings
