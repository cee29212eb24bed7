// Personal data over real HTTP against the real binary (docs/security-personal-data.md): the encrypted columns hold
// ciphertext and keyed indexes only; no plaintext ID number or complainant contact is anywhere in the database or
// the file store; every surface shows what the inventory says (the public portal nothing, staff the masked ID); the
// unmasked reads are audited, naming who read whose field; and the server's log carries none of the values the test
// submitted or looked up, in any encoding.
//
// One set of requests (drive()) submits and reads every personal field once through the routes the console uses,
// including query strings and failed validations; each test then checks one property of what it left behind.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "api/api_fixture.hpp"
#include "cw/core/crypto.hpp"
#include "cw/core/field_cipher.hpp"
#include "cw/core/random.hpp"
#include "cw/registry/codes.hpp"
#include "cw/registry/tabular.hpp"
#include "cw/server/app.hpp"

namespace cw::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kIdContext = "institution.legal_rep_id";
constexpr const char* kContactContext = "complaint.contact";

std::string residentId(const std::string& first17) { return first17 + registry::residentIdCheckChar(first17); }
std::string creditCode(const std::string& first17) { return first17 + registry::creditCodeCheckChar(first17); }
// The same number with a wrong check character: refused by validation, which must not echo it.
std::string wrongCheck(const std::string& id) { return id.substr(0, 17) + (id.back() == '1' ? '2' : '1'); }

// What the test submits. Names and numbers appear nowhere in the demo data.
const std::string kDirectCode = creditCode("52360429MJW4T5N6K");
const std::string kDirectId = residentId("36042919560714072");   // registered by the officer
const std::string kEditedId = residentId("36042919600229051");   // the officer's correction of it
const std::string kDirectRep = "欧阳秀英";
const std::string kDirectContact = "司马文静";
const std::string kDirectPhone = "13970261234";
const std::string kEditedPhone = "13807925566";
const std::string kFilingId = residentId("36040219710305062");   // 康乐养老院's first filing
const std::string kFilingRep = "上官明月";
const std::string kFilingContact = "诸葛晓雯";
const std::string kFilingPhone = "18907921357";
const std::string kChangeId = residentId("36040219750820083");   // its change filing (a new legal representative)
const std::string kChangeRep = "慕容志远";
const std::string kImportCode = creditCode("52360423MJQ8R7W6E");
const std::string kImportId = residentId("36042319810617094");   // a CSV import
const std::string kImportRep = "皇甫建华";
const std::string kImportPhone = "15979201122";
const std::string kImportBadCode = creditCode("52360423MJQ8R7W6F");
const std::string kImportBadId = wrongCheck(residentId("36042319820101015"));
const std::string kImportBadRep = "东方玉兰";
const std::string kRefusedId = wrongCheck(residentId("36042919900101013"));  // a 400 from the API
const std::string kUnknownPersonId = residentId("36040319661111027");         // a credit check of nobody known
const std::string kComplainantName = "令狐秀芝";
const std::string kComplainantPhone = "13607925678";
const std::string kComplainantEmail = "linghu.xiuzhi@example.cn";
const std::string kPhoneAsUsername = "13907921234";  // typed into the sign-in form's username

struct Needle {
  std::string label;
  std::string value;
};

// Percent-encoding of every byte outside RFC 3986's unreserved set; `plusForSpace` as HTML forms do.
std::string percentEncode(const std::string& s, bool upper, bool plusForSpace = false) {
  const char* hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
      out += static_cast<char>(ch);
    } else if (ch == ' ' && plusForSpace) {
      out += '+';
    } else {
      out += '%';
      out += hex[ch >> 4];
      out += hex[ch & 15];
    }
  }
  return out;
}

// JSON's \uXXXX form of every non-ASCII character (BMP only, which covers the names used here).
std::string jsonEscaped(const std::string& s, bool upper) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = c;
    std::size_t n = 1;
    if (c >= 0xE0 && c < 0xF0 && i + 2 < s.size()) {
      cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
      n = 3;
    } else if (c >= 0xC0 && c < 0xE0 && i + 1 < s.size()) {
      cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
      n = 2;
    }
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, upper ? "\\u%04X" : "\\u%04x", static_cast<unsigned>(cp));
      out += buf;
    }
    i += n;
  }
  return out;
}

// Every form in which a value could reach a log line: as is, URL-encoded (both cases, '+' for spaces), JSON-escaped,
// base64, and its plain SHA-256 (which, for an ID number or a phone number, is as good as the value).
std::vector<std::pair<std::string, std::string>> formsOf(const std::string& value) {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& form, std::string text) {
    if (seen.insert(text).second) out.emplace_back(form, std::move(text));
  };
  add("as is", value);
  add("percent-encoded", percentEncode(value, true));
  add("percent-encoded (lower case)", percentEncode(value, false));
  add("form-encoded", percentEncode(value, true, true));
  add("JSON \\u escapes", jsonEscaped(value, false));
  add("JSON \\u escapes (upper case)", jsonEscaped(value, true));
  add("base64", core::base64Encode(value));
  add("SHA-256", core::sha256Hex(value));
  return out;
}

