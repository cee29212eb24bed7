#pragma once
// Helpers shared by the credit service's translation units.

#include <optional>
#include <string>

#include "cw/credit/service.hpp"
#include "cw/db/rows.hpp"

namespace cw::credit::detail {

extern const char* const kRepairSelect;
Repair toRepair(const db::Row& row);

/// "张三" -> "张*", "九江市某某养老院" stays: personal names are masked on public pages.
std::string maskName(const std::string& name);

}  // namespace cw::credit::detail
