#pragma once
// SQL of the credit module: row mapping, entity rows, scores, list entries, tasks, the change log.

#include <optional>
#include <string>
#include <vector>

#include "cw/core/workdays.hpp"
#include "cw/credit/service.hpp"
#include "cw/db/pool.hpp"

namespace cw::credit::repo {

struct EntityRow {
  std::string code;
  std::string name;
  std::string kind;
  std::optional<std::int64_t> institutionId;
  std::optional<std::string> regionCode;
  std::optional<std::string> sector;
};

/// The entity, creating its credit_entities row from the registry when the code is an institution's. With `name`
/// set, an unknown code becomes a company. NotFound otherwise.
core::Result<EntityRow> ensureEntity(db::Connection& c, const std::string& code, const std::optional<std::string>& name,
                                     const std::string& now);
core::Result<EntityRow> ensureInstitution(db::Connection& c, std::int64_t institutionId, const std::string& now);
std::optional<EntityRow> findEntity(db::Connection& c, const std::string& code, bool forUpdate = false);
/// The supervising department of a sector (民政 elderly, 卫健 childcare).
std::optional<std::string> departmentOfSector(db::Connection& c, const std::string& sector);
std::optional<std::string> departmentName(db::Connection& c, const std::string& code);

Record toRecord(const db::Row& row, core::Day today);
std::optional<Record> loadRecord(db::Connection& c, std::int64_t id, core::Day today, bool forUpdate = false);
extern const char* const kRecordSelect;

ListEntry toEntry(const db::Row& row, core::Day today);
std::optional<ListEntry> loadEntry(db::Connection& c, std::int64_t id, core::Day today, bool forUpdate = false);
extern const char* const kEntrySelect;
/// Fills apply/lift task summaries of the entries.
void addTaskSummaries(db::Connection& c, std::vector<ListEntry>& entries, core::Day today);
std::string openKey(const std::string& listKind, const std::string& department, const std::string& entity);

Task toTask(const db::Row& row, core::Day today);
extern const char* const kTaskSelect;

std::vector<MemorandumSpec> loadMemoranda(db::Connection& c, bool activeOnly, std::optional<std::int64_t> id = {});
std::vector<Memorandum> loadMemorandumRows(db::Connection& c);

/// Writes a change for the graphs of every process (same transaction as the change).
void logChange(db::Connection& c, const std::string& kind, const std::string& ref, const std::string& now);

/// The lists the entity is on now, as graph memberships.
std::vector<Membership> memberships(db::Connection& c, const std::string& code);
/// The graph key of an institution_relations row's party (columns related_code, party_credit_code,
/// party_id_index): the related institution's or the party's credit code, or "P:" + a person's blind index.
std::optional<std::string> partyKey(const db::Row& row);
/// The entity's related parties valid on `today` (from the registry's institution_relations).
std::vector<Relation> relations(db::Connection& c, std::int64_t institutionId, const std::string& today);

std::string measuresJson(const std::vector<MeasureSpec>& measures);
std::vector<MeasureSpec> measuresFromJson(const std::string& text);

}  // namespace cw::credit::repo