bool isHex64(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

class PersonalData : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    database_ = new TestDatabase();
    env_ = carewatchEnv(database_->config());
    auto seeded = carewatch({"seed-demo"}, env_);
    ASSERT_EQ(seeded.exitCode, 0) << seeded.output;
    env_["CW_HAZARDS_COMPLAINTS_PER_HOUR"] = "100";
    server_ = new RunningServer(env_, "cw-api-pii-" + database_->name());
  }

  HttpReply as(const std::string& token, const std::string& method, const std::string& path,
               const std::string& body = "", const std::string& type = "application/json") {
    return client().request(method, path, body, {{"Authorization", "Bearer " + token}, {"Content-Type", type}});
  }

  /// The cipher the server uses: the test keys of carewatchEnv().
  static core::FieldCipher testCipher() {
    static core::SecureRandom random;
    return core::FieldCipher::create(env_.at("CW_PII_ENCRYPTION_KEY"), env_.at("CW_PII_INDEX_KEY"), random).value();
  }
  static std::string keyedIndex(const std::string& value, const std::string& context) {
    return testCipher().blindIndex(value, context);
  }

  std::int64_t idOf(const std::string& sql, const std::string& param) {
    auto lease = database_->pool().acquire();
    auto rows = lease->query(sql, param);
    return rows.empty() ? 0 : rows[0].i64("id");
  }

  /// Submits and reads every personal field once (see the file comment). Runs once per suite.
  void ensureDriven() {
    if (attempted_) return;
    attempted_ = true;
    drive();
    driven_ = !::testing::Test::HasFatalFailure();
  }

  void drive() {
    std::string mz = login("mz.wangli"), inst = login("inst.kangle"), bureau = login("sj.credit");
    ASSERT_FALSE(mz.empty() || inst.empty() || bureau.empty());

    // 1. The officer registers an institution directly, and corrects its ID number and contact phone.
    auto created = as(mz, "POST", "/api/v1/institutions",
                      R"({"credit_code":")" + kDirectCode + R"(","name":"湖口县个人信息测试养老院",)"
                      R"("kind":"elderly_institution","ownership":"private_nonprofit","region_code":"360429",)"
                      R"("address":"湖口县双钟镇石钟路 9 号","legal_rep_name":")" + kDirectRep +
                          R"(","legal_rep_id_number":")" + kDirectId + R"(","contact_name":")" + kDirectContact +
                          R"(","contact_phone":")" + kDirectPhone + R"(","capacity":60})");
    ASSERT_EQ(created.status, 201) << created.body;
    replies_["POST /institutions (officer)"] = created.body;
    directId_ = created.json()->getValue<std::int64_t>("id");
    std::string direct = "/api/v1/institutions/" + std::to_string(directId_);
    auto edited = as(mz, "PATCH", direct,
                     R"({"legal_rep_id_number":")" + kEditedId + R"(","contact_phone":")" + kEditedPhone + R"("})");
    ASSERT_EQ(edited.status, 200) << edited.body;
    replies_["PATCH /institutions/{id} (officer)"] = edited.body;
    // A failed validation: the ID number with a wrong check character.
    auto refused = as(mz, "POST", "/api/v1/institutions",
                      R"({"credit_code":")" + creditCode("52360429MJW4T5N7L") + R"(","name":"湖口县证件错误养老院",)"
                      R"("kind":"elderly_institution","ownership":"private_nonprofit","region_code":"360429",)"
                      R"("address":"湖口县双钟镇 1 号","legal_rep_name":")" + kDirectRep +
                          R"(","legal_rep_id_number":")" + kRefusedId + R"(","capacity":60})");
    ASSERT_EQ(refused.status, 400) << refused.body;
    replies_["POST /institutions refused (400)"] = refused.body;

    // 2. 康乐养老院 files itself, then changes its legal representative by a change filing; the officer accepts both.
    auto me = as(inst, "GET", "/api/v1/auth/me");
    kangleId_ = me.json()->getObject("user")->getValue<std::int64_t>("institution_id");
    auto filed = as(inst, "POST", "/api/v1/filings",
                    R"({"kind":"new","record":{"ownership":"private_nonprofit","address":"濂溪区莲花镇莲花大道 18 号",)"
                    R"("legal_rep_name":")" + kFilingRep + R"(","legal_rep_id_number":")" + kFilingId +
                        R"(","contact_name":")" + kFilingContact + R"(","contact_phone":")" + kFilingPhone +
                        R"(","capacity":100}})");
    ASSERT_EQ(filed.status, 201) << filed.body;
    replies_["POST /filings (institution)"] = filed.body;
    std::string filing = "/api/v1/filings/" + std::to_string(filed.json()->getValue<std::int64_t>("id"));
    replies_["GET /filings/{id} (officer)"] = as(mz, "GET", filing).body;
    auto accepted = as(mz, "POST", filing + "/accept");
    ASSERT_EQ(accepted.status, 200) << accepted.body;
    replies_["POST /filings/{id}/accept"] = accepted.body;
    auto change = as(inst, "PATCH", "/api/v1/institutions/" + std::to_string(kangleId_),
                     R"({"legal_rep_name":")" + kChangeRep + R"(","legal_rep_id_number":")" + kChangeId + R"("})");
    ASSERT_EQ(change.status, 202) << change.body;
    replies_["PATCH /institutions/{id} (institution: change filing)"] = change.body;
    std::string changeFiling = "/api/v1/filings/" + std::to_string(change.json()->getValue<std::int64_t>("id"));
    replies_["GET /filings/{id} (change, officer)"] = as(mz, "GET", changeFiling).body;
    auto changed = as(mz, "POST", changeFiling + "/accept");
    ASSERT_EQ(changed.status, 200) << changed.body;
    replies_["POST /filings/{id}/accept (change)"] = changed.body;

    // 3. A CSV import with one good row and one whose ID number has a wrong check character (partial import).
    std::string csv =
        "credit_code,name,kind,ownership,region_code,address,legal_rep_name,legal_rep_id_number,capacity,"
        "contact_name,contact_phone\n" +
        kImportCode + ",武宁县个人信息导入养老院,elderly_institution,private_nonprofit,360423,武宁县新宁镇 3 号," +
        kImportRep + "," + kImportId + ",40," + kImportRep + "," + kImportPhone + "\n" + kImportBadCode +
        ",武宁县证件错误导入养老院,elderly_institution,private_nonprofit,360423,武宁县新宁镇 4 号," + kImportBadRep +
        "," + kImportBadId + ",40,,\n";
    auto started = as(mz, "POST", "/api/v1/institutions/import?partial=true", csv, "text/csv");
    ASSERT_EQ(started.status, 202) << started.body;
    std::string job = "/api/v1/jobs/" + started.json()->getValue<std::string>("job_id");
    HttpReply done;
    for (int i = 0; i < 300; ++i) {
      done = as(mz, "GET", job);
      std::string state = done.json()->getValue<std::string>("state");
      if (state != "queued" && state != "running") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(done.json()->getValue<std::string>("state"), "done") << done.body;
    ASSERT_EQ(done.json()->getObject("result")->getValue<int>("imported"), 1) << done.body;
    replies_["GET /jobs/{id} (import with a refused row)"] = done.body;
    importId_ = idOf("SELECT id FROM institutions WHERE credit_code = ?", kImportCode);
    ASSERT_GT(importId_, 0);

    // 4. Public complaints about 康乐养老院 with a phone number and a name, and with an e-mail address; two refused.
    auto complain = [&](const std::string& contact) {
      return client().post("/api/v1/public/complaints",
                           R"({"institution_id":)" + std::to_string(kangleId_) +
                               R"(,"category":"food","description":"晚餐饭菜是凉的，餐具没有消毒。","contact":")" +
                               contact + R"("})");
    };
    for (const std::string& contact : {kComplainantName + " " + kComplainantPhone, kComplainantEmail}) {
      auto filedComplaint = complain(contact);
      ASSERT_EQ(filedComplaint.status, 201) << filedComplaint.body;
      replies_["POST /public/complaints"] += filedComplaint.body;
      trackingCodes_.push_back(filedComplaint.json()->getValue<std::string>("tracking_code"));
    }
    auto tooLong = complain(kComplainantName + " " + kComplainantPhone + " " + std::string(60, 'x'));
    ASSERT_EQ(tooLong.status, 400) << tooLong.body;
    replies_["POST /public/complaints refused (400)"] = tooLong.body;
    auto noInstitution = client().post("/api/v1/public/complaints",
                                       R"({"institution_id":99999999,"category":"food","description":"晚餐饭菜是凉的。)"
                                       R"(餐具没有消毒。","contact":")" + kComplainantPhone + R"("})");
    ASSERT_EQ(noInstitution.status, 400) << noInstitution.body;
    replies_["POST /public/complaints refused (no institution)"] = noInstitution.body;

    // 5. Look-ups with personal values in query strings: credit checks of persons by ID number, a graph and record
    // look-up by ID number, name searches.
    {
      auto lease = database_->pool().acquire();
      auto rows = lease->query("SELECT credit_code, legal_rep_id_cipher FROM institutions WHERE name = ?",
                               std::string("瑞昌市湓城街道综合养老服务中心"));
      ASSERT_EQ(rows.size(), 1u);
      penchengCode_ = rows[0].str("credit_code");
      penchengPersonId_ = testCipher().decrypt(rows[0].str("legal_rep_id_cipher"), kIdContext).value();
    }
    HttpReply check;
    for (int i = 0; i < 100; ++i) {  // the credit graph is built in the background after the start
      check = as(bureau, "GET", "/api/v1/credit/check?entity=" + penchengPersonId_ + "&action=legal_representative");
      if (check.status != 503) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(check.status, 200) << check.body;
    replies_["GET /credit/check?entity=<person ID>"] = check.body;
    auto unknown = as(bureau, "GET", "/api/v1/credit/check?entity=" + kUnknownPersonId);
    ASSERT_EQ(unknown.status, 200) << unknown.body;
    replies_["GET /credit/check?entity=<unknown person ID>"] = unknown.body;
    // Not found: the answer quotes the subject as sent, to its sender only (not kept with the other answers).
    EXPECT_EQ(as(bureau, "GET", "/api/v1/credit/graph?entity=" + kEditedId).status, 404);
    replies_["GET /credit/graph?entity=<湓城>"] =
        as(bureau, "GET", "/api/v1/credit/graph?entity=" + penchengCode_ + "&depth=2").body;
    replies_["GET /credit/records?entity=<ID>"] = as(bureau, "GET", "/api/v1/credit/records?entity=" + kEditedId).body;
    replies_["GET /credit/search?q=<name>"] =
        as(bureau, "GET", "/api/v1/credit/search?q=" + percentEncode(kDirectRep, true)).body;
    replies_["GET /institutions?q=<name>"] =
        as(bureau, "GET", "/api/v1/institutions?q=" + percentEncode(kFilingRep, true)).body;
    replies_["GET /public/institutions?q=<name>"] =
        client().get("/api/v1/public/institutions?q=" + percentEncode(kComplainantName, false)).body;
    replies_["GET /institutions?credit_code=<ID>"] =
        as(bureau, "GET", "/api/v1/institutions?credit_code=" + kImportId).body;
    replies_["GET /credit/entities/{湓城}"] = as(bureau, "GET", "/api/v1/credit/entities/" + penchengCode_).body;
    auto report = as(bureau, "GET", "/api/v1/credit/entities/" + penchengCode_ + "/report.pdf");
    ASSERT_EQ(report.status, 200) << report.body;
    reportNumber_ = report.headers["x-report-number"];

    // 6. The officer reads the complaints (with the contact) and reveals the ID number once; a phone number is
    // typed as a username.
    replies_["GET /complaints (officer)"] = as(mz, "GET", "/api/v1/complaints?page_size=200").body;
    auto revealed = as(mz, "GET", direct + "/legal-rep-id");
    ASSERT_EQ(revealed.status, 200) << revealed.body;
    auto phoneLogin = client().post("/api/v1/auth/login",
                                    R"({"username":")" + kPhoneAsUsername + R"(","password":"not-the-password"})");
    ASSERT_EQ(phoneLogin.status, 401) << phoneLogin.body;
  }

  /// Every plaintext ID number the test knows: the ones it submitted (also those refused) and the demo data's, read
  /// by decrypting the stored ciphertext with the test key.
  std::vector<Needle> idNumbers() {
    std::vector<Needle> out{{"ID registered by the officer", kDirectId},
                            {"ID after the officer's correction", kEditedId},
                            {"ID of the first filing", kFilingId},
                            {"ID of the change filing", kChangeId},
                            {"ID imported", kImportId},
                            {"ID refused by the import", kImportBadId},
                            {"ID refused by the API", kRefusedId},
                            {"ID of an unknown person checked", kUnknownPersonId}};
    auto lease = database_->pool().acquire();
    for (const auto& row : lease->query("SELECT name, legal_rep_id_cipher FROM institutions"
                                        " WHERE legal_rep_id_cipher IS NOT NULL ORDER BY id")) {
      auto plain = testCipher().decrypt(row.str("legal_rep_id_cipher"), kIdContext);
      EXPECT_TRUE(plain.ok()) << row.str("name") << ": the stored ciphertext does not decrypt with the test key";
      if (plain && std::none_of(out.begin(), out.end(), [&](const Needle& n) { return n.value == *plain; })) {
        out.push_back({"ID of " + row.str("name"), *plain});
      }
    }
    return out;
  }
  static std::vector<Needle> complainantContacts() {
    return {{"complainant's phone", kComplainantPhone},
            {"complainant's name", kComplainantName},
            {"complainant's e-mail", kComplainantEmail}};
  }

  static std::map<std::string, std::string> env_;
  static inline bool attempted_ = false;
  static inline bool driven_ = false;
  static inline std::int64_t directId_ = 0, kangleId_ = 0, importId_ = 0;
  static inline std::string penchengCode_, penchengPersonId_, reportNumber_;
  static inline std::vector<std::string> trackingCodes_;
  static inline std::map<std::string, std::string> replies_;  // what each driving request answered
};

