// carewatch backup / restore with the real binary and the real dump tools: a backup restored into a fresh database
// and an empty file store gives the same rows, an intact audit chain and every file intact; a damaged backup, a
// target that is not empty, a directory that is not empty, an unreachable database and a store that lacks a file
// are refused, leaving nothing behind.

#include <Poco/JSON/Parser.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/api_fixture.hpp"
#include "cw/core/crypto.hpp"

namespace cw::testing {
namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path storeOf(const std::map<std::string, std::string>& env) { return env.at("CW_STORAGE_DIR"); }

// The number of rows of every table of the schema.
std::map<std::string, std::int64_t> rowCounts(db::Pool& pool) {
  auto lease = pool.acquire();
  std::map<std::string, std::int64_t> counts;
  for (const auto& row : lease->query("SELECT table_name AS t FROM information_schema.tables"
                                      " WHERE table_schema = DATABASE()")) {
    std::string table = row.str("t");
    counts[table] = lease->query("SELECT COUNT(*) AS n FROM `" + table + "`")[0].i64("n");
  }
  return counts;
}

std::int64_t tableCount(db::Pool& pool) { return static_cast<std::int64_t>(rowCounts(pool).size()); }

// The files the database refers to, by the column naming them.
std::vector<std::pair<std::string, std::string>> referencedFiles(db::Pool& pool) {
  auto lease = pool.acquire();
  std::vector<std::pair<std::string, std::string>> files;
  for (const char* sql : {"SELECT 'documents' AS w, sha256 AS sha FROM documents",
                          "SELECT 'hazard_evidence' AS w, sha256 AS sha FROM hazard_evidence",
                          "SELECT 'draws' AS w, pool_digest AS sha FROM draws",
                          "SELECT 'draws' AS w, inspector_digest AS sha FROM draws"}) {
    for (const auto& row : lease->query(sql)) files.emplace_back(row.str("w"), row.str("sha"));
  }
  return files;
}

fs::path blobPath(const fs::path& store, const std::string& sha) {
  return store / sha.substr(0, 2) / sha.substr(2, 2) / sha;
}

class Backup : public ::testing::Test {
 protected:
  // One seeded database (demo data: hazard evidence, frozen draw files; plus a filing document uploaded over
  // HTTP) and one backup of it, shared by the tests; none of them changes either.
  static void SetUpTestSuite() {
    source_ = new TestDatabase();
    auto env = carewatchEnv(source_->config());
    fs::remove_all(storeOf(env));
    auto seeded = carewatch({"seed-demo"}, env);
    ASSERT_EQ(seeded.exitCode, 0) << seeded.output;
    {
      RunningServer server(env, "cw-backup-seed");
      HttpClient client(server.port());
      auto login = client.post("/api/v1/auth/login", R"({"username":"inst.kangle","password":")" +
                                                         std::string(kDemoPassword) + R"("})");
      ASSERT_EQ(login.status, 200) << login.body;
      std::map<std::string, std::string> auth{{"Authorization", "Bearer " + login.json()->getValue<std::string>("token")},
                                              {"Content-Type", "application/json"}};
      auto filing = client.request("POST", "/api/v1/filings",
                                   R"({"kind":"new","record":{"ownership":"private_nonprofit","address":"濂溪区莲花镇 1 号",
                                       "legal_rep_name":"赵刚","legal_rep_id_number":"360402198001011231","capacity":100}})",
                                   auth);
      ASSERT_EQ(filing.status, 201) << filing.body;
      auth["Content-Type"] = "application/pdf";
      auto document = client.request(
          "POST", "/api/v1/filings/" + std::to_string(filing.json()->getValue<std::int64_t>("id")) + "/documents?name=licence.pdf",
          "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", auth);
      ASSERT_EQ(document.status, 201) << document.body;
    }
    backupDir_ = new fs::path(fs::temp_directory_path() / ("cw-backup-" + source_->name()));
    fs::remove_all(*backupDir_);
    auto written = carewatch({"backup", "--out", backupDir_->string()}, env);
    ASSERT_EQ(written.exitCode, 0) << written.output;
    std::cout << written.output;
  }

  static void TearDownTestSuite() {
    if (backupDir_) fs::remove_all(*backupDir_);
    if (source_) fs::remove_all(storeOf(carewatchEnv(source_->config())));
    delete backupDir_;
    delete source_;
    backupDir_ = nullptr;
    source_ = nullptr;
  }

  // A fresh target: an empty (or migrated) schema and its own file store, removed when the test ends.
  struct Target {
    explicit Target(bool migrate = false) : database(migrate), env(carewatchEnv(database.config())) {
      fs::remove_all(storeOf(env));
    }
    ~Target() { fs::remove_all(storeOf(env)); }
    TestDatabase database;
    std::map<std::string, std::string> env;
  };

  static Poco::JSON::Object::Ptr manifest(const fs::path& dir) {
    return Poco::JSON::Parser().parse(readFile(dir / "manifest.json")).extract<Poco::JSON::Object::Ptr>();
  }

  // A private copy of the backup that a test may damage.
  fs::path copyOfBackup(const std::string& name) {
    fs::path copy = fs::temp_directory_path() / ("cw-backup-" + name + "-" + source_->name());
    fs::remove_all(copy);
    fs::copy(*backupDir_, copy, fs::copy_options::recursive);
    copies_.push_back(copy);
    return copy;
  }

  void TearDown() override {
    for (const auto& c : copies_) fs::remove_all(c);
  }

  static TestDatabase* source_;
  static fs::path* backupDir_;
  std::vector<fs::path> copies_;
};

