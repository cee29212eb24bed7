#pragma once
// Use cases of graded ratings: installing scheme versions, opening a rating, self-assessment, assigning or drawing
// the expert panel (with the draws' recusal data), score sheets, the draft with its factual-accuracy challenge
// window, answers, approval and publication, validity and reviews, explanations and what-if, statistics and the
// public view. Every change is written with its history row and audit record in one transaction, on the locked
// rating row.
//
// Who sees a rating: the institution it concerns; officers of its department; evaluators on its panel;
// administrators; the bureau once it is published. Anyone else gets NotFound, so ids reveal nothing.
//
// Thread-safety: RatingService may be shared; its only mutable state is the parsed-scheme cache behind a mutex.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cw/audit/audit_log.hpp"
#include "cw/core/clock.hpp"
#include "cw/core/random.hpp"
#include "cw/core/result.hpp"
#include "cw/core/workdays.hpp"
#include "cw/db/pool.hpp"
#include "cw/http/request.hpp"
#include "cw/ratings/model.hpp"

namespace cw::ratings {

struct RatingsConfig {
  Aggregation aggregation = Aggregation::Median;
  int minPanel = 3;
  int maxPanel = 9;
  int challengeWorkingDays = 10;
  int validityYears = 3;
  int nearExpiryDays = 90;  // the console's default "expiring soon" horizon
};

struct FollowReport {
  int events = 0;   // outbox events read
  int reviews = 0;  // ratings flagged for review
};

class RatingService {
 public:
  RatingService(db::Pool& pool, audit::AuditLog& audit, const core::Clock& clock, core::RandomSource& random,
                const core::WorkCalendar& calendar, RatingsConfig config);

  /// Writes each scheme version into rating_schemes: new versions are added, unused ones updated, and a used
  /// version whose text changed is refused (FailedPrecondition naming it: give the file a new version). Versions
  /// missing from `files` become inactive (kept for the ratings that used them).
  core::Status installSchemes(const std::vector<SchemeFile>& files);
  std::vector<SchemeInfo> schemes();
  core::Result<SchemeInfo> scheme(std::int64_t id);

  /// Opens a rating: an institution user for its own institution, or an officer of the competent department
  /// (`institutionId` required). The scheme defaults to the active one of the institution's sector. Conflict
  /// when the institution has a rating in progress.
  core::Result<Rating> open(const audit::Actor& actor, const http::Principal& who, std::optional<std::int64_t> institutionId,
                            std::optional<std::int64_t> schemeId);
  core::Result<RatingPage> list(const http::Principal& who, const RatingFilter& filter);
  core::Result<RatingDetail> get(const http::Principal& who, std::int64_t id);

  core::Result<RatingDetail> saveSelfAssessment(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                                const SheetInput& input);
  /// The department's active directory members, each marked with whether it has a sign-in account (needed to
  /// score) and any conflict with the institution.
  core::Result<std::vector<Candidate>> panelCandidates(const http::Principal& who, std::int64_t id);
  /// Assigns the named members, or draws `drawCount` at random among those without a conflict.
  core::Result<RatingDetail> assignPanel(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                         const std::vector<std::int64_t>& inspectorIds, std::optional<int> drawCount);
  /// An evaluator's sheet; submitting the last one computes the draft and opens the challenge window.
  core::Result<RatingDetail> saveScores(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                        const SheetInput& input);
  core::Result<RatingDetail> fileChallenge(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                           const ChallengeInput& input);
  core::Result<RatingDetail> answerChallenge(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                             std::int64_t challengeId, const AnswerInput& input);
  /// The institution accepts the draft before its window ends (no further challenges).
  core::Result<RatingDetail> confirmDraft(const audit::Actor& actor, const http::Principal& who, std::int64_t id);
  /// An officer of the department, not on the panel: every challenge answered and the window over or waived.
  core::Result<RatingDetail> approve(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                     const std::string& note);
  core::Result<RatingDetail> withdraw(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                      const std::string& reason);
  /// After publication: lower the level in force (`toLevel` empty = no level), or close a review keeping it.
  core::Result<RatingDetail> changeLevel(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                         bool downgrade, const std::string& toLevel, const std::string& reason);

  core::Result<Explanation> explain(const http::Principal& who, std::int64_t id);
  /// The explanation with `changes` applied over the final scores (nothing is stored).
  core::Result<Explanation> whatIf(const http::Principal& who, std::int64_t id, const Sheet& changes);

  core::Result<std::vector<LevelCount>> distribution(const http::Principal& who);
  /// The institution's rating in force (published), with its explanation; NotFound when it has none.
  core::Result<PublicRating> publicRating(std::int64_t institutionId);
  std::pair<std::vector<PublicRating>, std::int64_t> publicRatings(const std::optional<std::string>& name,
                                                                   const std::optional<std::string>& region,
                                                                   std::int64_t offset, std::int64_t limit);

  /// Follows the domain event outbox: a major hazard gone overdue (or a blacklisting) flags the institution's
  /// rating in force for review, once per event, whichever process runs it.
  FollowReport followEvents();

  const RatingsConfig& config() const { return config_; }

 private:
  struct Change;
  core::Result<RatingDetail> change(const http::Principal& who, std::int64_t id,
                                    const std::function<core::Status(const Change&)>& apply);
  std::shared_ptr<const Scheme> parsed(std::int64_t schemeId, db::Connection& c);

  db::Pool& pool_;
  audit::AuditLog& audit_;
  const core::Clock& clock_;
  core::RandomSource& random_;
  const core::WorkCalendar& calendar_;
  RatingsConfig config_;
  std::mutex cacheMutex_;
  std::map<std::pair<std::int64_t, std::string>, std::shared_ptr<const Scheme>> cache_;  // (id, sha256)
};

}  // namespace cw::ratings