std::map<std::string, std::string> PersonalData::env_;

#define DRIVEN()                                                                  \
  ensureDriven();                                                                 \
  ASSERT_TRUE(driven_) << "the requests that submit the personal data failed (see the first test of the suite)"

TEST_F(PersonalData, EncryptedColumnsHoldCiphertextAndKeyedIndexesNeverThePlaintextOrItsHash) {
  DRIVEN();
  auto cipher = testCipher();
  auto lease = database_->pool().acquire();
  // institutions: every stored ID number (8 demo institutions and the 3 the test wrote).
  std::map<std::int64_t, std::string> plainOf;
  int rows = 0;
  for (const auto& row : lease->query("SELECT id, name, legal_rep_id_cipher, legal_rep_id_index, legal_rep_id_masked"
                                      " FROM institutions WHERE legal_rep_id_cipher IS NOT NULL")) {
    ++rows;
    SCOPED_TRACE(row.str("name"));
    std::string token = row.str("legal_rep_id_cipher");
    auto plain = cipher.decrypt(token, kIdContext);
    ASSERT_TRUE(plain.ok()) << "the ciphertext decrypts with the key from the environment";
    EXPECT_TRUE(registry::checkResidentId("id", *plain).ok());
    plainOf[row.i64("id")] = *plain;
    EXPECT_EQ(token.rfind("v1.", 0), 0u) << token;
    EXPECT_EQ(token.find(*plain), std::string::npos) << "plaintext in the ciphertext column";
    auto raw = core::base64Decode(token.substr(3));
    ASSERT_TRUE(raw.has_value());
    EXPECT_EQ(raw->find(*plain), std::string::npos) << "the ciphertext is only base64 of the plaintext";
    EXPECT_EQ(raw->size(), 12 + plain->size() + 16) << "nonce || ciphertext || tag";
    EXPECT_FALSE(cipher.decrypt(token, "complaint.contact").ok()) << "the context is authenticated";
    std::string index = row.str("legal_rep_id_index");
    EXPECT_TRUE(isHex64(index)) << index;
    EXPECT_NE(index, *plain);
    EXPECT_NE(index, core::sha256Hex(*plain)) << "a plain SHA-256 of an ID number is reversible by enumeration";
    EXPECT_NE(index, core::sha256Hex(std::string(kIdContext) + '\0' + *plain));
    EXPECT_EQ(index, keyedIndex(*plain, kIdContext)) << "HMAC-SHA256 under the index key";
    EXPECT_EQ(row.str("legal_rep_id_masked"), registry::maskResidentId(*plain));
  }
  EXPECT_GE(rows, 11) << "8 demo institutions, the direct registration, the filing and the import";
  EXPECT_EQ(plainOf[directId_], kEditedId);
  EXPECT_EQ(plainOf[kangleId_], kChangeId);
  EXPECT_EQ(plainOf[importId_], kImportId);

  // institution_relations: the legal representative as a person, by the keyed index only.
  std::set<std::string> known;
  for (const auto& n : idNumbers()) known.insert(keyedIndex(n.value, kIdContext));
  int persons = 0;
  for (const auto& row : lease->query("SELECT institution_id, party_id_index FROM institution_relations"
                                      " WHERE party_id_index IS NOT NULL")) {
    ++persons;
    std::string index = row.str("party_id_index");
    EXPECT_TRUE(isHex64(index)) << index;
    EXPECT_TRUE(known.count(index)) << "institution " << row.i64("institution_id")
                                    << ": a person index that is not the keyed index of a known ID number";
    for (const auto& [id, plain] : plainOf) EXPECT_NE(index, core::sha256Hex(plain));
  }
  EXPECT_GE(persons, 11);

  // complaints: the contact encrypted under its own context; the client address as a keyed hash.
  std::set<std::string> contacts;
  for (const auto& code : trackingCodes_) {
    auto row = lease->query("SELECT contact_cipher, client_key FROM complaints WHERE tracking_code = ?", code);
    ASSERT_EQ(row.size(), 1u);
    std::string token = row[0].str("contact_cipher");
    auto plain = cipher.decrypt(token, kContactContext);
    ASSERT_TRUE(plain.ok());
    contacts.insert(*plain);
    for (const auto& n : complainantContacts()) EXPECT_EQ(token.find(n.value), std::string::npos) << n.label;
    auto raw = core::base64Decode(token.substr(3));
    ASSERT_TRUE(raw.has_value());
    EXPECT_EQ(raw->find(*plain), std::string::npos);
    std::string clientKey = row[0].str("client_key");
    EXPECT_NE(clientKey, core::sha256Hex("127.0.0.1"));
    EXPECT_NE(clientKey, core::sha256Hex("carewatch.complaint.client/127.0.0.1"));
    EXPECT_EQ(clientKey, keyedIndex("127.0.0.1", "complaint.client"));
  }
  EXPECT_EQ(contacts, (std::set<std::string>{kComplainantName + " " + kComplainantPhone, kComplainantEmail}));
}