TestDatabase* Backup::source_ = nullptr;
fs::path* Backup::backupDir_ = nullptr;

TEST_F(Backup, RestoresIntoAFreshDatabaseWithTheSameRowsAnIntactChainAndEveryFile) {
  Target target;
  auto restored = carewatch({"restore", "--from", backupDir_->string()}, target.env);
  ASSERT_EQ(restored.exitCode, 0) << restored.output;
  EXPECT_NE(restored.output.find("audit chain intact"), std::string::npos) << restored.output;

  // `carewatch audit verify` agrees, over as many records as the source has.
  auto sourceChain = carewatch({"audit", "verify"}, carewatchEnv(source_->config()));
  auto targetChain = carewatch({"audit", "verify"}, target.env);
  ASSERT_EQ(targetChain.exitCode, 0) << targetChain.output;
  EXPECT_EQ(targetChain.output, sourceChain.output);

  auto sourceRows = rowCounts(source_->pool());
  EXPECT_GT(sourceRows.size(), 50u);
  EXPECT_GT(sourceRows.at("audit_log"), 0);
  EXPECT_EQ(rowCounts(target.database.pool()), sourceRows);

  auto m = manifest(*backupDir_);
  auto head = target.database.pool().acquire()->query("SELECT last_seq, last_hash FROM audit_head");
  EXPECT_EQ(head[0].i64("last_seq"), m->getObject("audit_head")->getValue<std::int64_t>("last_seq"));
  EXPECT_EQ(head[0].str("last_hash"), m->getObject("audit_head")->getValue<std::string>("last_hash"));

  // Every file the restored database refers to is in the new store, byte for byte.
  auto files = referencedFiles(target.database.pool());
  std::map<std::string, int> byKind;
  for (const auto& [kind, sha] : files) {
    ++byKind[kind];
    if (sha == core::sha256Hex("")) continue;  // an empty frozen draw file is not stored
    fs::path path = blobPath(storeOf(target.env), sha);
    ASSERT_TRUE(fs::exists(path)) << kind << " " << sha;
    EXPECT_EQ(core::sha256Hex(readFile(path)), sha) << kind;
  }
  EXPECT_GE(byKind["documents"], 1);
  EXPECT_GE(byKind["hazard_evidence"], 1);
  EXPECT_GE(byKind["draws"], 2);
  std::size_t stored = 0;
  for (const auto& e : fs::recursive_directory_iterator(storeOf(target.env))) {
    if (e.is_regular_file() && e.path().filename().string().size() == 64) ++stored;
  }
  EXPECT_EQ(stored, m->getArray("files")->size());
}

