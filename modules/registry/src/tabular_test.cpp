#include "cw/registry/tabular.hpp"

#include <Poco/DateTime.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>
#include <Poco/Zip/Compress.h>
#include <Poco/Zip/ZipArchive.h>
#include <Poco/Zip/ZipStream.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <utility>

#ifndef CW_REGISTRY_TESTDATA
#error "CW_REGISTRY_TESTDATA must name modules/registry/testdata"
#endif

namespace cw::registry {
namespace {

using Rows = std::vector<std::vector<std::string>>;
using Cells = std::vector<std::optional<std::string>>;

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A zip holding `parts` (name -> content), written by POCO the way any zip tool would.
std::string zipOf(const std::vector<std::pair<std::string, std::string>>& parts) {
  std::ostringstream out;
  Poco::Zip::Compress compress(out, true);
  for (const auto& [name, content] : parts) {
    std::istringstream in(content);
    compress.addFile(in, Poco::DateTime(2024, 1, 1), Poco::Path(name, Poco::Path::PATH_UNIX),
                     Poco::Zip::ZipCommon::CM_DEFLATE, Poco::Zip::ZipCommon::CL_NORMAL);
  }
  compress.close();
  return out.str();
}

/// The inflated text of one part of a zip.
std::string partOf(const std::string& zip, const std::string& name) {
  std::istringstream in(zip);
  Poco::Zip::ZipArchive archive(in);
  auto header = archive.findHeader(name);
  if (header == archive.headerEnd()) return {};
  in.clear();
  Poco::Zip::ZipInputStream entry(in, header->second, true);
  std::string text;
  Poco::StreamCopier::copyToString(entry, text);
  return text;
}

void expectFileError(const core::Result<Table>& result, std::string_view messagePart,
                     core::ErrorCode code = core::ErrorCode::InvalidArgument) {
  ASSERT_FALSE(result.ok()) << "expected an error containing: " << messagePart;
  EXPECT_EQ(result.error().code, code);
  EXPECT_EQ(result.error().field, "file");
  EXPECT_NE(result.error().message.find(messagePart), std::string::npos) << result.error().message;
}

TEST(ReadCsv, QuotedFieldsKeepCommasQuotesAndNewlines) {
  auto table = readCsv("名称,备注\n\"九江, 浔阳\",\"他说\"\"好\"\"\"\n\"第一行\n第二行\",x\n");
  ASSERT_TRUE(table.ok()) << table.error().message;
  EXPECT_EQ(table->header, (std::vector<std::string>{"名称", "备注"}));
  EXPECT_EQ(table->rows, (Rows{{"九江, 浔阳", "他说\"好\""}, {"第一行\n第二行", "x"}}));
  EXPECT_EQ(table->sourceRows, (std::vector<std::size_t>{2, 3}));
}

TEST(ReadCsv, SkipsBomAndAcceptsCrlf) {
  auto table = readCsv(
      "\xEF\xBB\xBF"
      "code,name\r\n0123,\"a\r\nb\"\r\n52360402MJA5K2818A,c\r\n");
  ASSERT_TRUE(table.ok()) << table.error().message;
  EXPECT_EQ(table->header, (std::vector<std::string>{"code", "name"}));
  EXPECT_EQ(table->rows, (Rows{{"0123", "a\r\nb"}, {"52360402MJA5K2818A", "c"}}));
  EXPECT_EQ(table->sourceRows, (std::vector<std::size_t>{2, 4}));
}

TEST(ReadCsv, KeepsChineseTextAndTrimsOnlyTheHeader) {
  // The header also loses ideographic and no-break spaces, as pasted Chinese text carries them.
  auto table = readCsv(" 机构名称 ,\xE3\x80\x80统一社会信用代码\xC2\xA0\n 九江市社会福利院 ,52360402MJA5K2818A\r");
  ASSERT_TRUE(table.ok()) << table.error().message;
  EXPECT_EQ(table->header, (std::vector<std::string>{"机构名称", "统一社会信用代码"}));
  EXPECT_EQ(table->rows, (Rows{{" 九江市社会福利院 ", "52360402MJA5K2818A"}}));
}

TEST(ReadCsv, SkipsBlankRowsAndReportsTheLineOfEachRow) {
  auto table = readCsv("\n,,\na,b,c,\n\n  , \t\n1,2,3\n,,\n4,\"\",6\n\n");
  ASSERT_TRUE(table.ok()) << table.error().message;
  EXPECT_EQ(table->header, (std::vector<std::string>{"a", "b", "c"}));  // trailing empty column dropped
  EXPECT_EQ(table->rows, (Rows{{"1", "2", "3"}, {"4", "", "6"}}));
  EXPECT_EQ(table->sourceRows, (std::vector<std::size_t>{6, 8}));
}

TEST(ReadCsv, PadsShortRowsAndDropsCellsBeyondTheHeader) {
  auto table = readCsv("a,b,c\n1\n1,2,3,4\n");
  ASSERT_TRUE(table.ok()) << table.error().message;
  EXPECT_EQ(table->rows, (Rows{{"1", "", ""}, {"1", "2", "3"}}));

  auto noFinalNewline = readCsv("a,b,c\n1,\"2\"\r");
  ASSERT_TRUE(noFinalNewline.ok()) << noFinalNewline.error().message;
  EXPECT_EQ(noFinalNewline->rows, (Rows{{"1", "2", ""}}));
}

TEST(ReadCsv, InvalidUtf8IsAnErrorNamingTheLine) {
  // "机构" in GBK, as older Excel saves CSV on Chinese Windows.
  auto result = readCsv("name,code\nok,1\n\xbb\xfa\xb9\xb9,2\n");
  expectFileError(result, "line 3 is not valid UTF-8");
}

TEST(ReadCsv, TooManyColumnsIsAnError) {
  ReadLimits limits;
  limits.maxColumns = 3;
  EXPECT_TRUE(readCsv("a,b,c,,\n1,2,3,,\n", limits).ok());  // empty fields past the limit are harmless
  expectFileError(readCsv("a,b,c\n1,2,3,4\n", limits), "line 2 has a value in column 4; at most 3 columns");
}

TEST(ReadCsv, TooManyRowsIsPayloadTooLarge) {
  ReadLimits limits;
  limits.maxRows = 2;
  EXPECT_TRUE(readCsv("h\n1\n2\n\n", limits).ok());
  expectFileError(readCsv("h\n1\n2\n3\n", limits), "more than 2 data rows (limit reached at line 4)",
                  core::ErrorCode::PayloadTooLarge);
}

TEST(ReadCsv, OversizedCellIsAnError) {
  ReadLimits limits;
  limits.maxCellBytes = 4;
  EXPECT_TRUE(readCsv("h\n1234\n\"5678\"\n", limits).ok());
  expectFileError(readCsv("h\n12345\n", limits), "line 2, column 1 is longer than 4 bytes");
  expectFileError(readCsv("h\nx,\"123\n45\"\n", limits), "line 2, column 2 is longer than 4 bytes");
}

TEST(ReadCsv, MalformedQuotingIsAnErrorNamingTheLine) {
  expectFileError(readCsv("a,b\n1,\"open\n2,3\n"), "line 2, column 2: the quoted field is never closed");
  expectFileError(readCsv("a,b\n1,\"x\"y\n"), "line 2, column 2: unexpected text after a closing quote");
  auto literal = readCsv("a\n5\" tall\n");  // a quote inside an unquoted field is kept
  ASSERT_TRUE(literal.ok());
  EXPECT_EQ(literal->rows, (Rows{{"5\" tall"}}));
}

TEST(ReadCsv, EmptyFileHasNoHeader) {
  expectFileError(readCsv(""), "no header row");
  expectFileError(readCsv("\xEF\xBB\xBF\r\n,\r\n"), "no header row");
}

class XlsxFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("cw_tabular_" + std::to_string(::getpid()) + "_" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

TEST_F(XlsxFiles, WrittenStringsReadBackIdentically) {
  const std::vector<std::string> header{"机构名称", "统一社会信用代码", "编号", "备注"};
  const std::vector<Cells> rows{
      {"九江市社会福利院", "52360402MJA5K2818A", "0123", "含,逗号\"引号\""},
      {"空格", std::nullopt, "", "第一行\n第二行"},
      {std::nullopt, std::nullopt},  // blank: skipped by the reader
      {"  前后空格  ", "123456789012345678", "=1+1", "TRUE"},
      {"1.50", "1e5", "-0", "tab\there, bell\x07, _x0041_ stays"},
  };
  XlsxWriter writer(path("out.xlsx"), "机构名单", header);
  for (const auto& row : rows) writer.addRow(row);
  writer.close();

  auto table = readXlsx(readFile(path("out.xlsx")));
  ASSERT_TRUE(table.ok()) << table.error().message;
  EXPECT_EQ(table->header, header);
  EXPECT_EQ(table->rows, (Rows{
                             {"九江市社会福利院", "52360402MJA5K2818A", "0123", "含,逗号\"引号\""},
                             {"空格", "", "", "第一行\n第二行"},
                             {"  前后空格  ", "123456789012345678", "=1+1", "TRUE"},
                             {"1.50", "1e5", "-0", "tab\there, bell\x07, _x0041_ stays"},
                         }));
  EXPECT_EQ(table->sourceRows, (std::vector<std::size_t>{2, 3, 5, 6}));
}

TEST_F(XlsxFiles, HeaderIsBoldAndFrozenAndColumnsFitChineseText) {
  XlsxWriter writer(path("styled.xlsx"), "Sheet1", {"统一社会信用代码", "id"});
  writer.addRow({"52360402MJA5K2818A", "1"});
  writer.close();
  const std::string zip = readFile(path("styled.xlsx"));
  const std::string sheet = partOf(zip, "xl/worksheets/sheet1.xml");
  EXPECT_NE(sheet.find("ySplit=\"1\""), std::string::npos) << sheet;
  EXPECT_NE(sheet.find("state=\"frozen\""), std::string::npos);
  EXPECT_NE(sheet.find("numberStoredAsText=\"1\""), std::string::npos);
  // The 18-character code is wider than 8 bold CJK characters (8 * 2 * 1.1): 18 + 2 of padding, which
  // libxlsxwriter stores as 20.71; the short "id" column keeps the minimum of 8.
  EXPECT_NE(sheet.find("<col min=\"1\" max=\"1\" width=\"20.7"), std::string::npos) << sheet;
  EXPECT_NE(sheet.find("<col min=\"2\" max=\"2\" width=\"8.7"), std::string::npos) << sheet;
  EXPECT_NE(partOf(zip, "xl/styles.xml").find("<b/>"), std::string::npos);
}

TEST_F(XlsxFiles, WriterReportsBadPathsAndSheetNames) {
  EXPECT_THROW(XlsxWriter(path("missing-dir/x.xlsx"), "Sheet1", {"a"}), std::runtime_error);
  EXPECT_THROW(XlsxWriter(path("bad-name.xlsx"), "a[1]", {"a"}), std::runtime_error);
  EXPECT_FALSE(std::filesystem::exists(path("bad-name.xlsx")));
  XlsxWriter writer(path("closed.xlsx"), "Sheet1", {"a"});
  writer.close();
  writer.close();  // a second close does nothing
  EXPECT_THROW(writer.addRow({"x"}), std::logic_error);
}

TEST_F(XlsxFiles, DestructorClosesTheFile) {
  {
    XlsxWriter writer(path("implicit.xlsx"), "Sheet1", {"a"});
    writer.addRow({"1"});
  }
  auto table = readXlsx(readFile(path("implicit.xlsx")));
  ASSERT_TRUE(table.ok()) << table.error().message;
  EXPECT_EQ(table->rows, (Rows{{"1"}}));
}

// Stands in for the 100,000-row export: enough rows to show constant-memory writing and streaming reading work
// at volume while the unit suite stays fast. The time is printed for a rough comparison between machines.
TEST_F(XlsxFiles, FiveThousandRowsRoundTrip) {
  constexpr std::size_t kRows = 5000;
  auto cellsOf = [](std::size_t i) {
    std::string n = std::to_string(i);
    return std::vector<std::string>{"5236040" + std::string(11 - std::min<std::size_t>(n.size(), 11), '0') + n,
                                    "九江市第" + n + "养老院", "0" + n, "浔阳区 " + n + " 号"};
  };
  auto start = std::chrono::steady_clock::now();
  {
    XlsxWriter writer(path("bulk.xlsx"), "数据", {"代码", "名称", "编号", "地址"});
    for (std::size_t i = 0; i < kRows; ++i) {
      auto cells = cellsOf(i);
      writer.addRow(Cells(cells.begin(), cells.end()));
    }
    writer.close();
  }
  auto written = std::chrono::steady_clock::now();
  auto table = readXlsx(readFile(path("bulk.xlsx")));
  auto read = std::chrono::steady_clock::now();
  ASSERT_TRUE(table.ok()) << table.error().message;
  ASSERT_EQ(table->rows.size(), kRows);
  for (std::size_t i = 0; i < kRows; ++i) {
    ASSERT_EQ(table->rows[i], cellsOf(i)) << "row " << i;
    ASSERT_EQ(table->sourceRows[i], i + 2);
  }
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  std::cout << "[ timing   ] " << kRows << " rows: write " << duration_cast<milliseconds>(written - start).count()
            << " ms, read " << duration_cast<milliseconds>(read - written).count() << " ms\n";
}

TEST(ReadXlsx, OpenpyxlFileWithMissingCellsAndNumbers) {
  auto table = readXlsx(readFile(std::filesystem::path(CW_REGISTRY_TESTDATA) / "openpyxl_sparse.xlsx"));
  ASSERT_TRUE(table.ok()) << table.error().message;
  EXPECT_EQ(table->header, (std::vector<std::string>{"机构名称", "统一社会信用代码", "床位数", "负责人", "备注"}));
  EXPECT_EQ(table->rows, (Rows{
                             {"九江市福利院", "52360402MJA5K2818A", "120", "张三", ""},
                             {"浔阳区敬老院", "", "35.5", "", "含\"引号\", 逗号"},
                             {"", "0123", "TRUE", "45292", "第一行\n第二行"},
                             {"长码", "123456789012346000", "0.3", "", ""},
                         }));
  EXPECT_EQ(table->sourceRows, (std::vector<std::size_t>{2, 4, 5, 10}));
}

// The parts of an .xlsx as Excel writes them, cut down to what the reader looks at, with the variations other
// producers use: a chart sheet listed first, an absolute relationship target, a namespace prefix, cells
// without references, rich text, phonetic guides and _xHHHH_ escapes in shared strings.
std::vector<std::pair<std::string, std::string>> excelStyleParts(const std::string& sheetData) {
  const std::string main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
  const std::string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  return {
      {"[Content_Types].xml", R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
                              R"(<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>)"},
      {"_rels/.rels", R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
                      R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
                      R"(<Relationship Id="rId1" Type=")" +
                          rel +
                          R"(/officeDocument" Target="xl/workbook.xml"/>)"
                          R"(</Relationships>)"},
      {"xl/workbook.xml", R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
                          R"(<workbook xmlns=")" +
                              main + R"(" xmlns:r=")" + rel +
                              R"("><sheets>)"
                              R"(<sheet name="图表" sheetId="3" r:id="rId3"/>)"
                              R"(<sheet name="名单" sheetId="1" r:id="rId2"/>)"
                              R"(<sheet name="Other" sheetId="2" r:id="rId1"/>)"
                              R"(</sheets></workbook>)"},
      {"xl/_rels/workbook.xml.rels",
       R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
       R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
       R"(<Relationship Id="rId1" Type=")" +
           rel +
           R"(/worksheet" Target="worksheets/sheet1.xml"/>)"
           R"(<Relationship Id="rId2" Type=")" +
           rel +
           R"(/worksheet" Target="/xl/worksheets/sheet2.xml"/>)"
           R"(<Relationship Id="rId3" Type=")" +
           rel +
           R"(/chartsheet" Target="chartsheets/sheet1.xml"/>)"
           R"(<Relationship Id="rId4" Type=")" +
           rel +
           R"(/sharedStrings" Target="sharedStrings.xml"/>)"
           R"(</Relationships>)"},
      {"xl/sharedStrings.xml", R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
                               R"(<sst xmlns=")" +
                                   main +
                                   R"(" count="6" uniqueCount="6">)"
                                   R"(<si><t>机构名称</t></si>)"
                                   R"(<si><t xml:space="preserve"> 代码 </t></si>)"
                                   R"(<si><r><rPr><b/></rPr><t>九江</t></r><r><t>市福利院</t></r></si>)"
                                   R"(<si><t>山田</t><rPh sb="0" eb="2"><t>ヤマダ</t></rPh></si>)"
                                   "<si><t>line1_x000D_\nline2 _x005F_x0041_</t></si>"
                                   R"(<si><t>0123</t></si>)"
                                   R"(</sst>)"},
      {"xl/worksheets/sheet1.xml", R"(<worksheet xmlns=")" + main +
                                       R"("><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>other sheet</t>)"
                                       R"(</is></c></row></sheetData></worksheet>)"},
      {"xl/worksheets/sheet2.xml", R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
                                   R"(<x:worksheet xmlns:x=")" +
                                       main + R"("><x:sheetData>)" + sheetData + R"(</x:sheetData></x:worksheet>)"},
  };
}