TEST_F(PersonalData, NoPlaintextIdNumberOrComplainantContactAnywhereInTheDatabaseOrTheFileStore) {
  DRIVEN();
  std::vector<Needle> needles = idNumbers();
  for (const auto& n : std::vector<Needle>(needles)) {
    needles.push_back({"SHA-256 of the " + n.label, core::sha256Hex(n.value)});
  }
  for (const auto& n : complainantContacts()) needles.push_back(n);
  auto lease = database_->pool().acquire();
  auto columns = lease->query(
      "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE() AND"
      " data_type IN ('char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'binary', 'varbinary', 'blob',"
      " 'mediumblob', 'longblob') ORDER BY table_name, ordinal_position");
  ASSERT_GT(columns.size(), 100u);
  std::size_t values = 0;
  for (const auto& column : columns) {
    std::string t = column.str("t"), c = column.str("c");
    std::string sql = "SELECT COUNT(*) AS n";
    for (std::size_t i = 0; i < needles.size(); ++i) {
      sql += ", SUM(INSTR(`" + c + "`, ?) > 0) AS n" + std::to_string(i);
    }
    sql += " FROM `" + t + "`";
    auto hits = lease->queryWith(sql, [&](db::Binder& b) {
      unsigned k = 1;
      for (const auto& n : needles) b.bind(k++, n.value);
    });
    values += static_cast<std::size_t>(hits[0].i64("n"));
    for (std::size_t i = 0; i < needles.size(); ++i) {
      EXPECT_EQ(hits[0].optI64("n" + std::to_string(i)).value_or(0), 0)
          << t << "." << c << " holds the " << needles[i].label << " in clear (" << needles[i].value << ")";
    }
  }
  // The content-addressed file store: filing documents, evidence, draw files.
  std::size_t files = 0;
  fs::path store = env_.at("CW_STORAGE_DIR");
  if (fs::exists(store)) {
    for (const auto& entry : fs::recursive_directory_iterator(store)) {
      if (!entry.is_regular_file()) continue;
      ++files;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream bytes;
      bytes << in.rdbuf();
      for (const auto& n : needles) {
        EXPECT_EQ(bytes.str().find(n.value), std::string::npos) << entry.path() << " holds the " << n.label;
      }
    }
  }
  std::cout << "[          ] searched " << columns.size() << " text columns (" << values << " column values) and "
            << files << " stored files for " << needles.size() << " values\n";
}

