#include "service_internal.hpp"

#include "cw/core/time.hpp"
#include "cw/core/validation.hpp"

namespace cw::credit::detail {

const char* const kRepairSelect =
    "SELECT p.id, p.entity_code, e.name AS entity_name, p.record_id, r.title AS record_title,"
    " r.department_code AS record_department, p.list_entry_id, p.rectification, p.pledge, p.evidence, p.state,"
    " p.applied_at, p.decided_at, p.decision_reason"
    " FROM credit_repairs p JOIN credit_entities e ON e.code = p.entity_code"
    " JOIN credit_records r ON r.id = p.record_id";

Repair toRepair(const db::Row& r) {
  Repair x;
  x.id = r.i64("id");
  x.entityCode = r.str("entity_code");
  x.entityName = r.str("entity_name");
  x.recordId = r.i64("record_id");
  x.recordTitle = r.str("record_title");
  x.recordDepartment = r.str("record_department");
  x.listEntryId = r.optI64("list_entry_id");
  x.rectification = r.str("rectification");
  x.pledge = r.str("pledge");
  x.evidence = r.optStr("evidence");
  x.state = r.str("state");
  x.appliedAt = core::sqlToIsoUtc(r.str("applied_at"));
  if (auto d = r.optStr("decided_at")) x.decidedAt = core::sqlToIsoUtc(*d);
  x.decisionReason = r.optStr("decision_reason");
  return x;
}

std::string maskName(const std::string& name) {
  // Keep the first UTF-8 character, mask the rest (names of persons are 2-4 characters).
  if (name.empty()) return name;
  std::size_t first = 1;
  unsigned char lead = static_cast<unsigned char>(name[0]);
  if (lead >= 0xF0) first = 4;
  else if (lead >= 0xE0) first = 3;
  else if (lead >= 0xC0) first = 2;
  std::size_t chars = 0;
  for (unsigned char ch : name) chars += (ch & 0xC0) != 0x80;
  return name.substr(0, first) + std::string(chars > 1 ? chars - 1 : 1, '*');
}

}  // namespace cw::credit::detail
