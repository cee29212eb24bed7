// Readers for uploaded CSV and XLSX files. Both feed records into one TableBuilder, so header detection, blank
// rows, padding and the row limit behave the same for either format.
//
// XLSX is read with POCO: Zip for the container and the streaming SAX parser for the parts, so a sheet is never
// held as a DOM. Every inflated byte passes through CappedStreamBuf, which stops a zip bomb whatever sizes its
// headers claim.

#include "cw/registry/tabular.hpp"

#include <Poco/Exception.h>
#include <Poco/MemoryStream.h>
#include <Poco/SAX/Attributes.h>
#include <Poco/SAX/DefaultHandler.h>
#include <Poco/SAX/InputSource.h>
#include <Poco/SAX/SAXParser.h>
#include <Poco/SAX/XMLReader.h>
#include <Poco/Zip/ZipArchive.h>
#include <Poco/Zip/ZipStream.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <istream>
#include <map>
#include <streambuf>
#include <utility>

#include "cw/core/validation.hpp"

namespace cw::registry {
namespace {

constexpr std::string_view kField = "file";
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kZipSignature = "PK\x03\x04";
constexpr std::string_view kOle2Signature = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
constexpr std::string_view kTruncatedMessage = "the XLSX file is damaged or truncated: its zip directory is missing";
constexpr std::string_view kOle2Message =
    "the file is a legacy .xls or a password-protected workbook; save it as .xlsx without a password";

core::Error invalidFile(std::string message) { return core::Error::invalid(std::string(kField), std::move(message)); }

core::Error fileTooLarge(std::string message) {
  return {core::ErrorCode::PayloadTooLarge, std::move(message), std::string(kField)};
}

// Strips ASCII whitespace and the ideographic space, no-break space and stray BOMs that text pasted into Chinese
// spreadsheets often carries.
std::string_view trimSpaces(std::string_view text) {
  static constexpr std::array<std::string_view, 9> kSpaces{" ",  "\t",           "\r",       "\n",          "\f",
                                                           "\v", "\xE3\x80\x80", "\xC2\xA0", "\xEF\xBB\xBF"};
  auto strip = [&](bool front) {
    for (auto space : kSpaces) {
      if (front && text.starts_with(space)) {
        text.remove_prefix(space.size());
        return true;
      }
      if (!front && text.ends_with(space)) {
        text.remove_suffix(space.size());
        return true;
      }
    }
    return false;
  };
  while (strip(true)) {
  }
  while (strip(false)) {
  }
  return text;
}

bool isBlank(std::string_view text) { return trimSpaces(text).empty(); }

// The first non-blank record becomes the header; later non-blank records become data rows.
class TableBuilder {
 public:
  /// `unit` names a source row in messages: "line" for CSV, "row" for a sheet.
  TableBuilder(const ReadLimits& limits, std::string unit) : limits_(limits), unit_(std::move(unit)) {}

  /// Takes the cells of one record that starts at `sourceRow`; fails once there are more than maxRows rows.
  core::Status add(std::vector<std::string>& cells, std::size_t sourceRow) {
    if (std::all_of(cells.begin(), cells.end(), [](const std::string& c) { return isBlank(c); })) return core::Ok{};
    if (!haveHeader_) {
      for (const auto& cell : cells) table_.header.emplace_back(trimSpaces(cell));
      while (!table_.header.empty() && table_.header.back().empty()) table_.header.pop_back();
      haveHeader_ = true;
      return core::Ok{};
    }
    if (table_.rows.size() >= limits_.maxRows) {
      return fileTooLarge("the file has more than " + std::to_string(limits_.maxRows) +
                          " data rows (limit reached at " + unit_ + " " + std::to_string(sourceRow) + ")");
    }
    cells.resize(table_.header.size());
    table_.rows.push_back(std::move(cells));
    table_.sourceRows.push_back(sourceRow);
    return core::Ok{};
  }

