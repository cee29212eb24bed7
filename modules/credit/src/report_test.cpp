#include "cw/credit/report.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace cw::credit {
namespace {

ReportData sampleReport() {
  ReportData data;
  data.number = "CR-20261122-7KQ2M9XW4D";
  data.generatedAt = "2026-11-22 10:31";
  data.generatedBy = "市场监管信用科（sj.credit）";
  data.entityName = "九江市浔阳区康乐颐养院";
  data.entityCode = "91360403MA35XXXX7K";
  data.region = "江西省九江市浔阳区";
  data.kind = "养老机构";
  data.grade = "B";
  data.gradeLabel = "守信";
  data.score = 935;
  data.scorecard = "jiujiang-credit 2026.1";
  ReportSection records{"信用记录", {"日期", "类别", "事项", "决定机关"}, {}, "无"};
  records.rows.push_back({"2026-03-12", "行政处罚", "消防通道堵塞，责令限期整改", "九江市浔阳区消防救援大队"});
  records.rows.push_back({"2026-06-01", "表彰", "年度等级评定优秀", "九江市民政局"});
  ReportSection lists{"名单", {"名单", "列入日期", "原因"}, {}, "未列入任何名单"};
  data.sections = {records, lists};
  data.verifyHint = "核验：公众门户 → 信用报告核验，输入报告编号并比对 SHA-256";
  return data;
}

std::string render(const ReportData& data) {
  auto pdf = renderReport(data);
  EXPECT_TRUE(pdf.ok()) << (pdf.ok() ? "" : pdf.error().message);
  return pdf.ok() ? *pdf : std::string();
}

// Page dictionaries stay uncompressed in libharu (only content streams are deflated); "/Type /Pages" is the tree.
int pageObjects(std::string_view pdf) {
  constexpr std::string_view kPage = "/Type /Page";
  int count = 0;
  for (auto at = pdf.find(kPage); at != std::string_view::npos; at = pdf.find(kPage, at + 1)) {
    if (at + kPage.size() < pdf.size() && pdf[at + kPage.size()] != 's') ++count;
  }
  return count;
}

int pageTreeCount(std::string_view pdf) {
  const auto at = pdf.find("/Count ");
  if (at == std::string_view::npos) return -1;
  return std::stoi(std::string(pdf.substr(at + 7, 8)));
}

ReportSection manyRows(int count) {
  ReportSection section{"信用记录", {"序号", "事项"}, {}, "无"};
  for (int i = 0; i < count; ++i) section.rows.push_back({std::to_string(i + 1), "日常监督检查，未发现问题"});
  return section;
}

TEST(RenderReport, ProducesACompletePdfDocument) {
  const std::string pdf = render(sampleReport());
  ASSERT_GT(pdf.size(), 1000u);
  EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
  std::string_view tail(pdf);
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.remove_suffix(1);
  EXPECT_TRUE(tail.ends_with("%%EOF"));
}

TEST(RenderReport, UsesTheBuiltInChineseFontsWithGbkEncoding) {
  const std::string pdf = render(sampleReport());
  EXPECT_NE(pdf.find("/BaseFont /SimSun"), std::string::npos);
  EXPECT_NE(pdf.find("/BaseFont /SimHei"), std::string::npos);
  EXPECT_NE(pdf.find("/Encoding /GBK-EUC-H"), std::string::npos);
}

TEST(RenderReport, ContentStreamsAreCompressed) {
  const std::string pdf = render(sampleReport());
  EXPECT_NE(pdf.find("/Filter [ /FlateDecode ]"), std::string::npos);
}

TEST(RenderReport, ShortReportFitsOnOnePage) {
  const std::string pdf = render(sampleReport());
  EXPECT_EQ(pageObjects(pdf), 1);
  EXPECT_EQ(pageTreeCount(pdf), 1);
}

TEST(RenderReport, TwoHundredRowsSpanSeveralPages) {
  ReportData data = sampleReport();
  data.sections = {manyRows(200)};
  const std::string pdf = render(data);
  // A row is one line (19 pt) and a page holds about 37 of them.
  EXPECT_GE(pageObjects(pdf), 5);
  EXPECT_LE(pageObjects(pdf), 8);
  EXPECT_EQ(pageTreeCount(pdf), pageObjects(pdf));
}

TEST(RenderReport, SameInputGivesSameBytes) {
  ReportData data = sampleReport();
  data.sections.push_back(manyRows(80));
  EXPECT_EQ(render(data), render(data));
}

TEST(RenderReport, ConcurrentRendersAgree) {
  const ReportData data = sampleReport();
  const std::string expected = render(data);
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) {
    threads.emplace_back([&data, &result] {
      auto pdf = renderReport(data);
      if (pdf.ok()) result = *pdf;
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) EXPECT_EQ(result, expected);
}

TEST(RenderReport, InfoDatesComeFromGeneratedAtInChinaTime) {
  const std::string pdf = render(sampleReport());
  EXPECT_NE(pdf.find("/CreationDate (D:20261122103100+08'00')"), std::string::npos);
  EXPECT_NE(pdf.find("/ModDate (D:20261122103100+08'00')"), std::string::npos);
  EXPECT_NE(pdf.find("/Title <FEFF4FE1752862A5544A"), std::string::npos);  // 信用报告, as UTF-16BE
}

TEST(RenderReport, UnparseableOrImpossibleGeneratedAtLeavesTheDatesOut) {
  for (const char* when : {"soon", "2026-02-30 10:00", "2026-11-22 24:00", ""}) {
    ReportData data = sampleReport();
    data.generatedAt = when;
    const std::string pdf = render(data);
    EXPECT_EQ(pdf.find("/CreationDate"), std::string::npos) << when;
    EXPECT_EQ(pageObjects(pdf), 1) << when;
  }
}

// The text is deflated, so what a cell says is pinned through its size: a notice long enough to need several pages
// must add pages when shown, and must change nothing when the section has rows.
TEST(RenderReport, EmptySectionShowsItsEmptyText) {
  std::string longNotice;
  for (int i = 0; i < 3000; ++i) longNotice += "无";

  ReportData shortNotice = sampleReport();
  shortNotice.sections = {ReportSection{"名单", {"名单", "原因"}, {}, "未列入"}};
  ReportData manyLines = shortNotice;
  manyLines.sections[0].emptyText = longNotice;
  EXPECT_EQ(pageObjects(render(shortNotice)), 1);
  EXPECT_GE(pageObjects(render(manyLines)), 2);

  ReportData withRows = sampleReport();
  ReportData withRowsLongNotice = withRows;
  withRowsLongNotice.sections[0].emptyText = longNotice;
  EXPECT_EQ(render(withRows), render(withRowsLongNotice));
}

TEST(RenderReport, UnconvertibleCharactersBecomeQuestionMarks) {
  ReportData odd = sampleReport();
  odd.entityName = "康乐颐养院😀";                    // outside GBK: a four-byte GB18030 sequence
  odd.region = "九江\xff市";                          // malformed UTF-8
  odd.sections[0].rows[0][2] = "收费 €100，\xe4\xb8";  // € has no GBK-EUC-H glyph; a truncated sequence at the end
  ReportData plain = sampleReport();
  plain.entityName = "康乐颐养院?";
  plain.region = "九江?市";
  plain.sections[0].rows[0][2] = "收费 ?100，?";

  auto pdf = renderReport(odd);
  ASSERT_TRUE(pdf.ok()) << pdf.error().message;
  EXPECT_EQ(*pdf, render(plain));
}

TEST(RenderReport, LongCellsWrapOntoFurtherLinesAndPages) {
  std::string chinese;
  for (int i = 0; i < 1500; ++i) chinese += "整改";
  const std::string word(6000, 'x');  // one ASCII word longer than many lines

  for (const std::string& text : {chinese, word}) {
    ReportData data = sampleReport();
    data.sections = {ReportSection{"信用记录", {"日期", "事项"}, {{"2026-03-12", text}}, "无"}};
    EXPECT_GE(pageObjects(render(data)), 2) << text.substr(0, 12);
  }
}

TEST(RenderReport, RaggedRowsAndSectionsWithoutColumnsRender) {
  ReportData data = sampleReport();
  data.sections.push_back(ReportSection{"备注", {}, {{"只有一格"}, {"两格", "第二格"}, {}}, "无"});
  data.sections.push_back(ReportSection{"空节", {}, {}, "无"});
  data.sections.push_back(ReportSection{"", {"a", "b", "c"}, {{"1", "2", "3", "4"}}, ""});
  EXPECT_GE(pageObjects(render(data)), 1);
}

TEST(RenderReport, EmptyDataStillRenders) {
  const std::string pdf = render(ReportData{});
  EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
  EXPECT_EQ(pageObjects(pdf), 1);
}

}  // namespace
}  // namespace cw::credit
