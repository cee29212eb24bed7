#pragma once
// A fully read query result. Values are kept as text exactly as the server sent them (NULL as nullopt), so this
// header carries no Connector/C++ types and a Rows object outlives the connection it came from.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cw::db {

class Row {
 public:
  Row(const std::vector<std::string>* columns, std::vector<std::optional<std::string>> values);

  bool isNull(std::string_view column) const;
  /// Throws std::out_of_range for an unknown column, std::runtime_error when NULL or not a number.
  std::string str(std::string_view column) const;
  std::int64_t i64(std::string_view column) const;
  double f64(std::string_view column) const;
  bool boolean(std::string_view column) const;
  std::optional<std::string> optStr(std::string_view column) const;
  std::optional<std::int64_t> optI64(std::string_view column) const;

 private:
  const std::optional<std::string>& at(std::string_view column) const;
  const std::vector<std::string>* columns_;
  std::vector<std::optional<std::string>> values_;
};

class Rows {
 public:
  Rows() = default;
  explicit Rows(std::vector<std::string> columns);
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  Rows(Rows&&) = default;
  Rows& operator=(Rows&&) = default;

  void add(std::vector<std::optional<std::string>> values);
  std::size_t size() const { return rows_.size(); }
  const std::vector<std::string>& columns() const { return *columns_; }
  bool empty() const { return rows_.empty(); }
  const Row& operator[](std::size_t i) const { return rows_[i]; }
  std::vector<Row>::const_iterator begin() const { return rows_.begin(); }
  std::vector<Row>::const_iterator end() const { return rows_.end(); }

 private:
  // Behind a pointer so that the Row objects' pointer to the column names survives a move of Rows.
  std::unique_ptr<std::vector<std::string>> columns_ = std::make_unique<std::vector<std::string>>();
  std::vector<Row> rows_;
};

}  // namespace cw::db