  core::Result<Table> finish() {
    if (!haveHeader_) return invalidFile("the file is empty: it has no header row");
    return std::move(table_);
  }

 private:
  const ReadLimits& limits_;
  std::string unit_;
  bool haveHeader_ = false;
  Table table_;
};

core::Status checkUtf8ByLine(std::string_view text) {
  // No UTF-8 sequence contains the byte '\n', so checking line by line finds the first bad line.
  std::size_t line = 1;
  for (std::size_t start = 0; start <= text.size(); ++line) {
    std::size_t end = std::min(text.find('\n', start), text.size());
    if (!core::isValidUtf8(text.substr(start, end - start))) {
      return invalidFile("line " + std::to_string(line) +
                         " is not valid UTF-8 text; save the file as \"CSV UTF-8\" (GBK/ANSI CSV is not supported)");
    }
    start = end + 1;
  }
  return core::Ok{};
}

class CsvParser {
 public:
  CsvParser(std::string_view text, const ReadLimits& limits) : text_(text), limits_(limits) {}

  core::Result<Table> parse() {
    TableBuilder builder(limits_, "line");
    std::vector<std::string> record;
    while (pos_ < text_.size()) {
      const std::size_t recordLine = line_;
      record.clear();
      if (auto read = readRecord(record, recordLine); !read) return read.error();
      if (auto added = builder.add(record, recordLine); !added) return added.error();
    }
    return builder.finish();
  }

 private:
  // Reads fields up to and including the end of the record.
  core::Status readRecord(std::vector<std::string>& record, std::size_t recordLine) {
    for (std::size_t column = 1;; ++column) {
      std::string field;
      if (pos_ < text_.size() && text_[pos_] == '"') {
        if (auto read = readQuoted(field, column); !read) return read;
      } else {
        std::size_t end = std::min(text_.find_first_of(",\n", pos_), text_.size());
        std::size_t len = end - pos_;
        if ((end == text_.size() || text_[end] == '\n') && len > 0 && text_[end - 1] == '\r') --len;  // CRLF
        field.assign(text_.substr(pos_, len));
        pos_ = end;
      }
      if (field.size() > limits_.maxCellBytes) {
        return invalidFile("line " + std::to_string(recordLine) + ", column " + std::to_string(column) +
                           " is longer than " + std::to_string(limits_.maxCellBytes) + " bytes");
      }
      if (column <= limits_.maxColumns) {
        record.push_back(std::move(field));
      } else if (!isBlank(field)) {
        return invalidFile("line " + std::to_string(recordLine) + " has a value in column " + std::to_string(column) +
                           "; at most " + std::to_string(limits_.maxColumns) + " columns are allowed");
      }
      if (pos_ >= text_.size()) return core::Ok{};
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (text_[pos_] == '\r') ++pos_;  // after a quoted field; readQuoted made sure '\n' or the end follows
      if (pos_ < text_.size()) ++pos_;  // '\n'
      ++line_;
      return core::Ok{};
    }
  }

  // pos_ is at the opening quote; leaves pos_ after the closing quote, at a separator or the end.
  core::Status readQuoted(std::string& field, std::size_t column) {
    const std::size_t startLine = line_;
    ++pos_;
    for (;;) {
      std::size_t quote = text_.find('"', pos_);
      if (quote == std::string_view::npos) {
        return invalidFile("line " + std::to_string(startLine) + ", column " + std::to_string(column) +
                           ": the quoted field is never closed");
      }
      std::string_view chunk = text_.substr(pos_, quote - pos_);
      line_ += static_cast<std::size_t>(std::count(chunk.begin(), chunk.end(), '\n'));
      if (field.size() + chunk.size() > limits_.maxCellBytes) {
        return invalidFile("line " + std::to_string(startLine) + ", column " + std::to_string(column) +
                           " is longer than " + std::to_string(limits_.maxCellBytes) + " bytes");
      }
      field.append(chunk);
      pos_ = quote + 1;
      if (pos_ < text_.size() && text_[pos_] == '"') {  // "" is one quote
        field.push_back('"');
        ++pos_;
        continue;
      }
      break;
    }
    bool atEnd = pos_ >= text_.size() || text_[pos_] == ',' || text_[pos_] == '\n' ||
                 (text_[pos_] == '\r' && (pos_ + 1 == text_.size() || text_[pos_ + 1] == '\n'));
    if (!atEnd) {
      return invalidFile("line " + std::to_string(line_) + ", column " + std::to_string(column) +
                         ": unexpected text after a closing quote (write a quote inside a quoted field as \"\")");
    }
    return core::Ok{};
  }

