#pragma once
// SQL of the ratings module. Every function runs on the caller's connection (inside its transaction when it has
// one).

#include <optional>
#include <string>
#include <vector>

#include "cw/core/workdays.hpp"
#include "cw/db/pool.hpp"
#include "cw/http/request.hpp"
#include "cw/ratings/model.hpp"

namespace cw::ratings::repo {

/// The WHERE fragment (on alias g) limiting ratings to what `who` may see, parameters appended to `params`;
/// nullopt for a role that sees none.
std::optional<std::string> scopeClause(const http::Principal& who, std::vector<std::string>& params);

std::optional<Rating> load(db::Connection& c, std::int64_t id, core::Day today, bool forUpdate = false);
RatingPage list(db::Connection& c, const std::string& scope, const std::vector<std::string>& scopeParams,
                const RatingFilter& filter, core::Day today);

/// The sheet id of the institution's self-assessment, or of the evaluator with this user id on the panel.
std::optional<std::int64_t> selfSheet(db::Connection& c, std::int64_t ratingId);
std::optional<std::int64_t> panelSheetOf(db::Connection& c, std::int64_t ratingId, std::int64_t userId);
std::vector<SheetLine> lines(db::Connection& c, std::int64_t sheetId);
/// Upserts the lines of a sheet.
void saveLines(db::Connection& c, std::int64_t sheetId, const std::vector<SheetLine>& lines);
Sheet toSheet(const std::vector<SheetLine>& lines);

std::vector<PanelMember> panel(db::Connection& c, std::int64_t ratingId);
/// Every submitted panel sheet: inspector code -> lines.
std::map<std::string, std::vector<SheetLine>> panelSheets(db::Connection& c, std::int64_t ratingId);
std::vector<Challenge> challenges(db::Connection& c, std::int64_t ratingId);
std::vector<RatingEvent> events(db::Connection& c, std::int64_t ratingId);

void addEvent(db::Connection& c, std::int64_t ratingId, std::optional<std::int64_t> actorId, const std::string& action,
              const std::optional<std::string>& fromLevel, const std::optional<std::string>& toLevel,
              const std::string& note, const std::string& at, std::optional<std::int64_t> sourceEventId = std::nullopt);

}  // namespace cw::ratings::repo
