// XlsxWriter on libxlsxwriter. Constant-memory mode flushes each row to a temporary file as the next one starts,
// so an export of any size needs memory for one row only; the price is that rows must come in order, which an
// export does anyway.

#include <xlsxwriter.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "cw/registry/tabular.hpp"

namespace cw::registry {
namespace {

constexpr double kMinColumnWidth = 8;
constexpr double kMaxColumnWidth = 60;
constexpr lxw_row_t kMaxRows = 1'048'576;

bool isWide(std::uint32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
         (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

// Width of the widest line of `text` in Excel's column units (the width of '0'): CJK characters count two.
double displayWidth(std::string_view text) {
  double widest = 0, line = 0;
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    std::size_t length = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    std::uint32_t cp = length == 1 ? c : c & (0x7F >> length);
    for (std::size_t k = 1; k < length && i + k < text.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    i += length;
    if (cp == '\n') {
      widest = std::max(widest, line);
      line = 0;
    } else {
      line += isWide(cp) ? 2 : 1;
    }
  }
  return std::max(widest, line);
}

std::string describe(lxw_error error) { return lxw_strerror(error); }

// Readers decode "_xHHHH_" in cell text as an escaped character and libxlsxwriter leaves such literal text alone,
// so its underscore is escaped here as "_x005F_", as Excel does, to read back unchanged.
std::string escapeLiteralEscapes(const std::string& text) {
  if (text.find("_x") == std::string::npos) return text;
  auto isHex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '_' && i + 6 < text.size() && text[i + 1] == 'x' && isHex(text[i + 2]) && isHex(text[i + 3]) &&
        isHex(text[i + 4]) && isHex(text[i + 5]) && text[i + 6] == '_') {
      out += "_x005F_";
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace

struct XlsxWriter::Impl {
  std::string path;
  lxw_workbook* workbook = nullptr;
  lxw_worksheet* sheet = nullptr;
  lxw_format* headerFormat = nullptr;
  lxw_format* textFormat = nullptr;
  lxw_row_t nextRow = 0;
  std::vector<double> widths;  // per column, in Excel units, before padding

  ~Impl() {
    if (workbook) workbook_close(workbook);  // errors are only reported through close()
  }

  void fitColumn(std::size_t column, std::string_view text, double scale) {
    if (widths.size() <= column) widths.resize(column + 1, 0);
    widths[column] = std::max(widths[column], std::min(displayWidth(text) * scale, kMaxColumnWidth));
  }

  void writeRow(const std::vector<std::optional<std::string>>& cells, lxw_format* format, double scale) {
    if (nextRow >= kMaxRows) {
      throw std::runtime_error("cannot add row " + std::to_string(nextRow + 1) + " to " + path + ": " +
                               describe(LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE));
    }
    for (std::size_t column = 0; column < cells.size(); ++column) {
      if (!cells[column] || cells[column]->empty()) continue;
      const std::string text = escapeLiteralEscapes(*cells[column]);
      lxw_error error = worksheet_write_string(sheet, nextRow, static_cast<lxw_col_t>(column), text.c_str(), format);
      if (error != LXW_NO_ERROR) {
        throw std::runtime_error("cannot write row " + std::to_string(nextRow + 1) + ", column " +
                                 std::to_string(column + 1) + " of " + path + ": " + describe(error));
      }
      fitColumn(column, *cells[column], scale);
    }
    ++nextRow;
  }
};

XlsxWriter::XlsxWriter(const std::string& path, const std::string& sheetName, const std::vector<std::string>& header)
    : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  // libxlsxwriter opens the output only in workbook_close(); create it now so a bad path fails here.
  if (std::FILE* probe = std::fopen(path.c_str(), "wb")) {
    std::fclose(probe);
  } else {
    throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
  }
  auto fail = [&](const std::string& message) {
    if (impl_->workbook) lxw_workbook_free(impl_->workbook);
    impl_->workbook = nullptr;
    std::remove(path.c_str());
    throw std::runtime_error(message);
  };

  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  impl_->workbook = workbook_new_opt(path.c_str(), &options);
  if (!impl_->workbook) fail("cannot create workbook " + path + ": " + describe(LXW_ERROR_MEMORY_MALLOC_FAILED));
  if (lxw_error error = workbook_validate_sheet_name(impl_->workbook, sheetName.c_str()); error != LXW_NO_ERROR) {
    fail("invalid sheet name \"" + sheetName + "\": " + describe(error));
  }
  impl_->sheet = workbook_add_worksheet(impl_->workbook, sheetName.c_str());
  if (!impl_->sheet) fail("cannot add sheet \"" + sheetName + "\" to " + path + " (temporary file?)");

  impl_->textFormat = workbook_add_format(impl_->workbook);
  format_set_num_format(impl_->textFormat, "@");
  impl_->headerFormat = workbook_add_format(impl_->workbook);
  format_set_num_format(impl_->headerFormat, "@");
  format_set_bold(impl_->headerFormat);

  worksheet_freeze_panes(impl_->sheet, 1, 0);
  worksheet_ignore_errors(impl_->sheet, LXW_IGNORE_NUMBER_STORED_AS_TEXT, "A1:XFD1048576");
  std::vector<std::optional<std::string>> cells(header.begin(), header.end());
  try {
    impl_->writeRow(cells, impl_->headerFormat, 1.1);  // bold glyphs are a little wider
  } catch (const std::runtime_error& e) {
    fail(e.what());
  }
}

XlsxWriter::~XlsxWriter() = default;

void XlsxWriter::addRow(const std::vector<std::optional<std::string>>& cells) {
  if (!impl_->workbook) throw std::logic_error("XlsxWriter::addRow after close()");
  impl_->writeRow(cells, impl_->textFormat, 1.0);
}

void XlsxWriter::close() {
  if (!impl_->workbook) return;
  // <cols> precedes the rows in the sheet XML but libxlsxwriter assembles it at close, so widths measured over
  // every row can still be set here.
  for (std::size_t column = 0; column < impl_->widths.size(); ++column) {
    double width = std::clamp(impl_->widths[column] + 2, kMinColumnWidth, kMaxColumnWidth);
    auto col = static_cast<lxw_col_t>(column);
    worksheet_set_column(impl_->sheet, col, col, width, impl_->textFormat);
  }
  lxw_workbook* workbook = std::exchange(impl_->workbook, nullptr);
  if (lxw_error error = workbook_close(workbook); error != LXW_NO_ERROR) {
    throw std::runtime_error("cannot write " + impl_->path + ": " + describe(error));
  }
}

}  // namespace cw::registry
