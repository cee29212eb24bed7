#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cw::db {

/// Splits a migration script into statements at semicolons that are outside quotes and comments. Comments are
/// kept inside statements (the server ignores them); statements that are empty or only comments are dropped.
std::vector<std::string> splitSqlScript(std::string_view script);

}  // namespace cw::db