TEST_F(PersonalData, ThePublicPortalShowsNoIdNumberPhoneNumberPersonsNameOrComplainantContact) {
  DRIVEN();
  // What the public must never see: ID numbers (in clear, or masked), phone numbers, legal representatives' and
  // contacts' names, inspectors' names, the complainants' contacts, and any blind index.
  std::vector<Needle> forbidden = idNumbers();
  for (const auto& n : complainantContacts()) forbidden.push_back(n);
  std::vector<std::string> blindIndexes;
  {
    auto lease = database_->pool().acquire();
    for (const auto& row : lease->query("SELECT name, contact_name, contact_phone, legal_rep_name, legal_rep_id_index"
                                        " FROM institutions WHERE legal_rep_name IS NOT NULL")) {
      forbidden.push_back({"legal representative of " + row.str("name"), row.str("legal_rep_name")});
      if (auto v = row.optStr("contact_name")) forbidden.push_back({"contact of " + row.str("name"), *v});
      if (auto v = row.optStr("contact_phone")) forbidden.push_back({"contact phone of " + row.str("name"), *v});
      if (auto v = row.optStr("legal_rep_id_index")) blindIndexes.push_back(*v);
    }
    for (const auto& row : lease->query("SELECT name FROM inspectors")) {
      forbidden.push_back({"inspector's name", row.str("name")});
    }
  }
  for (const auto& index : blindIndexes) forbidden.push_back({"blind index", index});
  const std::regex maskedId(R"(\d{4}\*{10}[\dX]{4})");

  // Path parameters filled with real objects: a drawn task, a published rating, the test's complaint, the report.
  std::string task = "1", rated = std::to_string(kangleId_), scheme = "1";
  {
    auto lease = database_->pool().acquire();
    auto drawn = lease->query("SELECT task_id FROM draws WHERE drawn_at IS NOT NULL ORDER BY task_id LIMIT 1");
    if (!drawn.empty()) task = std::to_string(drawn[0].i64("task_id"));
    auto rating = lease->query("SELECT institution_id FROM ratings WHERE state = 'published' ORDER BY id LIMIT 1");
    if (!rating.empty()) rated = std::to_string(rating[0].i64("institution_id"));
    auto schemes = lease->query("SELECT id FROM rating_schemes ORDER BY id LIMIT 1");
    if (!schemes.empty()) scheme = std::to_string(schemes[0].i64("id"));
  }
  std::map<std::string, std::vector<std::string>> paths{
      {"/healthz", {"/healthz"}},
      {"/readyz", {"/readyz"}},
      {"/metrics", {"/metrics"}},
      {"/api/v1/rating-schemes", {"/api/v1/rating-schemes"}},
      {"/api/v1/rating-schemes/{id}", {"/api/v1/rating-schemes/" + scheme}},
      {"/api/v1/public/credit/lists/{list}",
       {"/api/v1/public/credit/lists/blacklist?page_size=200", "/api/v1/public/credit/lists/redlist?page_size=200"}},
      {"/api/v1/public/credit/reports/{number}", {"/api/v1/public/credit/reports/" + reportNumber_}},
      {"/api/v1/public/tasks", {"/api/v1/public/tasks?page_size=200"}},
      {"/api/v1/public/tasks/{id}", {"/api/v1/public/tasks/" + task}},
      {"/api/v1/public/draws/{id}", {"/api/v1/public/draws/" + task}},
      {"/api/v1/public/draws/{id}/pool.txt", {"/api/v1/public/draws/" + task + "/pool.txt"}},
      {"/api/v1/public/draws/{id}/inspectors.txt", {"/api/v1/public/draws/" + task + "/inspectors.txt"}},
      {"/api/v1/public/draws/{id}/exclusions.txt", {"/api/v1/public/draws/" + task + "/exclusions.txt"}},
      {"/api/v1/public/results", {"/api/v1/public/results?page_size=200"}},
      {"/api/v1/public/complaints/{tracking_code}",
       {"/api/v1/public/complaints/" + trackingCodes_.at(0), "/api/v1/public/complaints/" + trackingCodes_.at(1)}},
      {"/api/v1/public/hazards/stats", {"/api/v1/public/hazards/stats"}},
      {"/api/v1/public/hazards", {"/api/v1/public/hazards?page_size=200"}},
      {"/api/v1/public/institutions",
       {"/api/v1/public/institutions?q=" + percentEncode("养老", true), "/api/v1/public/institutions?q=" +
                                                                           percentEncode("康乐", true)}},
      {"/api/v1/public/institutions/{id}/rating", {"/api/v1/public/institutions/" + rated + "/rating"}},
      {"/api/v1/public/ratings", {"/api/v1/public/ratings?page_size=200"}},
  };
  // Every public GET route of the router, so that a new one fails here until it is listed above.
  server::Config config;
  server::App app(config, nullptr);
  std::vector<std::string> bodies;
  int routes = 0, calls = 0, ok = 0;
  for (const auto& route : app.router().routes()) {
    if (route.method != "GET" || route.access.kind != http::Access::Kind::Public) continue;
    ++routes;
    auto it = paths.find(route.pattern);
    if (it == paths.end()) {
      ADD_FAILURE() << "public route GET " << route.pattern << " is not covered: add it to this test and to "
                    << "docs/security-personal-data.md";
      continue;
    }
    for (const auto& path : it->second) {
      auto reply = client().get(path);
      ++calls;
      EXPECT_LT(reply.status, 500) << path << ": " << reply.body;
      if (reply.status == 200) ++ok;
      for (const auto& n : forbidden) {
        EXPECT_EQ(reply.body.find(n.value), std::string::npos) << "GET " << path << " shows the " << n.label << " ("
                                                               << n.value << ")";
      }
      std::smatch m;
      EXPECT_FALSE(std::regex_search(reply.body, m, maskedId)) << "GET " << path << " shows a masked ID " << m.str();
    }
  }
  // The complaint itself: the answer to filing it and its public status carry nothing about the complainant.
  for (const char* key : {"POST /public/complaints", "POST /public/complaints refused (400)",
                          "POST /public/complaints refused (no institution)", "GET /public/institutions?q=<name>"}) {
    for (const auto& n : complainantContacts()) {
      EXPECT_EQ(replies_[key].find(n.value), std::string::npos) << key << " shows the " << n.label;
    }
  }
  EXPECT_GE(ok, 20) << "most public routes answered with data";
  std::cout << "[          ] " << routes << " public GET routes, " << calls << " calls (" << ok << " answered 200), "
            << forbidden.size() << " forbidden values each\n";
}

