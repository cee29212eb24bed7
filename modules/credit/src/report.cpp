#include "cw/credit/report.hpp"

#include <hpdf.h>
#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

// Reproducibility: libharu 2.3.0 writes a trailer /ID only for encrypted documents (this one is not), and it puts no
// clock value anywhere unless asked; the info dates are taken from ReportData::generatedAt. The same ReportData
// therefore gives the same bytes with the same libharu and zlib builds (a different zlib may compress differently).

namespace cw::credit {

namespace {

// Geometry in points (1/72 inch): A4 portrait, 595.276 x 841.89.
constexpr HPDF_REAL kPageWidth = 595.276f;
constexpr HPDF_REAL kMarginX = 50;
constexpr HPDF_REAL kRunningHeaderBaseline = 812;
constexpr HPDF_REAL kRunningHeaderRule = 806;
constexpr HPDF_REAL kBodyTop = 794;
constexpr HPDF_REAL kBodyBottom = 62;
constexpr HPDF_REAL kFooterBaseline = 34;

constexpr HPDF_REAL kTitleSize = 20;
constexpr HPDF_REAL kSectionTitleSize = 12;
constexpr HPDF_REAL kSectionTitleLineHeight = 17;
constexpr HPDF_REAL kBodySize = 9;
constexpr HPDF_REAL kLineHeight = 13;
constexpr HPDF_REAL kSmallSize = 8;
constexpr HPDF_REAL kSmallLineHeight = 11;
constexpr HPDF_REAL kCellPadX = 4;
constexpr HPDF_REAL kCellPadY = 3;
constexpr HPDF_REAL kSectionGap = 14;

constexpr HPDF_REAL kShadeGray = 0.92f;
constexpr HPDF_REAL kRuleGray = 0.55f;
constexpr HPDF_REAL kMutedGray = 0.4f;

// A row taller than the room left on a page starts on the next page when it fits there whole; a row taller than a
// whole page is split, but not so that fewer than this many of its lines stand at the bottom of a page.
constexpr std::size_t kMinSplitLines = 3;

constexpr const char* kBodyFont = "SimSun";
constexpr const char* kHeadingFont = "SimHei";
constexpr const char* kEncoding = "GBK-EUC-H";

// libharu reports errors through a C callback; it must not throw, so it only records the first error (later ones
// are usually its consequences) and the renderer checks after each step.
struct HaruErrors {
  HPDF_STATUS code = HPDF_OK;
  HPDF_STATUS detail = 0;
  bool readingStream = false;  // HPDF_ReadFromStream reports the end of the stream as an error
};

void onHaruError(HPDF_STATUS code, HPDF_STATUS detail, void* userData) noexcept {
  auto* errors = static_cast<HaruErrors*>(userData);
  if (errors->readingStream && code == HPDF_STREAM_EOF) return;
  if (errors->code == HPDF_OK) {
    errors->code = code;
    errors->detail = detail;
  }
}

core::Error haruError(const HaruErrors& errors) {
  char text[96];
  std::snprintf(text, sizeof text, "credit report: libharu error 0x%04X (detail %u)",
                static_cast<unsigned>(errors.code), static_cast<unsigned>(errors.detail));
  return core::Error{core::ErrorCode::Internal, text, {}};
}

struct DocDeleter {
  void operator()(HPDF_Doc doc) const { HPDF_Free(doc); }
};
using DocPtr = std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, DocDeleter>;

// UTF-8 to GB18030 through glibc's iconv. One descriptor per render: an iconv_t must not be shared between threads.
class Gb18030Converter {
 public:
  Gb18030Converter() : cd_(iconv_open("GB18030", "UTF-8")) {}
  ~Gb18030Converter() {
    if (ok()) iconv_close(cd_);
  }
  Gb18030Converter(const Gb18030Converter&) = delete;
  Gb18030Converter& operator=(const Gb18030Converter&) = delete;

  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(static_cast<std::intptr_t>(-1)); }

