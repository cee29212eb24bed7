// The credit module's court judgment-defaulter list import (POST /api/v1/credit/records/import): the pure reading
// step credit::parseCourtList that CreditService::importCourtList runs before it opens a transaction. Checked: what
// it accepts is what the service then relies on (six cells, a valid code, a date, the required cells present).

#include <cstddef>
#include <cstdint>
#include <string>

#include "cw/core/workdays.hpp"
#include "cw/credit/court_list.hpp"
#include "cw/registry/codes.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string csv(reinterpret_cast<const char*>(data), size);
  auto lines = cw::credit::parseCourtList(csv);
  if (!lines) {
    cw::fuzz::check(lines.error().field == "csv", "errors name the csv field");
    return 0;
  }
  cw::fuzz::check(!lines->empty(), "an accepted list has rows");
  int previous = 0;
  for (const auto& line : *lines) {
    cw::fuzz::check(line.number > previous, "lines come in file order");
    previous = line.number;
    cw::fuzz::check(line.cells.size() == 6, "six cells");
    cw::fuzz::check(cw::registry::checkCreditCode("code", line.cells[0]).ok(), "a valid credit code");
    cw::fuzz::check(cw::core::parseDay(line.cells[4]).has_value(), "decided_on is a date");
    for (std::size_t i : {1u, 2u, 3u, 5u}) cw::fuzz::check(!line.cells[i].empty(), "required cells are present");
  }
  return 0;
}