  std::string_view text_;
  const ReadLimits& limits_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

// Plain decimal text for a stored number, as Excel shows it: at most 15 significant digits, no exponent, no
// trailing zeros after the point. Works on the text so that no binary rounding is added. Text that is not a
// number comes back unchanged.
std::string formatNumber(std::string_view stored) {
  const std::string original(stored);
  const std::string_view s = trimSpaces(stored);
  auto isDigit = [](char c) { return c >= '0' && c <= '9'; };

  std::size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  std::string digits;
  while (i < s.size() && isDigit(s[i])) digits.push_back(s[i++]);
  long point = static_cast<long>(digits.size());  // the decimal point sits before digits[point]
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && isDigit(s[i])) digits.push_back(s[i++]);
  }
  if (digits.empty()) return original;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool negativeExponent = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negativeExponent = s[i++] == '-';
    long exponent = 0;
    std::size_t exponentDigits = 0;
    for (; i < s.size() && isDigit(s[i]); ++i, ++exponentDigits) {
      if (exponent < 100000) exponent = exponent * 10 + (s[i] - '0');
    }
    if (exponentDigits == 0) return original;
    point += negativeExponent ? -exponent : exponent;
  }
  if (i != s.size()) return original;

  std::size_t leadingZeros = digits.find_first_not_of('0');
  if (leadingZeros == std::string::npos) return "0";
  digits.erase(0, leadingZeros);
  point -= static_cast<long>(leadingZeros);
  if (point > 330 || point < -330) return original;  // beyond the range of a double

  constexpr std::size_t kSignificantDigits = 15;
  if (digits.size() > kSignificantDigits) {
    bool roundUp = digits[kSignificantDigits] >= '5';
    digits.resize(kSignificantDigits);
    if (roundUp) {
      std::size_t k = kSignificantDigits;
      while (k > 0 && digits[k - 1] == '9') digits[--k] = '0';
      if (k == 0) {
        digits.insert(digits.begin(), '1');
        ++point;
      } else {
        ++digits[k - 1];
      }
    }
  }
  digits.erase(digits.find_last_not_of('0') + 1);

  std::string out = negative ? "-" : "";
  const long size = static_cast<long>(digits.size());
  if (point <= 0) {
    out += "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
  } else if (point >= size) {
    out += digits + std::string(static_cast<std::size_t>(point - size), '0');
  } else {
    out += digits.substr(0, static_cast<std::size_t>(point)) + "." + digits.substr(static_cast<std::size_t>(point));
  }
  return out;
}

void appendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// OOXML writes characters XML cannot hold as "_xHHHH_" (a carriage return is "_x000D_", a literal "_x" is
// "_x005F_x"). Escaped surrogates stay as written.
std::string decodeEscapes(std::string text) {
  if (text.find("_x") == std::string::npos) return text;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '_' && i + 6 < text.size() && text[i + 1] == 'x' && text[i + 6] == '_') {
      std::uint32_t cp = 0;
      bool ok = true;
      for (std::size_t k = 2; k < 6; ++k) {
        int v = hex(text[i + k]);
        ok = ok && v >= 0;
        cp = cp * 16 + static_cast<std::uint32_t>(std::max(v, 0));
      }
      if (ok && !(cp >= 0xD800 && cp <= 0xDFFF)) {
        appendUtf8(out, cp);
        i += 7;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

/// "C7" -> 2 (column C); nullopt when the reference does not start with one to three letters.
std::optional<std::size_t> columnIndex(std::string_view ref) {
  std::size_t column = 0, letters = 0;
  for (char c : ref) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') break;
    column = column * 26 + static_cast<std::size_t>(c - 'A' + 1);
    if (++letters > 3) return std::nullopt;
  }
  if (letters == 0) return std::nullopt;
  return column - 1;
}

std::string columnName(std::size_t index) {
  std::string name;
  for (std::size_t n = index + 1; n > 0; n = (n - 1) / 26)
    name.insert(name.begin(), static_cast<char>('A' + (n - 1) % 26));
  return name;
}

std::optional<std::size_t> parseIndex(std::string_view text) {
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Thrown inside the SAX callbacks and the package helpers to stop reading with a user-facing error; readXlsx
// turns it back into a Result.
struct ReadAbort {
  core::Error error;
};

// Text of one XML element, kept to at most `cap` bytes; `truncated` tells that more was there.
struct TextCollector {
  std::string text;
  bool truncated = false;

  void clear() {
    text.clear();
    truncated = false;
  }
  void append(const char* data, std::size_t size, std::size_t cap) {
    std::size_t room = cap > text.size() ? cap - text.size() : 0;
    if (size > room) truncated = true;
    text.append(data, std::min(size, room));
  }
};

// Passes an entry's inflated bytes through and ends the stream once more than `limit` bytes came out.
class CappedStreamBuf : public std::streambuf {
 public:
  CappedStreamBuf(std::istream& source, std::uint64_t limit) : source_(source), limit_(limit) {}
  bool exceeded() const { return exceeded_; }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (exceeded_) return traits_type::eof();
    source_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    std::streamsize got = source_.gcount();
    if (got <= 0) return traits_type::eof();
    total_ += static_cast<std::uint64_t>(got);
    if (total_ > limit_) {
      exceeded_ = true;  // checked by the caller: the istream layers above would swallow an exception
      return traits_type::eof();
    }
    setg(buffer_.data(), buffer_.data(), buffer_.data() + got);
    return traits_type::to_int_type(*gptr());
  }

 private:
  std::istream& source_;
  std::uint64_t limit_;
  std::uint64_t total_ = 0;
  bool exceeded_ = false;
  std::array<char, 64 * 1024> buffer_{};
};

std::string byteCount(std::uint64_t bytes) {
  if (bytes >= (1u << 20)) return std::to_string(bytes >> 20) + " MB";
  if (bytes >= (1u << 10)) return std::to_string(bytes >> 10) + " KB";
  return std::to_string(bytes) + " bytes";
}

core::Error entryTooLarge(const std::string& name, std::uint64_t limit) {
  return fileTooLarge("the XLSX part " + name + " unpacks to more than " + byteCount(limit) +
                      "; the file is not a normal spreadsheet (zip bomb?)");
}

std::string toLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Whether the zip ends with its end-of-central-directory record, the part a truncated upload loses first. POCO
// reads the entries front to back and accepts a zip cut inside its directory, so this is checked here.
bool hasEndRecord(std::string_view zip) {
  constexpr std::string_view kEndSignature = "PK\x05\x06";
  constexpr std::size_t kEndRecordSize = 22, kMaxComment = 0xFFFF;
  if (zip.size() < kEndRecordSize) return false;
  std::size_t from = zip.size() - kEndRecordSize;
  std::size_t lowest = from > kMaxComment ? from - kMaxComment : 0;
  for (std::size_t at = from;; --at) {
    if (zip.substr(at, kEndSignature.size()) == kEndSignature) {
      auto commentLength = static_cast<std::size_t>(static_cast<unsigned char>(zip[at + 20]) |
                                                    static_cast<unsigned char>(zip[at + 21]) << 8);
      if (at + kEndRecordSize + commentLength == zip.size()) return true;
    }
    if (at == lowest) return false;
  }
}

// An .xlsx package: a zip whose parts are found by name and parsed one at a time.
class XlsxPackage {
 public:
  XlsxPackage(const std::string& bytes, std::uint64_t maxEntryBytes)
      : in_(bytes.data(), bytes.size()), archive_(in_), maxEntryBytes_(maxEntryBytes) {
    if (archive_.fileInfoBegin() == archive_.fileInfoEnd())
      throw ReadAbort{invalidFile(std::string(kTruncatedMessage))};
  }

  /// The stored name of part `name`, compared case-insensitively as OPC requires; empty when absent.
  std::string find(const std::string& name) const {
    if (archive_.findHeader(name) != archive_.headerEnd()) return name;
    std::string wanted = toLower(name);
    for (auto it = archive_.headerBegin(); it != archive_.headerEnd(); ++it) {
      if (toLower(it->first) == wanted) return it->first;
    }
    return {};
  }

  /// Streams part `name` (as returned by find) through `handler`.
  void parse(const std::string& name, Poco::XML::ContentHandler& handler) {
    auto header = archive_.findHeader(name);
    if (header == archive_.headerEnd()) throw ReadAbort{invalidFile("the XLSX file has no part " + name)};
    auto info = std::find_if(archive_.fileInfoBegin(), archive_.fileInfoEnd(),
                             [&](const auto& entry) { return entry.first == name; });
    std::uint64_t declared = header->second.getUncompressedSize();
    if (info != archive_.fileInfoEnd()) declared = std::max(declared, info->second.getUncompressedSize());
    if (declared > maxEntryBytes_) throw ReadAbort{entryTooLarge(name, maxEntryBytes_)};
    if (header->second.isEncrypted() || !header->second.hasSupportedCompressionMethod()) {
      throw ReadAbort{invalidFile("the XLSX part " + name + " is encrypted or uses an unsupported compression")};
    }

    in_.clear();
    Poco::Zip::ZipInputStream entry(in_, header->second, true);
    CappedStreamBuf capped(entry, maxEntryBytes_);
    std::istream cappedIn(&capped);
    Poco::XML::InputSource source(cappedIn);
    Poco::XML::SAXParser parser;
    parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, true);
    parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
    parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
    parser.setContentHandler(&handler);
    try {
      parser.parse(&source);
    } catch (const Poco::Exception&) {
      if (capped.exceeded()) throw ReadAbort{entryTooLarge(name, maxEntryBytes_)};
      throw;
    }
    if (capped.exceeded()) throw ReadAbort{entryTooLarge(name, maxEntryBytes_)};
  }

 private:
  Poco::MemoryInputStream in_;
  Poco::Zip::ZipArchive archive_;
  std::uint64_t maxEntryBytes_;
};

