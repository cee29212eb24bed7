#include "cw/credit/court_list.hpp"

#include <sstream>

#include "cw/core/validation.hpp"
#include "cw/core/workdays.hpp"
#include "cw/registry/codes.hpp"

namespace cw::credit {

using core::Error;

core::Result<std::vector<CourtListLine>> parseCourtList(const std::string& csv) {
  std::vector<CourtListLine> lines;
  std::istringstream in(csv);
  std::string text;
  int number = 0;
  while (std::getline(in, text)) {
    ++number;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (core::trim(text).empty()) continue;
    // Spreadsheet programs save CSV with a UTF-8 byte order mark in front of the header.
    if (number == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
    if (number == 1 && text.rfind("code", 0) == 0) continue;  // header
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream row(text);
    while (std::getline(row, cell, ',')) cells.push_back(std::string(core::trim(cell)));
    if (cells.size() != 6) {
      return Error::invalid("csv", "line " + std::to_string(number) +
                                       ": expected 6 columns code,name,document_no,court,decided_on,facts, found " +
                                       std::to_string(cells.size()));
    }
    if (auto ok = registry::checkCreditCode("code", cells[0]); !ok) {
      return Error::invalid("csv", "line " + std::to_string(number) + ": " + ok.error().message);
    }
    if (!core::parseDay(cells[4])) {
      return Error::invalid("csv", "line " + std::to_string(number) + ": decided_on must be YYYY-MM-DD");
    }
    struct Column {
      std::size_t index;
      const char* name;
      std::size_t maxChars;
    };
    for (const Column& column : {Column{1, "name", kMaxNameChars}, Column{2, "document_no", kMaxDocumentNoChars},
                                 Column{3, "court", kMaxCourtChars}, Column{5, "facts", kMaxFactsChars}}) {
      const std::string& value = cells[column.index];
      if (value.empty()) {
        return Error::invalid("csv", "line " + std::to_string(number) + ": column " +
                                         std::to_string(column.index + 1) + " is empty");
      }
      if (auto ok = core::checkText(column.name, value, 1, column.maxChars); !ok) {
        return Error::invalid("csv", "line " + std::to_string(number) + ": " + ok.error().message);
      }
    }
    lines.push_back({number, std::move(cells)});
  }
  if (lines.empty()) return Error::invalid("csv", "the list has no rows");
  return lines;
}

}  // namespace cw::credit
