#pragma once
// Input checks shared by every module. Each returns an Error naming the field and saying why, so the API can
// show it next to the form field.

#include <string>
#include <string_view>

#include "cw/core/result.hpp"

namespace cw::core {

bool isValidUtf8(std::string_view text);
/// Number of code points; call only on valid UTF-8.
std::size_t utf8Length(std::string_view text);
/// Removes leading and trailing ASCII whitespace.
std::string trim(std::string_view text);

/// Text that must be valid UTF-8, without control characters, of minChars..maxChars code points.
Status checkText(std::string_view field, std::string_view value, std::size_t minChars, std::size_t maxChars);
/// GB/T 2260 administrative division code: six digits, optionally extended to nine (street level).
Status checkRegionCode(std::string_view field, std::string_view value);
/// A LIKE pattern for a region and everything under it: "360402" -> "360402%", "360400" -> "3604%".
std::string regionPrefix(std::string_view code);

}  // namespace cw::core
