#pragma once
// National identifier codes: the institution's 统一社会信用代码 (unified social credit code) and a person's
// 居民身份证号码 (resident identity number). Pure functions, safe from any thread. The checkers take input
// exactly as it will be stored: normalise first (normaliseCreditCode, normaliseResidentId), then check, so that
// a lower-case letter left after normalising is reported rather than silently changed.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "cw/core/result.hpp"

namespace cw::registry {

/// 统一社会信用代码, GB 32100-2015: 18 characters from "0123456789ABCDEFGHJKLMNPQRTUWXY" (no I, O, S, V, Z);
/// position 1 registering-authority code, 2 category, 3-8 GB/T 2260 region digits, 9-17 organisation code,
/// 18 check character: weights 1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28 over positions 1..17,
/// C18 = 31 - (sum mod 31), with 31 -> '0'.
/// InvalidArgument naming `field` and the reason: wrong length, lower case, a character not in the set (with its
/// 1-based position), non-digits in the region positions, or the check character that was expected.
core::Status checkCreditCode(std::string_view field, std::string_view code);
/// The check character for the first 17 characters (for generators and tests).
/// Throws std::invalid_argument unless given exactly 17 characters from the set above.
char creditCodeCheckChar(std::string_view first17);
/// Removes surrounding ASCII whitespace and upper-cases ASCII letters: " 91350100m000100y43 " -> "91350100M000100Y43".
std::string normaliseCreditCode(std::string_view code);

/// 居民身份证号码, GB 11643-1999: 17 digits + check character (digit or 'X'); positions 1-6 region code,
/// 7-14 birth date YYYYMMDD (a real calendar date, year >= 1900, not after `today` when given),
/// 15-17 sequence, 18 check: weights 7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2 over positions 1..17,
/// sum mod 11 -> "10X98765432"[r].
/// InvalidArgument naming `field` and the reason: wrong length, a non-digit (with its 1-based position), a
/// lower-case 'x', an impossible or future birth date, or the check digit that was expected.
core::Status checkResidentId(std::string_view field, std::string_view id,
                             std::optional<std::chrono::sys_days> today = std::nullopt);
/// The check character ('0'-'9' or 'X') for the first 17 digits; throws std::invalid_argument unless given
/// exactly 17 digits.
char residentIdCheckChar(std::string_view first17);
/// Upper-cases a trailing 'x' and removes surrounding ASCII whitespace, so "36040219800101123x" is stored as
/// "...X".
std::string normaliseResidentId(std::string_view id);
/// For display and logs: "360402198001011234" -> "3604**********1234" (first 4 and last 4 kept). Any other
/// length: all but the last 4 characters starred.
std::string maskResidentId(std::string_view id);

}  // namespace cw::registry
