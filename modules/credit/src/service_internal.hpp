#pragma once
// Helpers shared by the credit service's translation units.

#include <Poco/Dynamic/Var.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>

#include "cw/credit/service.hpp"
#include "cw/db/rows.hpp"

namespace cw::credit::detail {

/// A JSON object text from name/value pairs (audit summaries, outbox payloads).
std::string json(std::initializer_list<std::pair<std::string, Poco::Dynamic::Var>> fields);

extern const char* const kRepairSelect;
Repair toRepair(const db::Row& row);

/// "张三" -> "张*", "九江市某某养老院" stays: personal names are masked on public pages.
std::string maskName(const std::string& name);

}  // namespace cw::credit::detail