  /// Malformed UTF-8 and anything iconv refuses become '?', one per character.
  std::string convert(std::string_view utf8) const {
    std::string out;
    out.reserve(utf8.size() + 8);
    iconv(cd_, nullptr, nullptr, nullptr, nullptr);
    // iconv's signature takes char**; it does not write through the input pointer.
    char* in = const_cast<char*>(utf8.data());
    std::size_t inLeft = utf8.size();
    char buffer[512];
    while (inLeft > 0) {
      char* outPtr = buffer;
      std::size_t outLeft = sizeof buffer;
      const std::size_t rc = iconv(cd_, &in, &inLeft, &outPtr, &outLeft);
      out.append(buffer, static_cast<std::size_t>(outPtr - buffer));
      if (rc != static_cast<std::size_t>(-1)) break;
      if (errno == E2BIG) continue;
      // EILSEQ or EINVAL: replace the offending character, i.e. its first byte and any continuation bytes.
      out.push_back('?');
      std::size_t skip = 1;
      while (skip < inLeft && (static_cast<unsigned char>(in[skip]) & 0xC0) == 0x80) ++skip;
      in += skip;
      inLeft -= skip;
      iconv(cd_, nullptr, nullptr, nullptr, nullptr);
    }
    return out;
  }

 private:
  iconv_t cd_;
};

// Text below is GB18030 restricted to what GBK-EUC-H can show: printable ASCII (and '\n' where asked for) as single
// bytes, everything else as two-byte codes. Four-byte GB18030 sequences (emoji, rare CJK extensions) and two-byte
// codes the CMap has no character for (libharu maps them to nothing or to the private use area) become '?'.
bool isLeadByte(unsigned char b) { return b >= 0x81 && b <= 0xFE; }

std::size_t unitLength(std::string_view gb, std::size_t i) {
  return isLeadByte(static_cast<unsigned char>(gb[i])) ? 2 : 1;
}

struct Cell {
  std::vector<std::string> lines;
  HPDF_Font font = nullptr;
  bool shaded = false;  // a table header or a label
  bool muted = false;   // the empty-section notice
};
using Row = std::vector<Cell>;

// What a page break inside a table has to repeat.
struct TableContext {
  const std::vector<HPDF_REAL>* widths = nullptr;
  const Row* header = nullptr;
};

bool isLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int daysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && isLeapYear(year) ? 29 : kDays[month - 1];
}