TEST_F(Backup, WritesAManifestOfEveryFileAndLeavesNoPartialDirectory) {
  auto m = manifest(*backupDir_);
  EXPECT_EQ(m->getValue<std::string>("format"), "carewatch-backup");
  EXPECT_EQ(m->getValue<int>("format_version"), 1);
  EXPECT_EQ(m->getValue<std::string>("database"), source_->name());
  std::string dump = readFile(*backupDir_ / "database.sql");
  EXPECT_EQ(m->getObject("dump")->getValue<std::string>("sha256"), core::sha256Hex(dump));
  EXPECT_EQ(m->getObject("dump")->getValue<std::uint64_t>("size_bytes"), dump.size());
  auto files = m->getArray("files");
  ASSERT_GE(files->size(), 3u);
  for (std::size_t i = 0; i < files->size(); ++i) {
    auto f = files->getObject(static_cast<unsigned>(i));
    EXPECT_EQ(core::sha256Hex(readFile(*backupDir_ / f->getValue<std::string>("path"))), f->getValue<std::string>("sha256"));
  }
  auto head = source_->pool().acquire()->query("SELECT last_seq, last_hash FROM audit_head");
  EXPECT_EQ(m->getObject("audit_head")->getValue<std::int64_t>("last_seq"), head[0].i64("last_seq"));
  EXPECT_EQ(m->getObject("audit_head")->getValue<std::string>("last_hash"), head[0].str("last_hash"));
  EXPECT_FALSE(fs::exists(backupDir_->string() + ".partial"));
  // The backup holds password hashes and personal data: only its owner may read it.
  EXPECT_EQ(fs::status(*backupDir_).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_EQ(fs::status(*backupDir_ / "database.sql").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(dump.find("carewatch-dev"), std::string::npos);  // the password went nowhere near the dump
}

TEST_F(Backup, VerifyAndRestoreRefuseATamperedFileNamingItAndTouchNothing) {
  fs::path copy = copyOfBackup("tampered");
  auto intact = carewatch({"backup", "verify", copy.string()}, {});
  ASSERT_EQ(intact.exitCode, 0) << intact.output;
  EXPECT_NE(intact.output.find("is intact"), std::string::npos) << intact.output;

  auto m = manifest(copy);
  std::string victim = m->getArray("files")->getObject(0)->getValue<std::string>("path");
  std::string bytes = readFile(copy / victim);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
  std::ofstream(copy / victim, std::ios::binary | std::ios::trunc) << bytes;

  auto verify = carewatch({"backup", "verify", copy.string()}, {});
  EXPECT_EQ(verify.exitCode, 1) << verify.output;
  EXPECT_NE(verify.output.find(victim), std::string::npos) << verify.output;

  Target target;
  auto restored = carewatch({"restore", "--from", copy.string()}, target.env);
  EXPECT_EQ(restored.exitCode, 1) << restored.output;
  EXPECT_NE(restored.output.find(victim), std::string::npos) << restored.output;
  EXPECT_NE(restored.output.find("damaged"), std::string::npos) << restored.output;
  EXPECT_EQ(tableCount(target.database.pool()), 0);
  EXPECT_FALSE(fs::exists(storeOf(target.env)));
}

TEST_F(Backup, RestoreRefusesATamperedDump) {
  fs::path copy = copyOfBackup("dump");
  { std::ofstream(copy / "database.sql", std::ios::binary | std::ios::app) << "DROP TABLE users;\n"; }
  Target target;
  auto restored = carewatch({"restore", "--from", copy.string()}, target.env);
  EXPECT_EQ(restored.exitCode, 1) << restored.output;
  EXPECT_NE(restored.output.find("database.sql does not match the manifest"), std::string::npos) << restored.output;
  EXPECT_EQ(tableCount(target.database.pool()), 0);
}

TEST_F(Backup, RestoreRefusesADatabaseThatIsNotEmpty) {
  Target target(/*migrate=*/true);
  auto before = rowCounts(target.database.pool());
  auto restored = carewatch({"restore", "--from", backupDir_->string()}, target.env);
  EXPECT_EQ(restored.exitCode, 1) << restored.output;
  EXPECT_NE(restored.output.find("is not empty"), std::string::npos) << restored.output;
  EXPECT_EQ(rowCounts(target.database.pool()), before);
  EXPECT_FALSE(fs::exists(storeOf(target.env)));
}

TEST_F(Backup, RestoreRefusesToReplaceADifferentFileInTheStore) {
  Target target;
  std::string sha = manifest(*backupDir_)->getArray("files")->getObject(0)->getValue<std::string>("sha256");
  fs::path clash = blobPath(storeOf(target.env), sha);
  fs::create_directories(clash.parent_path());
  std::ofstream(clash, std::ios::binary) << "not the content this name promises";
  auto restored = carewatch({"restore", "--from", backupDir_->string()}, target.env);
  EXPECT_EQ(restored.exitCode, 1) << restored.output;
  EXPECT_NE(restored.output.find("already holds a different file"), std::string::npos) << restored.output;
  EXPECT_EQ(readFile(clash), "not the content this name promises");
  EXPECT_EQ(tableCount(target.database.pool()), 0);
}

TEST_F(Backup, RefusesADirectoryThatIsNotEmptyAndWritesNothing) {
  fs::path dir = fs::temp_directory_path() / ("cw-backup-taken-" + source_->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "keep.txt") << "an earlier backup";
  copies_.push_back(dir);
  auto written = carewatch({"backup", "--out", dir.string()}, carewatchEnv(source_->config()));
  EXPECT_EQ(written.exitCode, 1) << written.output;
  EXPECT_NE(written.output.find("is not empty"), std::string::npos) << written.output;
  std::vector<fs::path> entries(fs::directory_iterator(dir), fs::directory_iterator{});
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(readFile(dir / "keep.txt"), "an earlier backup");
  EXPECT_FALSE(fs::exists(dir.string() + ".partial"));
}

TEST_F(Backup, AnUnreachableDatabaseFailsAndLeavesNoDirectory) {
  fs::path dir = fs::temp_directory_path() / ("cw-backup-down-" + source_->name());
  fs::remove_all(dir);
  auto env = carewatchEnv(source_->config());
  env["CW_DB_PORT"] = std::to_string(freePort());
  auto written = carewatch({"backup", "--out", dir.string()}, env);
  EXPECT_EQ(written.exitCode, 1) << written.output;
  EXPECT_NE(written.output.find("cannot reach the database " + source_->name()), std::string::npos) << written.output;
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_FALSE(fs::exists(dir.string() + ".partial"));
}

TEST_F(Backup, AFileMissingFromTheStoreFailsTheBackupNamingItAndLeavesNoDirectory) {
  fs::path dir = fs::temp_directory_path() / ("cw-backup-missing-" + source_->name());
  fs::remove_all(dir);
  auto env = carewatchEnv(source_->config());
  env["CW_STORAGE_DIR"] = (fs::temp_directory_path() / ("cw-files-empty-" + source_->name())).string();
  fs::remove_all(env["CW_STORAGE_DIR"]);
  auto written = carewatch({"backup", "--out", dir.string()}, env);
  EXPECT_EQ(written.exitCode, 1) << written.output;
  EXPECT_NE(written.output.find("missing from the file store"), std::string::npos) << written.output;
  auto evidence = source_->pool().acquire()->query("SELECT sha256 FROM hazard_evidence LIMIT 1");
  ASSERT_FALSE(evidence.empty());
  EXPECT_NE(written.output.find(evidence[0].str("sha256") + " (hazard_evidence.sha256)"), std::string::npos)
      << written.output;
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_FALSE(fs::exists(dir.string() + ".partial"));
}

TEST_F(Backup, NamesTheMissingDumpTool) {
  fs::path dir = fs::temp_directory_path() / ("cw-backup-notool-" + source_->name());
  fs::remove_all(dir);
  auto env = carewatchEnv(source_->config());
  env["PATH"] = (fs::temp_directory_path() / "cw-no-such-bin").string();
  auto written = carewatch({"backup", "--out", dir.string()}, env);
  EXPECT_EQ(written.exitCode, 1) << written.output;
  EXPECT_NE(written.output.find("neither mariadb-dump nor mysqldump is on PATH"), std::string::npos) << written.output;
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_FALSE(fs::exists(dir.string() + ".partial"));
}

}  // namespace
}  // namespace cw::testing
