#pragma once
// The court's judgment-defaulter list (失信被执行人名单) as an officer uploads it: CSV lines
// code,name,document_no,court,decided_on,facts. Reading it is pure, so it is tested (and fuzzed) without a
// database; CreditService::importCourtList writes what it returns. Thread-safe.

#include <string>
#include <vector>

#include "cw/core/result.hpp"

namespace cw::credit {

/// One data line of the list, its six cells trimmed and checked: a valid unified social credit code, a
/// YYYY-MM-DD decided_on, no empty name, document number, court or facts.
struct CourtListLine {
  int number = 0;                  // 1-based line of the file, for messages
  std::vector<std::string> cells;  // code, name, document_no, court, decided_on, facts
};

/// Reads the whole list: CRLF or LF line ends, blank lines skipped, an optional UTF-8 byte order mark and header
/// line ("code,...") on line 1; cells split at every comma (no quoting). All lines or none: InvalidArgument with
/// field "csv" naming the first bad line, or saying the list has no rows.
core::Result<std::vector<CourtListLine>> parseCourtList(const std::string& csv);

}  // namespace cw::credit