std::optional<int> digits(std::string_view s, std::size_t pos, std::size_t count) {
  if (pos + count > s.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

// "2026-11-22 10:31" or "2026-11-22T10:31:05", anything after that ignored; the time is China time (UTC+8, no DST).
// Validated here as libharu would, so that a bad value is skipped instead of failing the document.
std::optional<HPDF_Date> parseGeneratedAt(std::string_view text) {
  if (text.size() < 16 || text[4] != '-' || text[7] != '-' || (text[10] != ' ' && text[10] != 'T') ||
      text[13] != ':') {
    return std::nullopt;
  }
  auto year = digits(text, 0, 4);
  auto month = digits(text, 5, 2);
  auto day = digits(text, 8, 2);
  auto hour = digits(text, 11, 2);
  auto minute = digits(text, 14, 2);
  std::optional<int> second = 0;
  if (text.size() >= 19 && text[16] == ':') second = digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (*year < 1000 || *month < 1 || *month > 12 || *day < 1 || *day > daysInMonth(*year, *month) || *hour > 23 ||
      *minute > 59 || *second > 59) {
    return std::nullopt;
  }
  HPDF_Date date{};
  date.year = *year;
  date.month = *month;
  date.day = *day;
  date.hour = *hour;
  date.minutes = *minute;
  date.seconds = *second;
  date.ind = '+';
  date.off_hour = 8;
  date.off_minutes = 0;
  return date;
}

class Renderer {
 public:
  Renderer(HPDF_Doc doc, const HaruErrors& errors, const Gb18030Converter& converter)
      : doc_(doc), errors_(errors), converter_(converter) {}

  bool setUp() {
    HPDF_SetCompressionMode(doc_, HPDF_COMP_ALL);
    HPDF_UseCNSFonts(doc_);
    HPDF_UseCNSEncodings(doc_);
    encoder_ = HPDF_GetEncoder(doc_, kEncoding);
    body_ = HPDF_GetFont(doc_, kBodyFont, kEncoding);
    heading_ = HPDF_GetFont(doc_, kHeadingFont, kEncoding);
    if (failed() || encoder_ == nullptr || body_ == nullptr || heading_ == nullptr) return false;
    const HPDF_REAL ascent = static_cast<HPDF_REAL>(HPDF_Font_GetAscent(body_)) / 1000;
    const HPDF_REAL descent = static_cast<HPDF_REAL>(HPDF_Font_GetDescent(body_)) / 1000;
    // From the top of a line box to the baseline, with the glyph box centred in the line.
    baselineDrop_ = (kLineHeight - kBodySize * (ascent - descent)) / 2 + kBodySize * ascent;
    return !failed();
  }

  void render(const ReportData& data) {
    data_ = &data;
    newPage();
    if (failed()) return;
    drawTitle();
    drawHeaderBlock();
    for (const auto& section : data.sections) {
      if (failed()) return;
      drawSection(section);
    }
    drawVerifyHint();
    drawFooters();
    setInfo();
  }

  bool failed() const { return errors_.code != HPDF_OK; }

 private:
  static HPDF_REAL contentWidth() { return kPageWidth - 2 * kMarginX; }

  std::string encode(std::string_view utf8, bool keepNewlines = false) const {
    const std::string gb = converter_.convert(utf8);
    std::string out;
    out.reserve(gb.size());
    for (std::size_t i = 0; i < gb.size();) {
      const auto b = static_cast<unsigned char>(gb[i]);
      if (b < 0x80) {
        if (b == '\r') {
          // dropped: "\r\n" is one line break
        } else if (b == '\n') {
          out.push_back(keepNewlines ? '\n' : ' ');
        } else {
          out.push_back(b < 0x20 || b == 0x7F ? ' ' : static_cast<char>(b));
        }
        ++i;
        continue;
      }
      if (isLeadByte(b) && i + 1 < gb.size()) {
        const auto trail = static_cast<unsigned char>(gb[i + 1]);
        if (trail >= 0x30 && trail <= 0x39) {  // a four-byte sequence
          out.push_back('?');
          i += 4;
          continue;
        }
        const auto code = static_cast<HPDF_UINT16>((b << 8) | trail);
        const HPDF_UNICODE unicode = HPDF_Encoder_GetUnicode(encoder_, code);
        if (unicode == 0 || (unicode >= 0xE000 && unicode <= 0xF8FF)) {  // unmapped, or private use (e.g. € in GB18030)
          out.push_back('?');
        } else {
          out.append(gb, i, 2);
        }
        i += 2;
        continue;
      }
      out.push_back('?');
      ++i;
    }
    return out;
  }

  HPDF_REAL textWidth(HPDF_Font font, HPDF_REAL size, std::string_view gb) const {
    if (gb.empty()) return 0;
    const HPDF_TextWidth width = HPDF_Font_TextWidth(font, reinterpret_cast<const HPDF_BYTE*>(gb.data()),
                                                     static_cast<HPDF_UINT>(gb.size()));
    return static_cast<HPDF_REAL>(width.width) * size / 1000;
  }

  // Breaks at '\n', between CJK characters (no spaces in Chinese) and at ASCII spaces; an ASCII word is kept whole
  // unless it is longer than a line. Every line holds at least one character, however narrow the width.
  std::vector<std::string> wrap(std::string_view gb, HPDF_Font font, HPDF_REAL size, HPDF_REAL maxWidth) const {
    constexpr HPDF_REAL kTolerance = 0.01f;
    std::vector<std::string> lines;
    std::string line;
    HPDF_REAL lineWidth = 0;
    auto flush = [&] {
      while (!line.empty() && line.back() == ' ') line.pop_back();
      lines.push_back(std::move(line));
      line.clear();
      lineWidth = 0;
    };
    auto fits = [&](HPDF_REAL width) { return lineWidth + width <= maxWidth + kTolerance; };
    auto place = [&](std::string_view piece, HPDF_REAL width) {
      line.append(piece);
      lineWidth += width;
    };

    std::size_t i = 0;
    while (i < gb.size()) {
      const char c = gb[i];
      if (c == '\n') {
        flush();
        ++i;
        continue;
      }
      if (c == ' ') {
        if (!line.empty()) {
          const HPDF_REAL width = textWidth(font, size, " ");
          if (fits(width)) {
            place(" ", width);
          } else {
            flush();
          }
        }
        ++i;
        continue;
      }
      std::size_t end = i + unitLength(gb, i);
      if (end == i + 1) {
        while (end < gb.size() && gb[end] != ' ' && gb[end] != '\n' && unitLength(gb, end) == 1) ++end;
      }
      const std::string_view token = gb.substr(i, end - i);
      const HPDF_REAL width = textWidth(font, size, token);
      if (fits(width)) {
        place(token, width);
      } else if (width <= maxWidth + kTolerance || isLeadByte(static_cast<unsigned char>(token[0]))) {
        if (!line.empty()) flush();
        place(token, width);
      } else {
        for (char ch : token) {  // an ASCII word longer than a line
          const std::string_view one(&ch, 1);
          const HPDF_REAL charWidth = textWidth(font, size, one);
          if (!fits(charWidth) && !line.empty()) flush();
          place(one, charWidth);
        }
      }
      i = end;
    }
    if (!line.empty() || lines.empty()) flush();
    return lines;
  }

  // Cuts a single-line text to a width, marking the cut with an ellipsis.
  std::string truncate(std::string gb, HPDF_Font font, HPDF_REAL size, HPDF_REAL maxWidth) const {
    if (textWidth(font, size, gb) <= maxWidth) return gb;
    const std::string ellipsis = encode("…");
    const HPDF_REAL room = maxWidth - textWidth(font, size, ellipsis);
    std::string out;
    HPDF_REAL width = 0;
    for (std::size_t i = 0; i < gb.size();) {
      const std::size_t len = unitLength(gb, i);
      const HPDF_REAL unit = textWidth(font, size, std::string_view(gb).substr(i, len));
      if (width + unit > room) break;
      out.append(gb, i, len);
      width += unit;
      i += len;
    }
    return out + ellipsis;
  }

  void drawText(HPDF_Font font, HPDF_REAL size, HPDF_REAL gray, HPDF_REAL x, HPDF_REAL baseline,
                const std::string& gb) {
    if (gb.empty()) return;
    HPDF_Page_BeginText(page_);
    HPDF_Page_SetFontAndSize(page_, font, size);
    HPDF_Page_SetGrayFill(page_, gray);
    HPDF_Page_TextOut(page_, x, baseline, gb.c_str());
    HPDF_Page_EndText(page_);
  }

  void drawRule(HPDF_REAL y) {
    HPDF_Page_SetGrayStroke(page_, kRuleGray);
    HPDF_Page_MoveTo(page_, kMarginX, y);
    HPDF_Page_LineTo(page_, kMarginX + contentWidth(), y);
    HPDF_Page_Stroke(page_);
  }

  // Page numbers need the page count, so footers are written after the layout, see drawFooters().
  void newPage() {
    HPDF_Page page = HPDF_AddPage(doc_);
    if (page == nullptr) return;
    page_ = page;
    pages_.push_back(page);
    HPDF_Page_SetSize(page_, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    HPDF_Page_SetLineWidth(page_, 0.5f);

    // Running header: who the report is about and when it was made, on every page.
    const HPDF_REAL width = contentWidth();
    const std::string when = truncate(encode("生成时间 " + data_->generatedAt), body_, kSmallSize, width * 0.45f);
    const HPDF_REAL whenWidth = textWidth(body_, kSmallSize, when);
    const std::string who = truncate(encode("信用报告 · " + data_->entityName), body_, kSmallSize,
                                     width - whenWidth - 12);
    drawText(body_, kSmallSize, kMutedGray, kMarginX, kRunningHeaderBaseline, who);
    drawText(body_, kSmallSize, kMutedGray, kMarginX + width - whenWidth, kRunningHeaderBaseline, when);
    drawRule(kRunningHeaderRule);

    y_ = kBodyTop;
    bodyOnPage_ = false;
  }

  void breakPage(const TableContext& table) {
    newPage();
    if (table.header != nullptr) drawRowLines(*table.header, *table.widths, 0, lineCount(*table.header));
  }

  static std::size_t lineCount(const Row& row) {
    std::size_t count = 1;
    for (const auto& cell : row) count = std::max(count, cell.lines.size());
    return count;
  }

  static HPDF_REAL rowHeight(std::size_t lines) { return static_cast<HPDF_REAL>(lines) * kLineHeight + 2 * kCellPadY; }

  std::size_t linesThatFit(HPDF_REAL top) const {
    const HPDF_REAL room = top - kBodyBottom - 2 * kCellPadY;
    if (room < kLineHeight) return 0;
    return static_cast<std::size_t>(std::floor(room / kLineHeight + 0.001f));
  }

  // Lines [from, to) of a row, as one band of cells at y_.
  void drawRowLines(const Row& row, const std::vector<HPDF_REAL>& widths, std::size_t from, std::size_t to) {
    const HPDF_REAL height = rowHeight(to - from);
    const HPDF_REAL bottom = y_ - height;
    HPDF_REAL x = kMarginX;
    HPDF_Page_SetGrayStroke(page_, kRuleGray);
    for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      const Cell& cell = row[c];
      // Colours must be set before the path starts (libharu rejects them inside a path object).
      if (cell.shaded) HPDF_Page_SetGrayFill(page_, kShadeGray);
      HPDF_Page_Rectangle(page_, x, bottom, widths[c], height);
      if (cell.shaded) {
        HPDF_Page_FillStroke(page_);
      } else {
        HPDF_Page_Stroke(page_);
      }
      const std::size_t last = std::min(to, cell.lines.size());
      if (from < last) {
        HPDF_Page_BeginText(page_);
        HPDF_Page_SetFontAndSize(page_, cell.font, kBodySize);
        HPDF_Page_SetGrayFill(page_, cell.muted ? kMutedGray : 0);
        for (std::size_t l = from; l < last; ++l) {
          if (cell.lines[l].empty()) continue;
          const HPDF_REAL baseline = y_ - kCellPadY - static_cast<HPDF_REAL>(l - from) * kLineHeight - baselineDrop_;
          HPDF_Page_TextOut(page_, x + kCellPadX, baseline, cell.lines[l].c_str());
        }
        HPDF_Page_EndText(page_);
      }
      x += widths[c];
    }
    y_ = bottom;
  }

  // A body row: moved to the next page (header repeated) when it does not fit, split only when taller than a page.
  void drawRow(const Row& row, const std::vector<HPDF_REAL>& widths, const TableContext& table) {
    const std::size_t total = lineCount(row);
    const HPDF_REAL headerHeight = table.header != nullptr ? rowHeight(lineCount(*table.header)) : 0;
    const std::size_t freshCapacity = linesThatFit(kBodyTop - headerHeight);
    std::size_t start = 0;
    while (start < total && !failed()) {
      const std::size_t remaining = total - start;
      const std::size_t fit = linesThatFit(y_);
      if (remaining <= fit) {
        drawRowLines(row, widths, start, total);
        bodyOnPage_ = true;
        return;
      }
      if (bodyOnPage_ && (remaining <= freshCapacity || fit < kMinSplitLines)) {
        breakPage(table);
        continue;
      }
      // Alone on a page and still too tall: draw what fits (at least one line, so this always ends).
      const std::size_t count = std::max<std::size_t>(fit, 1);
      drawRowLines(row, widths, start, start + count);
      bodyOnPage_ = true;
      start += count;
      if (start < total) breakPage(table);
    }
  }

  // Keeps a heading with what follows it.
  void ensureRoom(HPDF_REAL height) {
    if (bodyOnPage_ && y_ - height < kBodyBottom) newPage();
  }

  void drawTitle() {
    const std::string title = encode("信用报告");
    const HPDF_REAL width = textWidth(heading_, kTitleSize, title);
    const HPDF_REAL ascent = static_cast<HPDF_REAL>(HPDF_Font_GetAscent(heading_)) * kTitleSize / 1000;
    drawText(heading_, kTitleSize, 0, kMarginX + (contentWidth() - width) / 2, y_ - 6 - ascent, title);
    y_ -= 6 + kTitleSize + 16;
    bodyOnPage_ = true;
  }

  Cell makeCell(std::string_view utf8, HPDF_Font font, HPDF_REAL width, bool shaded = false, bool muted = false) const {
    Cell cell;
    cell.lines = wrap(encode(utf8, true), font, kBodySize, width - 2 * kCellPadX);
    cell.font = font;
    cell.shaded = shaded;
    cell.muted = muted;
    return cell;
  }

  void drawHeaderBlock() {
    const ReportData& d = *data_;
    std::string grade = d.grade;
    if (!d.gradeLabel.empty()) grade += "（" + d.gradeLabel + "）";
    const std::pair<const char*, std::string> items[] = {
        {"报告编号", d.number},
        {"生成时间", d.generatedAt},
        {"生成人", d.generatedBy},
        {"机构名称", d.entityName},
        {"统一社会信用代码", d.entityCode},
        {"所在地区", d.region},
        {"机构类型", d.kind},
        {"信用等级", grade},
        {"信用分", std::to_string(d.score)},
        {"评分卡版本", d.scorecard},
    };
    HPDF_REAL labelWidth = 0;
    for (const auto& item : items) {
      labelWidth = std::max(labelWidth, textWidth(heading_, kBodySize, encode(item.first)));
    }
    labelWidth += 2 * kCellPadX + 6;
    const std::vector<HPDF_REAL> widths = {labelWidth, contentWidth() - labelWidth};
    const TableContext table{&widths, nullptr};
    for (const auto& [label, value] : items) {
      if (failed()) return;
      Row row;
      row.push_back(makeCell(label, heading_, widths[0], true));
      row.push_back(makeCell(value.empty() ? "—" : value, body_, widths[1]));
      drawRow(row, widths, table);
    }
    y_ -= kSectionGap;
  }

  // Each column gets its natural width when the table is narrow enough; otherwise the narrow columns keep theirs
  // and the wide ones share the rest equally. Spare width is spread in proportion.
  std::vector<HPDF_REAL> columnWidths(const std::vector<std::string>& header,
                                      const std::vector<std::vector<std::string>>& rows, std::size_t count) const {
    const HPDF_REAL total = contentWidth();
    const HPDF_REAL minimum = 2 * kBodySize + 2 * kCellPadX;
    auto naturalWidth = [&](const std::string& gb, HPDF_Font font) {
      HPDF_REAL widest = 0;
      std::size_t start = 0;
      while (start <= gb.size()) {
        std::size_t end = gb.find('\n', start);
        if (end == std::string::npos) end = gb.size();
        widest = std::max(widest, textWidth(font, kBodySize, std::string_view(gb).substr(start, end - start)));
        start = end + 1;
      }
      return widest + 2 * kCellPadX;
    };
    std::vector<HPDF_REAL> desired(count, minimum);
    for (std::size_t c = 0; c < count; ++c) {
      if (c < header.size()) {
        // A header keeps its words on one line when that costs no more than an equal share.
        desired[c] = std::max(desired[c], std::min(naturalWidth(header[c], heading_), total / count));
      }
      for (const auto& row : rows) {
        if (c < row.size()) desired[c] = std::max(desired[c], naturalWidth(row[c], body_));
      }
    }
    std::vector<std::size_t> order(count);
    for (std::size_t c = 0; c < count; ++c) order[c] = c;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return desired[a] < desired[b]; });
    std::vector<HPDF_REAL> widths(count, 0);
    HPDF_REAL left = total;
    for (std::size_t k = 0; k < count; ++k) {
      const HPDF_REAL share = left / static_cast<HPDF_REAL>(count - k);
      widths[order[k]] = std::min(desired[order[k]], share);
      left -= widths[order[k]];
    }
    if (left > 0.5f) {
      const HPDF_REAL used = total - left;
      for (auto& width : widths) width += left * width / used;
    }
    return widths;
  }

  void drawSection(const ReportSection& section) {
    std::size_t count = section.columns.size();
    for (const auto& row : section.rows) count = std::max(count, row.size());

    const std::vector<std::string> titleLines =
        wrap(encode(section.title), heading_, kSectionTitleSize, contentWidth());
    const HPDF_REAL titleHeight = static_cast<HPDF_REAL>(titleLines.size()) * kSectionTitleLineHeight + 4;

    std::vector<HPDF_REAL> widths;
    Row header;
    std::vector<Row> rows;
    if (count > 0) {
      std::vector<std::string> headerText;
      for (const auto& column : section.columns) headerText.push_back(encode(column, true));
      std::vector<std::vector<std::string>> rowText;
      rowText.reserve(section.rows.size());
      for (const auto& row : section.rows) {
        std::vector<std::string> cells;
        cells.reserve(row.size());
        for (const auto& cell : row) cells.push_back(encode(cell, true));
        rowText.push_back(std::move(cells));
      }
      widths = columnWidths(headerText, rowText, count);
      if (!section.columns.empty()) {
        for (std::size_t c = 0; c < count; ++c) {
          Cell cell;
          cell.font = heading_;
          cell.shaded = true;
          cell.lines = c < headerText.size() ? wrap(headerText[c], heading_, kBodySize, widths[c] - 2 * kCellPadX)
                                             : std::vector<std::string>{};
          header.push_back(std::move(cell));
        }
      }
      for (const auto& cells : rowText) {
        Row row;
        for (std::size_t c = 0; c < count; ++c) {
          Cell cell;
          cell.font = body_;
          if (c < cells.size()) cell.lines = wrap(cells[c], body_, kBodySize, widths[c] - 2 * kCellPadX);
          row.push_back(std::move(cell));
        }
        rows.push_back(std::move(row));
      }
    }
    const bool empty = rows.empty();
    const std::vector<HPDF_REAL> fullWidth = {contentWidth()};
    Row emptyRow;
    if (empty) emptyRow.push_back(makeCell(section.emptyText, body_, fullWidth[0], false, true));

    const HPDF_REAL headerHeight = header.empty() ? 0 : rowHeight(lineCount(header));
    const std::size_t firstLines = std::min(empty ? lineCount(emptyRow) : lineCount(rows.front()), kMinSplitLines);
    ensureRoom(titleHeight + headerHeight + rowHeight(firstLines));
    if (failed()) return;

    const HPDF_REAL ascent = static_cast<HPDF_REAL>(HPDF_Font_GetAscent(heading_)) * kSectionTitleSize / 1000;
    for (std::size_t l = 0; l < titleLines.size(); ++l) {
      const HPDF_REAL top = y_ - static_cast<HPDF_REAL>(l) * kSectionTitleLineHeight;
      drawText(heading_, kSectionTitleSize, 0, kMarginX, top - ascent, titleLines[l]);
    }
    y_ -= titleHeight;
    bodyOnPage_ = true;

    const TableContext table{&widths, header.empty() ? nullptr : &header};
    if (!header.empty()) drawRowLines(header, widths, 0, lineCount(header));
    if (empty) {
      drawRow(emptyRow, fullWidth, table);
    } else {
      for (const auto& row : rows) {
        if (failed()) return;
        drawRow(row, widths, table);
      }
    }
    y_ -= kSectionGap;
  }

  // At the foot of the last page, above the footer.
  void drawVerifyHint() {
    if (data_->verifyHint.empty() || failed()) return;
    const std::vector<std::string> lines =
        wrap(encode(data_->verifyHint, true), body_, kSmallSize, contentWidth());
    const HPDF_REAL height = static_cast<HPDF_REAL>(lines.size()) * kSmallLineHeight + 6;
    if (y_ - height < kBodyBottom) newPage();
    if (failed()) return;
    const HPDF_REAL top = kBodyBottom + height;
    drawRule(top);
    const HPDF_REAL ascent = static_cast<HPDF_REAL>(HPDF_Font_GetAscent(body_)) * kSmallSize / 1000;
    for (std::size_t l = 0; l < lines.size(); ++l) {
      const HPDF_REAL lineTop = top - 4 - static_cast<HPDF_REAL>(l) * kSmallLineHeight;
      drawText(body_, kSmallSize, kMutedGray, kMarginX, lineTop - ascent, lines[l]);
    }
  }

  void drawFooters() {
    if (failed()) return;
    const std::string pageCount = std::to_string(pages_.size());
    for (std::size_t p = 0; p < pages_.size(); ++p) {
      page_ = pages_[p];
      const std::string prefix = encode("报告编号 ");
      const std::string suffix = encode(" · 第 " + std::to_string(p + 1) + " 页 / 共 " + pageCount + " 页");
      const HPDF_REAL fixed = textWidth(body_, kSmallSize, prefix) + textWidth(body_, kSmallSize, suffix);
      const std::string text =
          prefix + truncate(encode(data_->number), body_, kSmallSize, contentWidth() - fixed) + suffix;
      const HPDF_REAL width = textWidth(body_, kSmallSize, text);
      drawText(body_, kSmallSize, kMutedGray, kMarginX + (contentWidth() - width) / 2, kFooterBaseline, text);
    }
  }

  void setInfo() {
    if (failed()) return;
    // With a CJK encoder current, libharu writes info strings as UTF-16BE, so Chinese titles show in viewers.
    HPDF_SetCurrentEncoder(doc_, kEncoding);
    HPDF_SetInfoAttr(doc_, HPDF_INFO_TITLE, encode("信用报告 " + data_->number).c_str());
    HPDF_SetInfoAttr(doc_, HPDF_INFO_SUBJECT, encode(data_->entityName).c_str());
    HPDF_SetInfoAttr(doc_, HPDF_INFO_AUTHOR, encode(data_->generatedBy).c_str());
    HPDF_SetInfoAttr(doc_, HPDF_INFO_CREATOR, "carewatch");
    // No clock here: the dates come from the data, or are left out, so the bytes depend on the input only.
    if (auto date = parseGeneratedAt(data_->generatedAt)) {
      HPDF_SetInfoDateAttr(doc_, HPDF_INFO_CREATION_DATE, *date);
      HPDF_SetInfoDateAttr(doc_, HPDF_INFO_MOD_DATE, *date);
    }
  }

  HPDF_Doc doc_;
  const HaruErrors& errors_;
  const Gb18030Converter& converter_;
  const ReportData* data_ = nullptr;
  HPDF_Encoder encoder_ = nullptr;
  HPDF_Font body_ = nullptr;
  HPDF_Font heading_ = nullptr;
  HPDF_REAL baselineDrop_ = 0;
  std::vector<HPDF_Page> pages_;
  HPDF_Page page_ = nullptr;
  HPDF_REAL y_ = 0;          // top of the free area on the current page
  bool bodyOnPage_ = false;  // anything besides the running header and a repeated table header
};

