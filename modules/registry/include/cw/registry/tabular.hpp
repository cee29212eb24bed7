#pragma once
// Tabular import and export: CSV and XLSX files as a header row plus data rows of text.
//
// Readers take the whole upload in memory and return every cell as the text a user sees in the spreadsheet, so
// codes keep their leading zeros and letters. They never throw for bad input: malformed or oversized files come
// back as an Error naming the line, row or cell (field "file"). All functions are thread-safe; an XlsxWriter
// object is not.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cw/core/result.hpp"

namespace cw::registry {

struct Table {
  std::vector<std::string> header;             // first non-blank row, trimmed, trailing empty columns dropped
  std::vector<std::vector<std::string>> rows;  // data rows, each padded/truncated to header.size()
  std::vector<std::size_t> sourceRows;         // 1-based spreadsheet row / CSV line where each data row starts
};

struct ReadLimits {
  std::size_t maxRows = 1'100'000;                    // data rows, header excluded
  std::size_t maxColumns = 200;                       // a value in a later column is an error
  std::size_t maxCellBytes = 32 * 1024;               // UTF-8 bytes of one cell
  std::uint64_t maxUncompressedBytes = 512ull << 20;  // one zip entry of an XLSX file, after inflating
};

// Errors, all with field "file": InvalidArgument for malformed content, too many columns or an oversized cell;
// PayloadTooLarge for more than maxRows data rows or a zip entry over maxUncompressedBytes.
// Rows whose cells are all empty or whitespace are skipped everywhere, also before the header.

/// RFC 4180 CSV, UTF-8 (a BOM is skipped; invalid UTF-8 is an error naming the line), comma-separated, quoted
/// fields with "" escapes and embedded newlines (kept as written), CRLF or LF line ends. Cells are not trimmed.
core::Result<Table> readCsv(std::string_view bytes, const ReadLimits& limits = {});

/// The first worksheet of an .xlsx file (bytes in memory), read with a streaming parser: shared strings, inline
/// strings, formula results, numbers (plain decimal, rounded to the 15 significant digits Excel shows, no
/// exponent, no trailing ".0"), booleans as TRUE/FALSE, error values as written (#N/A). Cell references like
/// "C7" place values in the right column even when cells are missing. Dates stay as their serial number text
/// (45292 for 2024-01-01): number formats are not applied.
core::Result<Table> readXlsx(const std::string& bytes, const ReadLimits& limits = {});

/// Chooses by content, not by file name: the zip signature "PK\x03\x04" means XLSX, anything else CSV. A legacy
/// .xls or password-protected workbook (OLE2 container) is an error asking for .xlsx.
core::Result<Table> readTable(const std::string& bytes, const ReadLimits& limits = {});

/// Streams an .xlsx to a file with libxlsxwriter in constant-memory mode: rows go to disk as they are added, so
/// memory stays flat for 100k+ rows. The header row is bold and frozen; every cell is text (number format "@",
/// "number stored as text" warnings off) so codes such as "0123" never become numbers, not even when a user edits
/// them. Column widths follow the widest value seen, counting CJK characters double, capped at 60.
/// The output file is complete only after close(). Not copyable; not thread-safe.
class XlsxWriter {
 public:
  /// Throws std::runtime_error when the file cannot be created or the sheet name is not allowed by Excel
  /// (more than 31 characters, or one of []:*?/\).
  XlsxWriter(const std::string& path, const std::string& sheetName, const std::vector<std::string>& header);
  ~XlsxWriter();  // closes if not closed, swallowing errors: call close() to see them
  XlsxWriter(const XlsxWriter&) = delete;
  XlsxWriter& operator=(const XlsxWriter&) = delete;

  /// Appends the next row; nullopt and "" leave the cell blank. Strings are written as strings. Throws
  /// std::runtime_error naming the libxlsxwriter error for more rows than a sheet holds (1,048,576) or a cell over
  /// Excel's 32,767 characters, and std::logic_error after close().
  void addRow(const std::vector<std::optional<std::string>>& cells);
  /// Writes the file. Throws std::runtime_error naming the libxlsxwriter error; a second call does nothing.
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cw::registry