std::string attribute(const Poco::XML::Attributes& attributes, const std::string& localName) {
  return attributes.getValue(std::string(), localName);
}

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string directoryOf(const std::string& part) {
  std::size_t slash = part.rfind('/');
  return slash == std::string::npos ? std::string() : part.substr(0, slash + 1);
}

/// Relationship target -> part name: relative to `baseDirectory`, or absolute when it starts with '/'.
std::string resolvePart(const std::string& baseDirectory, const std::string& target) {
  std::string joined = !target.empty() && target[0] == '/' ? target.substr(1) : baseDirectory + target;
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= joined.size()) {
    std::size_t end = std::min(joined.find('/', start), joined.size());
    std::string segment = joined.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(std::move(segment));
    }
    start = end + 1;
  }
  std::string part;
  for (const auto& segment : segments) part += (part.empty() ? "" : "/") + segment;
  return part;
}

std::string relationshipsPartOf(const std::string& part) {
  std::size_t slash = part.rfind('/');
  std::string name = slash == std::string::npos ? part : part.substr(slash + 1);
  return directoryOf(part) + "_rels/" + name + ".rels";
}

struct Relationship {
  std::string type;
  std::string target;
};

// _rels/*.rels: relationship id -> type and target.
class RelationshipsHandler : public Poco::XML::DefaultHandler {
 public:
  void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& localName, const Poco::XML::XMLString&,
                    const Poco::XML::Attributes& attributes) override {
    if (localName != "Relationship" || attribute(attributes, "TargetMode") == "External") return;
    relationships[attribute(attributes, "Id")] = {attribute(attributes, "Type"), attribute(attributes, "Target")};
  }
  std::map<std::string, Relationship> relationships;
};