const std::string kExcelRows =
    R"(<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c>)"
    R"(<x:c r="C1" t="inlineStr"><x:is><x:t>数值</x:t></x:is></x:c><x:c r="D1" t="inlineStr"><x:is><x:t>其他</x:t>)"
    R"(</x:is></x:c><x:c r="E1" s="2"/></x:row>)"
    R"(<x:row r="2"><x:c r="A2" t="s"><x:v>2</x:v></x:c><x:c r="B2" t="s" s="1"><x:v>5</x:v></x:c>)"
    R"(<x:c r="C2"><x:v>1.5E-3</x:v></x:c><x:c r="D2" t="e"><x:v>#N/A</x:v></x:c></x:row>)"
    R"(<x:row r="3"><x:c t="s"><x:v>3</x:v></x:c><x:c t="s"><x:v>4</x:v></x:c>)"
    R"(<x:c><x:v>3.60402199001011E+17</x:v></x:c><x:c t="str"><x:f>A1</x:f><x:v>公式结果</x:v></x:c></x:row>)"
    R"(<x:row r="5"><x:c r="B5"><x:f>SUM(1)</x:f></x:c><x:c r="D5" t="b"><x:v>0</x:v></x:c></x:row>)"
    R"(<x:row r="6"><x:c r="A6" s="3"/><x:c r="XFD6" s="3"/></x:row>)"
    R"(<x:row r="7"><x:c r="C7"><x:v>-2.2999999999999998</x:v></x:c><x:c r="D7"><x:v>1.0</x:v></x:c></x:row>)";

