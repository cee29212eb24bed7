#pragma once
// The court's judgment-defaulter list (失信被执行人名单) as an officer uploads it: CSV lines
// code,name,document_no,court,decided_on,facts. Reading it is pure, so it is tested (and fuzzed) without a
// database; CreditService::importCourtList writes what it returns. Thread-safe.

#include <cstddef>
#include <string>
#include <vector>

#include "cw/core/result.hpp"

namespace cw::credit {

/// The longest cells the records can hold, in characters: the name is the credit entity's, the document number the
/// record's, and the court goes into the record's title "失信被执行人（<court>）" of at most 128.
inline constexpr std::size_t kMaxNameChars = 128;
inline constexpr std::size_t kMaxDocumentNoChars = 64;
inline constexpr std::size_t kMaxCourtChars = 120;
inline constexpr std::size_t kMaxFactsChars = 4000;

/// One data line of the list, its six cells trimmed and checked: a valid unified social credit code, a
/// YYYY-MM-DD decided_on, a name, document number, court and facts that are valid text (no control characters),
/// not empty and no longer than the limits above.
struct CourtListLine {
  int number = 0;                  // 1-based line of the file, for messages
  std::vector<std::string> cells;  // code, name, document_no, court, decided_on, facts
};

/// Reads the whole list: CRLF or LF line ends, blank lines skipped, an optional UTF-8 byte order mark and header
/// line ("code,...") on line 1; cells split at every comma (no quoting). All lines or none: InvalidArgument with
/// field "csv" naming the first bad line, or saying the list has no rows.
core::Result<std::vector<CourtListLine>> parseCourtList(const std::string& csv);

}  // namespace cw::credit