// workbook.xml: the relationship ids of the sheets, in tab order.
class WorkbookHandler : public Poco::XML::DefaultHandler {
 public:
  void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& localName, const Poco::XML::XMLString&,
                    const Poco::XML::Attributes& attributes) override {
    if (depth_++ == 0) isWorkbook = localName == "workbook";
    if (localName != "sheet") return;
    for (int i = 0; i < attributes.getLength(); ++i) {
      // r:id, whatever the prefix; the namespace differs between transitional and strict OOXML.
      if (attributes.getLocalName(i) == "id" && !attributes.getURI(i).empty())
        sheetIds.push_back(attributes.getValue(i));
    }
  }
  void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&, const Poco::XML::XMLString&) override {
    --depth_;
  }
  bool isWorkbook = false;
  std::vector<std::string> sheetIds;

 private:
  int depth_ = 0;
};

struct SharedString {
  std::string text;
  bool truncated = false;
};

// sharedStrings.xml: the text of each <si>, rich-text runs joined, phonetic guides (<rPh>) left out.
class SharedStringsHandler : public Poco::XML::DefaultHandler {
 public:
  explicit SharedStringsHandler(std::size_t cap) : cap_(cap) {}

  void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& localName, const Poco::XML::XMLString&,
                    const Poco::XML::Attributes&) override {
    if (localName == "si") {
      inItem_ = true;
      text_.clear();
    } else if (localName == "rPh") {
      inPhonetic_ = true;
    } else if (localName == "t" && inItem_ && !inPhonetic_) {
      collecting_ = true;
    }
  }
  void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& localName,
                  const Poco::XML::XMLString&) override {
    if (localName == "t") {
      collecting_ = false;
    } else if (localName == "rPh") {
      inPhonetic_ = false;
    } else if (localName == "si") {
      strings.push_back({decodeEscapes(std::move(text_.text)), text_.truncated});
      inItem_ = false;
    }
  }
  void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
    if (collecting_) text_.append(ch + start, static_cast<std::size_t>(length), cap_);
  }

  std::vector<SharedString> strings;

 private:
  std::size_t cap_;
  bool inItem_ = false, inPhonetic_ = false, collecting_ = false;
  TextCollector text_;
};

// A worksheet's <sheetData>: places each cell's value by its reference and hands finished rows to the builder.
class SheetHandler : public Poco::XML::DefaultHandler {
 public:
  SheetHandler(TableBuilder& builder, const std::vector<SharedString>& sharedStrings, const ReadLimits& limits)
      : builder_(builder), sharedStrings_(sharedStrings), limits_(limits) {}

