#pragma once
// Statement texts whose shape depends on a count (IN lists, multi-row inserts). Each distinct text is a prepared
// statement on every connection that runs it, so callers keep the number of shapes small: a list padded to a power
// of two, or rows written in power-of-two chunks. The text functions are pure and thread-safe.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cw/db/pool.hpp"

namespace cw::db {

/// "?, ?, ?" with `n` placeholders (n > 0).
std::string placeholders(std::size_t n);

/// "<prefix>?, ?, ?<suffix>" with `n` placeholders.
std::string withInList(std::string_view prefix, std::string_view suffix, std::size_t n);

/// The smallest power of two that is at least `n` (1 for 0): an IN list of `n` values padded with its last value.
std::size_t paddedToPowerOfTwo(std::size_t n);

/// How many rows the next multi-row statement takes: `chunk` while that many are left, else the largest power of two
/// that fits, so `left` rows are written with at most log2(chunk) + 1 statement texts.
std::size_t chunkOf(std::size_t left, std::size_t chunk);

/// Runs "<prefix>?, ?, ?<suffix>" for `ids` in lists of up to 512, each padded with its last id to a power of two
/// (IN ignores the repeats), and calls `each` for every row: at most ten statement texts whatever the count.
void forEachRowWithIds(Connection& c, std::string_view prefix, std::string_view suffix,
                       const std::vector<std::int64_t>& ids, const std::function<void(const Row&)>& each);

}  // namespace cw::db