TEST_F(PersonalData, StaffAndInstitutionSurfacesShowTheIdMaskedAndNoBlindIndex) {
  DRIVEN();
  std::string mz = login("mz.wangli"), wj = login("wj.chenjing"), inspector = login("mz.liuqiang");
  std::string bureau = login("sj.credit"), admin = login("admin"), inst = login("inst.kangle");
  auto ids = idNumbers();
  std::vector<std::string> indexes;
  for (const auto& n : ids) indexes.push_back(keyedIndex(n.value, kIdContext));
  int surfaces = 0;
  auto noPlainId = [&](const std::string& what, const std::string& body) {
    ++surfaces;
    for (const auto& n : ids) EXPECT_EQ(body.find(n.value), std::string::npos) << what << " shows the " << n.label;
    for (const auto& index : indexes) EXPECT_EQ(body.find(index), std::string::npos) << what << " shows a blind index";
    EXPECT_EQ(body.find("\"P:"), std::string::npos) << what << " shows a person key";
  };
  auto shows = [&](const std::string& what, const std::string& body, const std::string& masked) {
    noPlainId(what, body);
    EXPECT_NE(body.find(masked), std::string::npos) << what << " should show the masked form " << masked;
  };
  std::string direct = "/api/v1/institutions/" + std::to_string(directId_);
  std::string kangle = "/api/v1/institutions/" + std::to_string(kangleId_);
  const std::string directMasked = registry::maskResidentId(kEditedId);
  const std::string kangleMasked = registry::maskResidentId(kChangeId);
  for (const auto& [who, token] : std::vector<std::pair<std::string, std::string>>{
           {"officer", mz}, {"other department's officer", wj}, {"inspector", inspector}, {"bureau", bureau},
           {"admin", admin}}) {
    shows("GET /institutions?credit_code= (" + who + ")",
          as(token, "GET", "/api/v1/institutions?credit_code=" + kDirectCode).body, directMasked);
    shows("GET /institutions/{id} (" + who + ")", as(token, "GET", direct).body, directMasked);
    shows("GET /institutions/{id}/versions (" + who + ")", as(token, "GET", direct + "/versions").body,
          registry::maskResidentId(kDirectId));
    shows("GET /institutions/{id}/diff (" + who + ")", as(token, "GET", direct + "/diff?from=1&to=2").body,
          directMasked);
    noPlainId("GET /institutions?region= (" + who + ")",
              as(token, "GET", "/api/v1/institutions?region=360400&page_size=200").body);
  }
  shows("GET /institutions/{id} (the institution itself)", as(inst, "GET", kangle).body, kangleMasked);
  shows("GET /institutions/{id}/versions (the institution itself)", as(inst, "GET", kangle + "/versions").body,
        registry::maskResidentId(kFilingId));
  shows("GET /filings (the institution)", as(inst, "GET", "/api/v1/filings?page_size=200").body, kangleMasked);
  shows("GET /filings (officer)", as(mz, "GET", "/api/v1/filings?page_size=200").body, kangleMasked);
  for (const auto& [what, body] : replies_) noPlainId(what, body);

  // The XLSX export (officers, inspectors, bureau): the ID column holds masked numbers only.
  auto xlsx = as(bureau, "GET", "/api/v1/institutions/export.xlsx?region=360400");
  ASSERT_EQ(xlsx.status, 200) << xlsx.body;
  auto table = registry::readTable(xlsx.body);
  ASSERT_TRUE(table.ok()) << table.error().message;
  auto column = std::find(table->header.begin(), table->header.end(), "法定代表人身份证号码");
  ASSERT_NE(column, table->header.end());
  auto at = static_cast<std::size_t>(column - table->header.begin());
  const std::regex masked(R"(\d{4}\*{10}[\dX]{4})");
  int maskedCells = 0;
  for (const auto& row : table->rows) {
    if (row[at].empty()) continue;
    EXPECT_TRUE(std::regex_match(row[at], masked)) << row[at];
    ++maskedCells;
    for (const auto& cell : row) {
      for (const auto& n : ids) EXPECT_EQ(cell.find(n.value), std::string::npos) << "the export holds the " << n.label;
    }
  }
  EXPECT_GE(maskedCells, 11);
  ++surfaces;

  // The credit check of a person by ID number: the subject and the person's name come back masked.
  auto check = Poco::JSON::Parser()
                   .parse(replies_["GET /credit/check?entity=<person ID>"])
                   .extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(check->getValue<std::string>("entity"), registry::maskResidentId(penchengPersonId_));
  EXPECT_EQ(check->getValue<std::string>("name"), "刘**") << "the person's name, masked";
  EXPECT_EQ(check->getValue<std::string>("decision"), "restricted") << "the blacklisting of 湓城 reaches its legal "
                                                                       "representative";
  EXPECT_EQ(replies_["GET /credit/check?entity=<person ID>"].find("刘卫东"), std::string::npos)
      << "the person's name is masked";
  // The view log says who looked at whom: by the masked number, never the number.
  std::int64_t logged = 0;
  for (int i = 0; i < 100 && logged == 0; ++i) {
    auto lease = database_->pool().acquire();
    logged = lease->query("SELECT COUNT(*) AS n FROM credit_views WHERE username = 'sj.credit' AND view = 'check'"
                          " AND entity_code = ?",
                          registry::maskResidentId(penchengPersonId_))[0]
                 .i64("n");
    if (logged == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(logged, 1) << "the check of a person is in credit_views under the masked number";
  // A validation failure names the problem, not the number.
  EXPECT_NE(replies_["POST /institutions refused (400)"].find("\"field\":\"legal_rep_id_number\""), std::string::npos)
      << replies_["POST /institutions refused (400)"];
  std::cout << "[          ] " << surfaces << " staff and institution answers checked for " << ids.size()
            << " ID numbers and their blind indexes\n";
}

TEST_F(PersonalData, RevealingTheIdShowsItInFullOnlyToTheCompetentOfficerAndAuditsWhoReadWhose) {
  DRIVEN();
  std::string mz = login("mz.wangli"), wj = login("wj.chenjing"), inspector = login("mz.liuqiang");
  std::string bureau = login("sj.credit"), inst = login("inst.kangle"), admin = login("admin");
  auto reads = [&](std::int64_t institution) {
    auto lease = database_->pool().acquire();
    return lease->query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'institution.pii_read' AND object_id = ?",
                        std::to_string(institution))[0]
        .i64("n");
  };
  std::string path = "/api/v1/institutions/" + std::to_string(directId_) + "/legal-rep-id";
  std::int64_t before = reads(directId_);
  EXPECT_GE(before, 1) << "the read while driving";
  auto reply = as(mz, "GET", path);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json()->getValue<std::string>("legal_rep_id_number"), kEditedId);
  ASSERT_EQ(reads(directId_), before + 1);
  {
    auto lease = database_->pool().acquire();
    auto last = lease->query("SELECT actor_name, actor_role, object_type, object_id, summary, request_id, client_ip"
                             " FROM audit_log WHERE action = 'institution.pii_read' ORDER BY seq DESC LIMIT 1");
    EXPECT_EQ(last[0].str("actor_name"), "mz.wangli") << "who";
    EXPECT_EQ(last[0].str("actor_role"), "officer");
    EXPECT_EQ(last[0].str("object_type"), "institution") << "whose";
    EXPECT_EQ(last[0].str("object_id"), std::to_string(directId_));
    EXPECT_NE(last[0].str("summary").find("legal_rep_id_number"), std::string::npos) << "which field";
    EXPECT_EQ(last[0].str("summary").find(kEditedId), std::string::npos) << "not the value";
    EXPECT_EQ(last[0].str("request_id"), reply.headers["x-request-id"]) << "the very request";
  }
  // The same read through the admin's audit view.
  auto audit =
      as(admin, "GET", "/api/v1/admin/audit?action=institution.pii_read&object_id=" + std::to_string(directId_));
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_EQ(audit.json()->getValue<std::int64_t>("total"), before + 1);
  EXPECT_EQ(audit.body.find(kEditedId), std::string::npos);
  // Everyone else is refused, and a refused read leaves no read record.
  EXPECT_EQ(as(wj, "GET", path).status, 403) << "health does not supervise elderly care";
  EXPECT_EQ(as(inspector, "GET", path).status, 403);
  EXPECT_EQ(as(bureau, "GET", path).status, 403);
  EXPECT_EQ(as(admin, "GET", path).status, 403);
  EXPECT_EQ(as(inst, "GET", "/api/v1/institutions/" + std::to_string(kangleId_) + "/legal-rep-id").status, 403)
      << "not even the institution's own number";
  EXPECT_EQ(client().get(path).status, 401);
  EXPECT_EQ(reads(directId_), before + 1);
}

