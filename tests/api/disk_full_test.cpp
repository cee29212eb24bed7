// The evidence store runs out of space in the middle of an upload: the server's storage directory is a 4 MB tmpfs,
// mounted in a mount namespace of the server's own (unshare; a user namespace too when the tests do not run as
// root), and a 6 MB piece of evidence is sent. The upload fails with a clear error naming the cause, leaves no record
// and no partial file, the evidence stored before is untouched, and the next upload that fits goes through on the
// same server without a restart.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api_fixture.hpp"
#include "cw/core/crypto.hpp"

namespace cw::testing {
namespace {

namespace fs = std::filesystem;

const std::string kBoundary = "cwdiskfullboundary";

// A PDF of `bytes` bytes whose content depends on `salt` (so that no two uploads share a hash).
std::string pdf(std::size_t bytes, std::uint64_t salt) {
  std::string out(bytes, '\0');
  std::uint64_t x = 0x9E3779B97F4A7C15ull ^ (salt * 0xBF58476D1CE4E5B9ull + 1);
  for (auto& c : out) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  out.replace(0, 9, "%PDF-1.7\n");
  return out;
}

std::string multipart(const std::string& file) {
  return "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"整改照片.pdf\"\r\n\r\n" +
         file + "\r\n--" + kBoundary + "--\r\n";
}

class DiskFull : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    env_ = seededDatabase();
    storage_ = fs::temp_directory_path() / ("cw-files-full-" + database_->name());
    fs::remove_all(storage_);
    fs::create_directories(storage_);
    env_["CW_STORAGE_DIR"] = storage_.string();
    env_["CW_HAZARDS_MAX_EVIDENCE_FILE_BYTES"] = std::to_string(16 << 20);
    env_["CW_JOBS_ENABLED"] = "false";
    std::vector<std::string> launcher{"/usr/bin/unshare"};
    if (::geteuid() != 0) launcher.insert(launcher.end(), {"--user", "--map-root-user"});
    launcher.insert(launcher.end(), {"--mount", "--propagation", "private", "/bin/sh", "-c",
                                     "mount -t tmpfs -o size=4m carewatch-full \"$0\" && exec \"$@\"", storage_.string()});
    server_ = new RunningServer(env_, "cw-api-diskfull-" + database_->name(), 0, launcher);
  }
  static void TearDownTestSuite() {
    ApiTest::TearDownTestSuite();
    fs::remove_all(storage_);  // the tmpfs went with the server's mount namespace
  }

  /// The storage directory as the server sees it (its own mount namespace).
  static fs::path serverStorage() { return fs::path("/proc") / std::to_string(server_->process().pid()) / "root" / storage_.relative_path(); }

  HttpReply upload(const std::string& token, std::int64_t hazard, const std::string& file) {
    return HttpClient(server_->port())
        .request("POST", "/api/v1/hazards/" + std::to_string(hazard) + "/evidence", multipart(file),
                 {{"Authorization", "Bearer " + token},
                  {"Content-Type", "multipart/form-data; boundary=" + kBoundary}});
  }

  static inline std::map<std::string, std::string> env_;
  static inline fs::path storage_;
};

TEST_F(DiskFull, AnUploadThatFillsTheDiskFailsClearlyAndLeavesTheStoreAsItWas) {
  auto lease = database_->pool().acquire();
  auto hazard = lease->query("SELECT h.id FROM hazards h JOIN users u ON u.institution_id = h.institution_id"
                             " WHERE u.username = 'inst.kangle' AND h.state = 'rectifying' ORDER BY h.id LIMIT 1");
  ASSERT_FALSE(hazard.empty());
  std::int64_t id = hazard[0].i64("id");
  auto rows = [&] { return lease->query("SELECT COUNT(*) AS n FROM hazard_evidence WHERE hazard_id = ?", id)[0].i64("n"); };
  std::string token = login("inst.kangle");
  ASSERT_TRUE(fs::exists(serverStorage())) << "the server's storage directory is not visible through /proc";

  std::string first = pdf(512 << 10, 1);
  auto stored = upload(token, id, first);
  ASSERT_EQ(stored.status, 201) << stored.body;
  std::int64_t before = rows();

  auto full = upload(token, id, pdf(6 << 20, 2));
  EXPECT_EQ(full.status, 503) << full.body;
  auto error = full.json();
  ASSERT_TRUE(error) << full.body;
  std::string message = error->getObject("error")->getValue<std::string>("message");
  EXPECT_NE(message.find("cannot store the file"), std::string::npos) << message;
  EXPECT_NE(message.find("the file store is full"), std::string::npos) << message;
  EXPECT_EQ(rows(), before) << "no evidence record for the upload that did not fit";

  // Nothing half-written: the store holds exactly the first file, under its hash, with its bytes.
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(serverStorage())) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  ASSERT_EQ(files.size(), 1u) << "a partial file was left in the store";
  std::string firstSha = core::sha256Hex(first);
  EXPECT_EQ(files[0].filename().string(), firstSha);
  std::ifstream in(files[0], std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  EXPECT_EQ(core::sha256Hex(bytes.str()), firstSha);
  auto download = HttpClient(server_->port()).get("/api/v1/evidence/" + firstSha, token);
  ASSERT_EQ(download.status, 200);
  EXPECT_EQ(core::sha256Hex(download.body), firstSha);

  // The space the failed upload took is free again: the next upload that fits is stored, without a restart.
  EXPECT_TRUE(server_->process().running());
  auto next = upload(token, id, pdf(1 << 20, 3));
  EXPECT_EQ(next.status, 201) << next.body;
  EXPECT_EQ(rows(), before + 1);
  auto verified = carewatch({"audit", "verify"}, env_);
  EXPECT_EQ(verified.exitCode, 0) << verified.output;
}

}  // namespace
}  // namespace cw::testing