TEST(ReadXlsx, ExcelStyleSharedStringsAndSparseCells) {
  auto table = readXlsx(zipOf(excelStyleParts(kExcelRows)));
  ASSERT_TRUE(table.ok()) << table.error().message;
  EXPECT_EQ(table->header, (std::vector<std::string>{"机构名称", "代码", "数值", "其他"}));
  EXPECT_EQ(table->rows, (Rows{
                             {"九江市福利院", "0123", "0.0015", "#N/A"},
                             {"山田", "line1\r\nline2 _x0041_", "360402199001011000", "公式结果"},
                             {"", "", "", "FALSE"},
                             {"", "", "-2.3", "1"},
                         }));
  EXPECT_EQ(table->sourceRows, (std::vector<std::size_t>{2, 3, 5, 7}));
}

TEST(ReadXlsx, MissingSharedStringIsAnErrorNamingTheCell) {
  auto result = readXlsx(zipOf(excelStyleParts(
      R"(<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c></x:row><x:row r="2"><x:c r="A2" t="s"><x:v>99</x:v>)"
      R"(</x:c></x:row>)")));
  expectFileError(result, "cell A2 refers to a shared string that does not exist");
}

TEST(ReadXlsx, TooManyColumnsOrRowsIsAnError) {
  ReadLimits limits;
  limits.maxColumns = 3;
  expectFileError(readXlsx(zipOf(excelStyleParts(kExcelRows)), limits),
                  "cell D1 is in column 4; at most 3 columns are allowed");
  limits = {};
  limits.maxRows = 3;
  expectFileError(readXlsx(zipOf(excelStyleParts(kExcelRows)), limits),
                  "more than 3 data rows (limit reached at row 7)", core::ErrorCode::PayloadTooLarge);
}