TEST_F(PersonalData, ComplainantContactIsNeverPublicAndEveryReadOfItInFullIsAudited) {
  DRIVEN();
  std::string mz = login("mz.wangli"), wj = login("wj.chenjing"), inspector = login("mz.liuqiang");
  // Public: neither the answer to filing nor the status shows anything of the complainant.
  for (const auto& code : trackingCodes_) {
    auto status = client().get("/api/v1/public/complaints/" + code);
    ASSERT_EQ(status.status, 200) << status.body;
    EXPECT_FALSE(status.json()->has("contact"));
    for (const auto& n : complainantContacts()) EXPECT_EQ(status.body.find(n.value), std::string::npos) << n.label;
  }
  // Only the competent department's officers see the queue; the inspector and another department do not.
  EXPECT_EQ(as(inspector, "GET", "/api/v1/complaints").status, 403);
  auto other = as(wj, "GET", "/api/v1/complaints?page_size=200");
  ASSERT_EQ(other.status, 200) << other.body;
  for (const auto& n : complainantContacts()) {
    EXPECT_EQ(other.body.find(n.value), std::string::npos) << "health sees an elderly-care complainant's " << n.label;
  }
  // The competent officer sees the contact (to call back). A read that shows it in full must be in the audit log,
  // naming the reader and the complaint, as the ID number's reveal is.
  auto queue = as(mz, "GET", "/api/v1/complaints?page_size=200");
  ASSERT_EQ(queue.status, 200) << queue.body;
  std::string requestId = queue.headers["x-request-id"];
  auto items = queue.json()->getArray("items");
  int shown = 0;
  for (std::size_t i = 0; i < items->size(); ++i) {
    auto c = items->getObject(static_cast<unsigned>(i));
    auto code = c->getValue<std::string>("tracking_code");
    if (std::find(trackingCodes_.begin(), trackingCodes_.end(), code) == trackingCodes_.end()) continue;
    std::string contact = c->isNull("contact") ? "" : c->getValue<std::string>("contact");
    bool full = contact.find(kComplainantPhone) != std::string::npos || contact == kComplainantEmail;
    if (!full) continue;  // masked in the list: nothing to audit here
    ++shown;
    auto lease = database_->pool().acquire();
    auto audited = lease->query("SELECT COUNT(*) AS n FROM audit_log WHERE object_type = 'complaint' AND"
                                " object_id = ? AND actor_name = 'mz.wangli' AND request_id = ?",
                                std::to_string(c->getValue<std::int64_t>("id")), requestId)[0]
                       .i64("n");
    EXPECT_GE(audited, 1) << "GET /api/v1/complaints showed complaint " << c->getValue<std::int64_t>("id")
                          << "'s contact in full to mz.wangli and no audit record names that read (request "
                          << requestId << "): HazardService::complaints() (modules/hazards/src/service.cpp:812) "
                          << "decrypts every contact through complaintFromRow() (:791) and complaintJson() "
                          << "(modules/hazards/src/handlers.cpp:104) returns it, with no audit record";
  }
  std::cout << "[          ] the officer's complaint list showed " << shown << " contacts in full\n";
}

