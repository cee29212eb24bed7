// Bulk import and export over real HTTP: a 1,000-row XLSX with 3 bad rows is refused naming exactly those rows
// and changes nothing; partial import takes the rest; the export reads back.

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "api/api_fixture.hpp"
#include "cw/registry/codes.hpp"
#include "cw/registry/tabular.hpp"

namespace cw::testing {
namespace {

namespace fs = std::filesystem;

std::string creditCode(int n) {
  char org[16];
  std::snprintf(org, sizeof org, "MA%07d", n);  // digits and allowed letters only
  std::string first17 = std::string("52360423") + org;
  return first17 + registry::creditCodeCheckChar(first17);
}

std::string residentId(int n) {
  char first17[24];
  std::snprintf(first17, sizeof first17, "36042319700101%03d", n % 1000);
  return std::string(first17) + registry::residentIdCheckChar(first17);
}

// 1,000 rows; rows at indexes in `bad` are broken in three different ways.
std::string makeWorkbook(const std::set<int>& bad) {
  fs::path path = fs::temp_directory_path() / ("cw-import-" + std::to_string(::getpid()) + ".xlsx");
  {
    registry::XlsxWriter writer(path.string(), "机构",
                                {"统一社会信用代码", "机构名称", "机构类型", "举办性质", "行政区划", "地址",
                                 "法定代表人", "法定代表人身份证号码", "床位数/托位数"});
    for (int i = 0; i < 1000; ++i) {
      std::string code = creditCode(i);
      std::string region = "360423";
      std::string capacity = std::to_string(20 + i % 200);
      if (bad.count(i)) {
        if (i % 3 == 0) code.back() = code.back() == '0' ? '1' : '0';  // wrong check character
        else if (i % 3 == 1) capacity = "很多";                         // not a number
        else region = "999999";                                         // unknown region
      }
      writer.addRow({code, "武宁县导入测试养老院" + std::to_string(i), std::string("elderly_institution"),
                     std::string("private_nonprofit"), region, "武宁县新宁镇 " + std::to_string(i) + " 号",
                     std::string("测试人"), residentId(i), capacity});
    }
    writer.close();
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  fs::remove(path);
  return bytes.str();
}

class ImportApi : public ApiTest {
 protected:
  HttpReply as(const std::string& token, const std::string& method, const std::string& path,
               const std::string& body = "", const std::string& type = "application/json") {
    return client().request(method, path, body, {{"Authorization", "Bearer " + token}, {"Content-Type", type}});
  }
  Poco::JSON::Object::Ptr waitForJob(const std::string& token, const std::string& id) {
    for (int i = 0; i < 600; ++i) {
      auto reply = as(token, "GET", "/api/v1/jobs/" + id);
      EXPECT_EQ(reply.status, 200) << reply.body;
      auto job = reply.json();
      std::string state = job->getValue<std::string>("state");
      if (state != "queued" && state != "running") return job;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "import job " << id << " did not finish";
    return nullptr;
  }
  int count(const std::string& token) {
    return as(token, "GET", "/api/v1/institutions?region=360423").json()->getValue<int>("total");
  }
};

TEST_F(ImportApi, ThreeBadRowsRefuseTheWholeFileNamingExactlyThoseRows) {
  std::string mz = login("mz.wangli");
  int before = count(mz);
  std::set<int> bad{18, 418, 902};
  auto started = as(mz, "POST", "/api/v1/institutions/import", makeWorkbook(bad),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  ASSERT_EQ(started.status, 202) << started.body;
  auto job = waitForJob(mz, started.json()->getValue<std::string>("job_id"));
  ASSERT_TRUE(job);
  EXPECT_EQ(job->getValue<std::string>("state"), "done");
  auto result = job->getObject("result");
  EXPECT_TRUE(result->getValue<bool>("rejected"));
  EXPECT_EQ(result->getValue<int>("imported"), 0);
  auto errors = result->getArray("errors");
  std::set<int> rows;
  for (std::size_t i = 0; i < errors->size(); ++i) rows.insert(errors->getObject(static_cast<unsigned>(i))->getValue<int>("row"));
  EXPECT_EQ(rows, (std::set<int>{18 + 2, 418 + 2, 902 + 2}));  // header is row 1, data starts at row 2
  std::set<std::string> fields;
  for (std::size_t i = 0; i < errors->size(); ++i) {
    fields.insert(errors->getObject(static_cast<unsigned>(i))->getValue<std::string>("field"));
    EXPECT_FALSE(errors->getObject(static_cast<unsigned>(i))->getValue<std::string>("column").empty());
  }
  EXPECT_EQ(fields, (std::set<std::string>{"credit_code", "capacity", "region_code"}));
  EXPECT_EQ(count(mz), before);

  // Partial import takes the 997 good rows; the export then holds them.
  auto partial = as(mz, "POST", "/api/v1/institutions/import?partial=true", makeWorkbook(bad), "text/csv");
  ASSERT_EQ(partial.status, 202) << partial.body;
  auto done = waitForJob(mz, partial.json()->getValue<std::string>("job_id"));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->getObject("result")->getValue<int>("imported"), 997);
  EXPECT_EQ(done->getValue<int>("done"), 997);
  EXPECT_EQ(count(mz), before + 997);

  auto exported = as(mz, "GET", "/api/v1/institutions/export.xlsx?region=360423");
  ASSERT_EQ(exported.status, 200);
  EXPECT_EQ(exported.headers["x-row-count"], std::to_string(before + 997));
  auto table = registry::readXlsx(exported.body);
  ASSERT_TRUE(table.ok()) << table.error().message;
  EXPECT_EQ(table->rows.size(), static_cast<std::size_t>(before + 997));
  EXPECT_EQ(table->header[0], "统一社会信用代码");
  EXPECT_EQ(exported.body.find("36042319700101"), std::string::npos);  // ID numbers only masked
}

TEST_F(ImportApi, JobsAreOnlyVisibleToTheirCreatorAndBadFilesAreNamed) {
  std::string mz = login("mz.wangli");
  std::string other = login("mz.liuqiang");
  auto started = as(mz, "POST", "/api/v1/institutions/import", "not,a,known\nheader,row,here\n", "text/csv");
  ASSERT_EQ(started.status, 202);
  std::string id = started.json()->getValue<std::string>("job_id");
  auto job = waitForJob(mz, id);
  ASSERT_TRUE(job);
  auto errors = job->getObject("result")->getArray("errors");
  EXPECT_GE(errors->size(), 3u);
  EXPECT_EQ(errors->getObject(0)->getValue<int>("row"), 1);
  EXPECT_EQ(as(other, "GET", "/api/v1/jobs/" + id).status, 404);
  EXPECT_EQ(as(other, "POST", "/api/v1/institutions/import", "a,b\n1,2\n", "text/csv").status, 403);
  auto empty = as(mz, "POST", "/api/v1/institutions/import", "", "text/csv");
  EXPECT_EQ(empty.status, 400);
}

}  // namespace
}  // namespace cw::testing
