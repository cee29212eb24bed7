#include "cw/db/statement_text.hpp"

#include <algorithm>

namespace cw::db {

std::string placeholders(std::size_t n) { return withInList("", "", n); }

std::string withInList(std::string_view prefix, std::string_view suffix, std::size_t n) {
  std::string sql(prefix);
  sql.reserve(prefix.size() + suffix.size() + 3 * n);
  for (std::size_t i = 0; i < n; ++i) sql += i ? ", ?" : "?";
  sql += suffix;
  return sql;
}

std::size_t paddedToPowerOfTwo(std::size_t n) {
  std::size_t padded = 1;
  while (padded < n) padded *= 2;
  return padded;
}

std::size_t chunkOf(std::size_t left, std::size_t chunk) {
  if (left >= chunk) return chunk;
  std::size_t n = 1;
  while (n * 2 <= left) n *= 2;
  return n;
}

void forEachRowWithIds(Connection& c, std::string_view prefix, std::string_view suffix,
                       const std::vector<std::int64_t>& ids, const std::function<void(const Row&)>& each) {
  constexpr std::size_t kChunk = 512;
  for (std::size_t at = 0; at < ids.size();) {
    std::size_t n = std::min(ids.size() - at, kChunk);
    std::size_t padded = paddedToPowerOfTwo(n);
    auto rows = c.queryWith(withInList(prefix, suffix, padded), [&](Binder& b) {
      for (std::size_t k = 0; k < padded; ++k) b.bind(static_cast<unsigned>(k + 1), ids[at + std::min(k, n - 1)]);
    });
    for (const auto& row : rows) each(row);
    at += n;
  }
}

}  // namespace cw::db