core::Result<std::string> saveToMemory(HPDF_Doc doc, HaruErrors& errors) {
  if (HPDF_SaveToStream(doc) != HPDF_OK || errors.code != HPDF_OK) return haruError(errors);
  std::string bytes;
  bytes.reserve(HPDF_GetStreamSize(doc));
  if (HPDF_ResetStream(doc) != HPDF_OK) return haruError(errors);
  errors.readingStream = true;
  for (;;) {
    HPDF_BYTE buffer[16384];
    HPDF_UINT32 size = sizeof buffer;
    const HPDF_STATUS rc = HPDF_ReadFromStream(doc, buffer, &size);
    bytes.append(reinterpret_cast<const char*>(buffer), size);
    if (rc == HPDF_STREAM_EOF || (rc == HPDF_OK && size == 0)) break;
    if (rc != HPDF_OK) {
      if (errors.code == HPDF_OK) errors.code = rc;
      break;
    }
  }
  errors.readingStream = false;
  if (errors.code != HPDF_OK) return haruError(errors);
  return bytes;
}

}  // namespace

core::Result<std::string> renderReport(const ReportData& data) {
  Gb18030Converter converter;
  if (!converter.ok()) {
    return core::Error{core::ErrorCode::Internal, "credit report: iconv cannot convert UTF-8 to GB18030", {}};
  }
  HaruErrors errors;
  DocPtr doc(HPDF_New(&onHaruError, &errors));
  if (!doc) return core::Error{core::ErrorCode::Internal, "credit report: libharu could not create a document", {}};

  Renderer renderer(doc.get(), errors, converter);
  if (!renderer.setUp()) return haruError(errors);
  renderer.render(data);
  if (renderer.failed()) return haruError(errors);
  return saveToMemory(doc.get(), errors);
}

}  // namespace cw::credit
