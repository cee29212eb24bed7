#include "cw/db/rows.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace cw::db {

Row::Row(const std::vector<std::string>* columns, std::vector<std::optional<std::string>> values)
    : columns_(columns), values_(std::move(values)) {}

const std::optional<std::string>& Row::at(std::string_view column) const {
  auto it = std::find(columns_->begin(), columns_->end(), column);
  if (it == columns_->end()) throw std::out_of_range("no column '" + std::string(column) + "' in result");
  return values_[static_cast<std::size_t>(it - columns_->begin())];
}

bool Row::isNull(std::string_view column) const { return !at(column).has_value(); }

std::string Row::str(std::string_view column) const {
  const auto& v = at(column);
  if (!v) throw std::runtime_error("column '" + std::string(column) + "' is NULL");
  return *v;
}

std::optional<std::string> Row::optStr(std::string_view column) const { return at(column); }

std::int64_t Row::i64(std::string_view column) const {
  std::string text = str(column);
  std::int64_t out = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    throw std::runtime_error("column '" + std::string(column) + "' is not an integer: " + text);
  }
  return out;
}

std::optional<std::int64_t> Row::optI64(std::string_view column) const {
  if (isNull(column)) return std::nullopt;
  return i64(column);
}

double Row::f64(std::string_view column) const { return std::stod(str(column)); }

bool Row::boolean(std::string_view column) const { return i64(column) != 0; }

Rows::Rows(std::vector<std::string> columns)
    : columns_(std::make_unique<std::vector<std::string>>(std::move(columns))) {}

void Rows::add(std::vector<std::optional<std::string>> values) { rows_.emplace_back(columns_.get(), std::move(values)); }

}  // namespace cw::db