TEST_F(PersonalData, AuditDetailsHoldNoIdNumberOrContactButTheMaskedNumber) {
  DRIVEN();
  auto ids = idNumbers();
  auto lease = database_->pool().acquire();
  int records = 0;
  for (const auto& row : lease->query(
           "SELECT seq, action, actor_name, object_id, summary FROM audit_log WHERE action IN"
           " ('institution.register_direct', 'institution.update_direct', 'institution.import', 'institution.pii_read',"
           " 'filing.submit', 'filing.accept', 'complaint.file', 'complaint.handle', 'auth.login_failed')"
           " ORDER BY seq")) {
    ++records;
    std::string all = row.str("actor_name") + "\n" + row.str("object_id") + "\n" + row.str("summary");
    for (const auto& n : ids) {
      EXPECT_EQ(all.find(n.value), std::string::npos) << row.str("action") << " #" << row.i64("seq") << " holds the "
                                                      << n.label;
    }
    for (const auto& n : complainantContacts()) {
      EXPECT_EQ(all.find(n.value), std::string::npos) << row.str("action") << " #" << row.i64("seq") << " holds the "
                                                      << n.label;
    }
  }
  EXPECT_GE(records, 20);
  // The change records keep the masked number, so an auditor still sees that (and when) it changed.
  auto registered = lease->query("SELECT summary FROM audit_log WHERE action = 'institution.register_direct' AND"
                                 " object_id = ?",
                                 std::to_string(directId_));
  ASSERT_EQ(registered.size(), 1u);
  EXPECT_NE(registered[0].str("summary").find(registry::maskResidentId(kDirectId)), std::string::npos);
  auto updated = lease->query("SELECT summary FROM audit_log WHERE action = 'institution.update_direct' AND"
                              " object_id = ?",
                              std::to_string(directId_));
  ASSERT_EQ(updated.size(), 1u);
  EXPECT_NE(updated[0].str("summary").find(registry::maskResidentId(kEditedId)), std::string::npos);
  // The complaint's record names the institution and the category only.
  for (const auto& row : lease->query("SELECT summary FROM audit_log WHERE action = 'complaint.file'")) {
    EXPECT_EQ(row.str("summary").find("contact"), std::string::npos) << row.str("summary");
  }
}

TEST_F(PersonalData, TheServerLogCarriesNoPersonalValueInAnyEncoding) {
  DRIVEN();
  // A last request with a known id: once its line is in the file, every earlier line is.
  std::string marker = "pii-log-marker-" + std::to_string(::getpid());
  ASSERT_EQ(client().request("GET", "/healthz", "", {{"X-Request-Id", marker}}).status, 200);
  std::string log;
  for (int i = 0; i < 100; ++i) {
    log = server_->process().log();
    if (log.find(marker) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_NE(log.find(marker), std::string::npos) << "the request log was not written";
  // The look-ups with personal values in their query strings were logged, without the query string.
  EXPECT_NE(log.find("\"path\":\"/api/v1/credit/check\""), std::string::npos);
  EXPECT_NE(log.find("\"path\":\"/api/v1/public/complaints\""), std::string::npos);
  EXPECT_NE(log.find("\"path\":\"/api/v1/institutions/import\""), std::string::npos);
  EXPECT_EQ(log.find("entity="), std::string::npos);
  EXPECT_EQ(log.find("?q="), std::string::npos);

  std::vector<Needle> values = idNumbers();
  values.push_back({"ID of 湓城's legal representative (credit check)", penchengPersonId_});
  for (const auto& n : complainantContacts()) values.push_back(n);
  values.push_back({"complainant's contact as typed", kComplainantName + " " + kComplainantPhone});
  for (const auto& [label, value] : std::vector<std::pair<std::string, std::string>>{
           {"legal representative (registration)", kDirectRep},
           {"contact (registration)", kDirectContact},
           {"contact phone (registration)", kDirectPhone},
           {"contact phone (correction)", kEditedPhone},
           {"legal representative (filing)", kFilingRep},
           {"contact (filing)", kFilingContact},
           {"contact phone (filing)", kFilingPhone},
           {"legal representative (change filing)", kChangeRep},
           {"legal representative (import)", kImportRep},
           {"contact phone (import)", kImportPhone},
           {"legal representative (refused import row)", kImportBadRep},
           {"phone number typed as a username", kPhoneAsUsername}}) {
    values.push_back({label, value});
  }
  int forms = 0;
  std::istringstream lines(log);
  std::vector<std::string> all;
  for (std::string line; std::getline(lines, line);) all.push_back(line);
  for (const auto& n : values) {
    for (const auto& [form, text] : formsOf(n.value)) {
      ++forms;
      for (const auto& line : all) {
        EXPECT_EQ(line.find(text), std::string::npos)
            << "the log holds the " << n.label << " (" << form << "): " << line;
      }
    }
  }
  std::cout << "[          ] " << all.size() << " log lines searched for " << values.size() << " values in " << forms
            << " forms\n";
}

}  // namespace
}  // namespace cw::testing
