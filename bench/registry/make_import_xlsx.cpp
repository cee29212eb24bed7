// Writes an .xlsx file of synthetic institutions for the import benchmark (bench/registry/run.sh): the same
// generator as `carewatch seed-demo --institutions`, columns headed with the Chinese labels the export uses.
//
// Usage: cw_registry_import_xlsx OUT.xlsx ROWS [SECTOR] [MARKER]
//   SECTOR  elderly (default) or childcare: an officer imports only the sector of its department
//   MARKER  positions 9-10 of the credit codes (default "MU"), so the rows never collide with seeded ones ("MW")

#include <charconv>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>

#include "cw/core/workdays.hpp"
#include "cw/registry/model.hpp"
#include "cw/registry/tabular.hpp"
#include "cw/server/seed_demo.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: " << argv[0] << " OUT.xlsx ROWS [elderly|childcare] [MARKER]\n";
    return 2;
  }
  std::string out = argv[1];
  std::string rowsText = argv[2];
  std::uint64_t rows = 0;
  auto [ptr, ec] = std::from_chars(rowsText.data(), rowsText.data() + rowsText.size(), rows);
  if (ec != std::errc() || ptr != rowsText.data() + rowsText.size() || rows == 0 || rows > 1'048'575) {
    std::cerr << "ROWS must be 1..1048575\n";
    return 2;
  }
  cw::server::SyntheticSpec spec;
  spec.sector = argc > 3 ? argv[3] : "elderly";
  spec.marker = argc > 4 ? argv[4] : "MU";
  if (*spec.sector != "elderly" && *spec.sector != "childcare") {
    std::cerr << "SECTOR must be elderly or childcare\n";
    return 2;
  }
  try {
    std::vector<std::string> header;
    for (const auto& field : cw::registry::institutionFields()) header.push_back(field.labelZh);
    cw::registry::XlsxWriter writer(out, "机构名录", header);
    auto today = cw::core::shanghaiDay(std::chrono::system_clock::now());
    std::vector<std::optional<std::string>> cells;
    for (std::uint64_t seq = 0; seq < rows; ++seq) {
      auto inst = cw::server::syntheticInstitution(seq, spec, today);
      cells.clear();
      for (const auto& field : cw::registry::institutionFields()) cells.push_back(inst.record.get(field.name));
      writer.addRow(cells);
    }
    writer.close();
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << '\n';
    return 1;
  }
  std::cout << out << ": " << rows << " rows\n";
  return 0;
}
