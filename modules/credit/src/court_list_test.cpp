#include "cw/credit/court_list.hpp"

#include <gtest/gtest.h>

namespace cw::credit {
namespace {

constexpr const char* kRow =
    "91360400MA35L2K47N,九江某某养老服务有限公司,(2026)赣0402执1234号,濂溪区人民法院,2026-05-20,"
    "拒不履行生效判决确定的给付义务";

TEST(CourtList, ReadsRowsAfterAByteOrderMarkAndHeaderWithCrlfAndBlankLines) {
  auto lines = parseCourtList(std::string("\xEF\xBB\xBF") + "code,name,document_no,court,decided_on,facts\r\n\r\n" +
                              kRow + "\r\n");
  ASSERT_TRUE(lines.ok()) << lines.error().message;
  ASSERT_EQ(lines->size(), 1u);
  EXPECT_EQ((*lines)[0].number, 3);
  ASSERT_EQ((*lines)[0].cells.size(), 6u);
  EXPECT_EQ((*lines)[0].cells[0], "91360400MA35L2K47N");
  EXPECT_EQ((*lines)[0].cells[4], "2026-05-20");
}

TEST(CourtList, RefusesTheWholeListNamingTheFirstBadLine) {
  auto wrongCheck = parseCourtList(std::string(kRow) + "\n91360400MA35L2K470,某公司,文书1,法院,2026-05-20,事实\n");
  ASSERT_FALSE(wrongCheck.ok());
  EXPECT_EQ(wrongCheck.error().field, "csv");
  EXPECT_NE(wrongCheck.error().message.find("line 2"), std::string::npos) << wrongCheck.error().message;

  auto badDate = parseCourtList("91360400MA35L2K47N,某公司,文书1,法院,2026-02-30,事实\n");
  ASSERT_FALSE(badDate.ok());
  EXPECT_NE(badDate.error().message.find("decided_on"), std::string::npos);

  auto fiveColumns = parseCourtList("91360400MA35L2K47N,某公司,文书1,法院,2026-05-20\n");
  ASSERT_FALSE(fiveColumns.ok());
  EXPECT_NE(fiveColumns.error().message.find("found 5"), std::string::npos);

  auto emptyCourt = parseCourtList("91360400MA35L2K47N,某公司,文书1, ,2026-05-20,事实\n");
  ASSERT_FALSE(emptyCourt.ok());
  EXPECT_NE(emptyCourt.error().message.find("column 4 is empty"), std::string::npos);
}

// Each cell fits the column it is stored in: a longer one was a 500 (data too long) for the whole file.
TEST(CourtList, RefusesACellLongerThanItsColumnNamingLineAndColumn) {
  auto row = [](const std::string& name, const std::string& documentNo, const std::string& court) {
    return std::string(kRow) + "\n91360400MA35L2K47N," + name + "," + documentNo + "," + court + ",2026-05-20,事实\n";
  };
  auto repeat = [](const std::string& unit, std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += unit;
    return s;
  };
  ASSERT_TRUE(parseCourtList(row(repeat("名", kMaxNameChars), repeat("D", kMaxDocumentNoChars),
                                 repeat("院", kMaxCourtChars)))
                  .ok());

  auto longName = parseCourtList(row(repeat("名", kMaxNameChars + 1), "文书1", "法院"));
  ASSERT_FALSE(longName.ok());
  EXPECT_EQ(longName.error().field, "csv");
  EXPECT_EQ(longName.error().message, "line 2: name must be at most 128 characters (got 129)");

  auto longDocument = parseCourtList(row("某公司", repeat("D", kMaxDocumentNoChars + 1), "法院"));
  ASSERT_FALSE(longDocument.ok());
  EXPECT_EQ(longDocument.error().message, "line 2: document_no must be at most 64 characters (got 65)");

  auto longCourt = parseCourtList(row("某公司", "文书1", repeat("院", kMaxCourtChars + 1)));
  ASSERT_FALSE(longCourt.ok());
  EXPECT_EQ(longCourt.error().message, "line 2: court must be at most 120 characters (got 121)");

  auto controlCharacter = parseCourtList(row("某\x01公司", "文书1", "法院"));
  ASSERT_FALSE(controlCharacter.ok());
  EXPECT_NE(controlCharacter.error().message.find("line 2: name must not contain control characters"),
            std::string::npos);
}

TEST(CourtList, AListWithOnlyAHeaderHasNoRows) {
  auto lines = parseCourtList("code,name,document_no,court,decided_on,facts\n\n");
  ASSERT_FALSE(lines.ok());
  EXPECT_EQ(lines.error().message, "the list has no rows");
}

}  // namespace
}  // namespace cw::credit