  void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& localName, const Poco::XML::XMLString&,
                    const Poco::XML::Attributes& attributes) override {
    if (localName == "sheetData") {
      inSheetData_ = true;
    } else if (!inSheetData_) {
      return;
    } else if (localName == "row") {
      auto number = parseIndex(attribute(attributes, "r"));
      rowNumber_ = number && *number > 0 ? *number : rowNumber_ + 1;
      row_.clear();
      nextColumn_ = 0;
    } else if (localName == "c") {
      std::string ref = attribute(attributes, "r");
      auto column = ref.empty() ? std::optional<std::size_t>(nextColumn_) : columnIndex(ref);
      if (!column || *column >= 16384) {
        throw ReadAbort{
            invalidFile("row " + std::to_string(rowNumber_) + " has a malformed cell reference \"" + ref + "\"")};
      }
      column_ = *column;
      type_ = attribute(attributes, "t");
      value_.clear();
      inline_.clear();
    } else if (localName == "v") {
      collector_ = &value_;
    } else if (localName == "is") {
      inInlineString_ = true;
    } else if (localName == "rPh") {
      inPhonetic_ = true;
    } else if (localName == "t" && inInlineString_ && !inPhonetic_) {
      collector_ = &inline_;
    }
  }

  void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& localName,
                  const Poco::XML::XMLString&) override {
    if (!inSheetData_) return;
    if (localName == "v" || localName == "t") {
      collector_ = nullptr;
    } else if (localName == "rPh") {
      inPhonetic_ = false;
    } else if (localName == "is") {
      inInlineString_ = false;
    } else if (localName == "c") {
      finishCell();
      nextColumn_ = column_ + 1;
    } else if (localName == "row") {
      if (auto added = builder_.add(row_, rowNumber_); !added) throw ReadAbort{added.error()};
    } else if (localName == "sheetData") {
      inSheetData_ = false;
    }
  }

  void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
    if (collector_) collector_->append(ch + start, static_cast<std::size_t>(length), limits_.maxCellBytes + 1);
  }

 private:
  void finishCell() {
    const std::string cell = columnName(column_) + std::to_string(rowNumber_);
    bool truncated = value_.truncated;
    std::string value;
    if (type_ == "s") {
      auto index = parseIndex(core::trim(value_.text));
      if (!index || *index >= sharedStrings_.size()) {
        throw ReadAbort{invalidFile("cell " + cell + " refers to a shared string that does not exist")};
      }
      value = sharedStrings_[*index].text;
      truncated = sharedStrings_[*index].truncated;
    } else if (type_ == "inlineStr") {
      value = decodeEscapes(inline_.text.empty() ? value_.text : inline_.text);
      truncated = truncated || inline_.truncated;
    } else if (type_ == "str") {
      value = decodeEscapes(value_.text);
    } else if (type_ == "b") {
      value = value_.text == "1" ? "TRUE" : value_.text == "0" ? "FALSE" : value_.text;
    } else if (type_ == "e" || type_ == "d") {
      value = value_.text;
    } else {
      value = formatNumber(value_.text);
    }
    if (truncated || value.size() > limits_.maxCellBytes) {
      throw ReadAbort{
          invalidFile("cell " + cell + " is longer than " + std::to_string(limits_.maxCellBytes) + " bytes")};
    }
    if (isBlank(value)) return;  // also keeps far-right formatted but empty cells from widening the row
    if (column_ >= limits_.maxColumns) {
      throw ReadAbort{invalidFile("cell " + cell + " is in column " + std::to_string(column_ + 1) + "; at most " +
                                  std::to_string(limits_.maxColumns) + " columns are allowed")};
    }
    if (row_.size() <= column_) row_.resize(column_ + 1);
    row_[column_] = std::move(value);
  }

  TableBuilder& builder_;
  const std::vector<SharedString>& sharedStrings_;
  const ReadLimits& limits_;
  bool inSheetData_ = false, inInlineString_ = false, inPhonetic_ = false;
  std::size_t rowNumber_ = 0, column_ = 0, nextColumn_ = 0;
  std::string type_;
  TextCollector value_, inline_;
  TextCollector* collector_ = nullptr;
  std::vector<std::string> row_;
};

struct WorkbookParts {
  std::string workbook;
  std::string firstWorksheet;  // empty when the workbook has none
  std::string sharedStrings;   // empty when there are none
};

