// The institution import's reading layer: registry::readTable (CSV or XLSX, chosen by content, exactly as
// importTable calls it) and the row validation every imported row goes through (validateRecord). The rest of
// importTable needs the database (regions, existing codes, the bulk write) and is not fuzzed. Columns are matched
// by field name; the Chinese export labels are a lookup in importTable that adds nothing to fuzz.
//
// The limits are the production ones except rows and inflated bytes, which are smaller so that one input stays
// fast; the code paths that enforce them are the same.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "cw/registry/model.hpp"
#include "cw/registry/tabular.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace std::chrono;
namespace registry = cw::registry;

registry::ReadLimits fuzzLimits() {
  registry::ReadLimits limits;
  limits.maxRows = 2000;
  limits.maxUncompressedBytes = 4u << 20;
  return limits;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const registry::ReadLimits kLimits = fuzzLimits();
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  auto table = registry::readTable(bytes, kLimits);
  if (!table) return 0;

  // The shape tabular.hpp promises.
  cw::fuzz::check(table->rows.size() == table->sourceRows.size(), "one source row per data row");
  cw::fuzz::check(table->rows.size() <= kLimits.maxRows, "at most maxRows data rows");
  cw::fuzz::check(table->header.size() <= kLimits.maxColumns, "at most maxColumns columns");
  for (const auto& row : table->rows) {
    cw::fuzz::check(row.size() == table->header.size(), "every row is padded or cut to the header");
    for (const auto& cell : row) cw::fuzz::check(cell.size() <= kLimits.maxCellBytes, "no cell over maxCellBytes");
  }

  const sys_days today{year{2026} / 11 / 22};
  for (const auto& row : table->rows) {
    registry::Record record;
    for (std::size_t i = 0; i < table->header.size(); ++i) {
      if (!registry::findField(table->header[i])) continue;
      record.set(table->header[i], row[i].empty() ? std::nullopt : std::optional<std::string>(row[i]));
    }
    (void)registry::validateRecord(record, today);
  }
  return 0;
}