TEST(ReadXlsx, NonZipIsAClearError) {
  expectFileError(readXlsx("name,code\n1,2\n"), "not an XLSX spreadsheet (not a zip file)");
  expectFileError(readXlsx(""), "not a zip file");
  expectFileError(readXlsx(std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + std::string(504, '\0')), "legacy .xls");
}

TEST(ReadXlsx, ZipWithoutWorkbookIsAClearError) {
  expectFileError(readXlsx(zipOf({{"readme.txt", "hello"}})), "no workbook");
}

TEST(ReadXlsx, TruncatedZipIsAClearError) {
  const std::string whole = zipOf(excelStyleParts(kExcelRows));
  ASSERT_TRUE(readXlsx(whole).ok());
  for (std::size_t keep :
       {std::size_t{10}, std::size_t{40}, whole.size() / 3, whole.size() / 2, whole.size() - 30, whole.size() - 1}) {
    auto result = readXlsx(whole.substr(0, keep));
    ASSERT_FALSE(result.ok()) << "kept " << keep << " of " << whole.size() << " bytes";
    EXPECT_EQ(result.error().code, core::ErrorCode::InvalidArgument) << result.error().message;
    EXPECT_NE(result.error().message.find("damaged"), std::string::npos) << result.error().message;
  }
}