WorkbookParts locateParts(XlsxPackage& package) {
  WorkbookParts parts;
  RelationshipsHandler packageRelationships;
  if (std::string rels = package.find("_rels/.rels"); !rels.empty()) package.parse(rels, packageRelationships);
  for (const auto& [id, relationship] : packageRelationships.relationships) {
    if (endsWith(relationship.type, "/officeDocument"))
      parts.workbook = package.find(resolvePart("", relationship.target));
  }
  if (parts.workbook.empty()) parts.workbook = package.find("xl/workbook.xml");
  if (parts.workbook.empty()) {
    throw ReadAbort{invalidFile("the zip file has no workbook (xl/workbook.xml): it is not an XLSX spreadsheet")};
  }

  WorkbookHandler workbook;
  package.parse(parts.workbook, workbook);
  if (!workbook.isWorkbook) {
    throw ReadAbort{invalidFile("the zip file is not an XLSX spreadsheet (its main part is " + parts.workbook + ")")};
  }
  RelationshipsHandler workbookRelationships;
  if (std::string rels = package.find(relationshipsPartOf(parts.workbook)); !rels.empty()) {
    package.parse(rels, workbookRelationships);
  }
  const std::string base = directoryOf(parts.workbook);
  for (const auto& id : workbook.sheetIds) {  // the first sheet that is a worksheet, not a chart sheet
    auto it = workbookRelationships.relationships.find(id);
    if (it != workbookRelationships.relationships.end() && endsWith(it->second.type, "/worksheet")) {
      parts.firstWorksheet = package.find(resolvePart(base, it->second.target));
      break;
    }
  }
  for (const auto& [id, relationship] : workbookRelationships.relationships) {
    if (endsWith(relationship.type, "/sharedStrings")) {
      parts.sharedStrings = package.find(resolvePart(base, relationship.target));
    }
  }
  return parts;
}

}  // namespace

core::Result<Table> readCsv(std::string_view bytes, const ReadLimits& limits) {
  if (bytes.starts_with(kUtf8Bom)) bytes.remove_prefix(kUtf8Bom.size());
  if (auto valid = checkUtf8ByLine(bytes); !valid) return valid.error();
  return CsvParser(bytes, limits).parse();
}

core::Result<Table> readXlsx(const std::string& bytes, const ReadLimits& limits) {
  std::string_view view = bytes;
  if (view.starts_with(kOle2Signature)) return invalidFile(std::string(kOle2Message));
  if (!view.starts_with(kZipSignature)) return invalidFile("the file is not an XLSX spreadsheet (not a zip file)");
  if (!hasEndRecord(view)) return invalidFile(std::string(kTruncatedMessage));
  try {
    XlsxPackage package(bytes, limits.maxUncompressedBytes);
    WorkbookParts parts = locateParts(package);
    if (parts.firstWorksheet.empty()) return invalidFile("the workbook has no worksheet");

    std::vector<SharedString> sharedStrings;
    if (!parts.sharedStrings.empty()) {
      SharedStringsHandler handler(limits.maxCellBytes + 1);
      package.parse(parts.sharedStrings, handler);
      sharedStrings = std::move(handler.strings);
    }
    TableBuilder builder(limits, "row");
    SheetHandler sheet(builder, sharedStrings, limits);
    package.parse(parts.firstWorksheet, sheet);
    return builder.finish();
  } catch (const ReadAbort& abort) {
    return abort.error;
  } catch (const Poco::Exception& e) {
    return invalidFile("the XLSX file is damaged: " + e.displayText());
  } catch (const std::exception& e) {  // std::ios failures from damaged zip data
    return invalidFile(std::string("the XLSX file is damaged: ") + e.what());
  }
}

core::Result<Table> readTable(const std::string& bytes, const ReadLimits& limits) {
  std::string_view view = bytes;
  if (view.starts_with(kZipSignature) || view.starts_with(kOle2Signature)) return readXlsx(bytes, limits);
  return readCsv(bytes, limits);
}

}  // namespace cw::registry
