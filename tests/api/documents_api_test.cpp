// Filing documents over real HTTP: type checked by content, stored once by hash, served only to those who may
// see the filing, audited.

#include "api/api_fixture.hpp"
#include "cw/core/crypto.hpp"

namespace cw::testing {
namespace {

class DocumentsApi : public ApiTest {
 protected:
  HttpReply as(const std::string& token, const std::string& method, const std::string& path,
               const std::string& body = "", const std::string& type = "application/json") {
    return client().request(method, path, body, {{"Authorization", "Bearer " + token}, {"Content-Type", type}});
  }
};

TEST_F(DocumentsApi, UploadCheckDownloadAndIsolation) {
  std::string inst = login("inst.kangle");
  auto filing = as(inst, "POST", "/api/v1/filings",
                   R"({"kind":"new","record":{"ownership":"private_nonprofit","address":"濂溪区莲花镇 1 号",
                       "legal_rep_name":"赵刚","legal_rep_id_number":"360402198001011231","capacity":100}})");
  ASSERT_EQ(filing.status, 201) << filing.body;
  std::string base = "/api/v1/filings/" + std::to_string(filing.json()->getValue<std::int64_t>("id")) + "/documents";
  std::string pdf = "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

  auto uploaded = as(inst, "POST", base + "?name=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf", pdf, "application/pdf");
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  EXPECT_EQ(uploaded.json()->getValue<std::string>("sha256"), core::sha256Hex(pdf));
  EXPECT_EQ(uploaded.json()->getValue<std::string>("name"), "营业执照.pdf");
  EXPECT_EQ(uploaded.json()->getValue<std::string>("media_type"), "application/pdf");

  auto again = as(inst, "POST", base + "?name=copy.pdf", pdf, "application/pdf");
  EXPECT_EQ(again.status, 409);
  auto exe = as(inst, "POST", base + "?name=scan.pdf", std::string("MZ\x90\x00\x03 not a pdf", 16), "application/pdf");
  EXPECT_EQ(exe.status, 400);
  EXPECT_EQ(exe.json()->getObject("error")->getValue<std::string>("field"), "file");
  auto noName = as(inst, "POST", base, pdf, "application/pdf");
  EXPECT_EQ(noName.status, 400);
  EXPECT_EQ(as(inst, "POST", base + "?name=..%2Fetc.pdf", "%PDF-x", "application/pdf").status, 400);

  auto list = as(inst, "GET", base);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json()->getArray("items")->size(), 1u);
  std::string sha = core::sha256Hex(pdf);
  auto download = as(inst, "GET", base + "/" + sha);
  ASSERT_EQ(download.status, 200);
  EXPECT_EQ(download.body, pdf);
  EXPECT_EQ(download.headers["content-type"], "application/pdf");
  EXPECT_NE(download.headers["content-disposition"].find("attachment"), std::string::npos);

  std::string mz = login("mz.wangli");  // the reviewing department sees it
  EXPECT_EQ(as(mz, "GET", base + "/" + sha).status, 200);
  std::string wj = login("wj.chenjing");  // another department does not
  EXPECT_EQ(as(wj, "GET", base + "/" + sha).status, 404);
  std::string bureau = login("sj.credit");
  EXPECT_EQ(as(bureau, "GET", base).status, 403);
  EXPECT_EQ(as(inst, "GET", base + "/" + std::string(64, 'a')).status, 404);
  EXPECT_EQ(as(inst, "GET", base + "/nothex").status, 400);

  std::string admin = login("admin");
  auto audit = as(admin, "GET", "/api/v1/admin/audit?action=filing.document_add");
  EXPECT_EQ(audit.json()->getValue<int>("total"), 1);
}

}  // namespace
}  // namespace cw::testing