std::vector<std::pair<std::string, std::string>> withBigSheet() {
  std::string rows = R"(<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>h</x:t></x:is></x:c></x:row>)";
  rows += "<!--" + std::string(300 << 10, ' ') + "-->";  // 300 KB that deflate squeezes to under 1 KB
  return excelStyleParts(rows);
}

TEST(ReadXlsx, ZipEntryOverTheLimitIsRejected) {
  ReadLimits limits;
  limits.maxUncompressedBytes = 256 << 10;
  const std::string bomb = zipOf(withBigSheet());
  ASSERT_LT(bomb.size(), 10'000u);
  ASSERT_TRUE(readXlsx(bomb).ok());
  expectFileError(readXlsx(bomb, limits), "xl/worksheets/sheet2.xml unpacks to more than 256 KB",
                  core::ErrorCode::PayloadTooLarge);
}

// Overwrites the uncompressed size that the local and central headers of `name` declare.
void fakeUncompressedSize(std::string& zip, const std::string& name, std::uint32_t size) {
  auto patch = [&](std::string_view signature, std::size_t nameLengthAt, std::size_t nameAt, std::size_t sizeAt) {
    for (std::size_t at = zip.find(signature); at != std::string::npos; at = zip.find(signature, at + 1)) {
      auto nameLength = static_cast<std::size_t>(static_cast<unsigned char>(zip[at + nameLengthAt]) |
                                                 static_cast<unsigned char>(zip[at + nameLengthAt + 1]) << 8);
      if (zip.compare(at + nameAt, nameLength, name) != 0) continue;
      for (std::size_t k = 0; k < 4; ++k) zip[at + sizeAt + k] = static_cast<char>((size >> (8 * k)) & 0xFF);
    }
  };
  patch(std::string_view("PK\x03\x04", 4), 26, 30, 22);
  patch(std::string_view("PK\x01\x02", 4), 28, 46, 24);
}

TEST(ReadXlsx, ZipBombWithLyingHeadersStopsAtTheLimit) {
  ReadLimits limits;
  limits.maxUncompressedBytes = 256 << 10;
  std::string bomb = zipOf(withBigSheet());
  fakeUncompressedSize(bomb, "xl/worksheets/sheet2.xml", 1000);
  std::istringstream in(bomb);
  Poco::Zip::ZipArchive archive(in);
  ASSERT_EQ(archive.findHeader("xl/worksheets/sheet2.xml")->second.getUncompressedSize(), 1000u);
  expectFileError(readXlsx(bomb, limits), "xl/worksheets/sheet2.xml unpacks to more than 256 KB",
                  core::ErrorCode::PayloadTooLarge);
}

TEST(ReadTable, ChoosesTheFormatByContentNotByName) {
  auto csv = readTable("PKey,name\n1,x\n");  // starts with "PK" but is text
  ASSERT_TRUE(csv.ok()) << csv.error().message;
  EXPECT_EQ(csv->header, (std::vector<std::string>{"PKey", "name"}));

  auto xlsx = readTable(zipOf(excelStyleParts(kExcelRows)));
  ASSERT_TRUE(xlsx.ok()) << xlsx.error().message;
  EXPECT_EQ(xlsx->header[0], "机构名称");

  expectFileError(readTable(zipOf({{"readme.txt", "hello"}})), "no workbook");
  expectFileError(readTable(std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)), "legacy .xls");
}

}  // namespace
}  // namespace cw::registry
