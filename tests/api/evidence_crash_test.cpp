// A server killed (SIGKILL) in the middle of a 200 MB evidence upload leaves no evidence record and no file under
// a final (hash) name; after a restart the same upload succeeds and the stored file matches its hash.

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api_fixture.hpp"
#include "cw/core/crypto.hpp"

namespace cw::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kChunk = 1024 * 1024;
constexpr std::size_t kFileBytes = 200 * kChunk;
const std::string kBoundary = "cwcrashboundary";

// The n-th megabyte of the test file: a PDF header, then bytes from a fixed generator.
std::string chunk(std::size_t n) {
  std::string out(kChunk, '\0');
  std::uint64_t x = 0x9E3779B97F4A7C15ull * (n + 1);
  for (std::size_t i = 0; i < kChunk; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out[i] = static_cast<char>(x);
  }
  if (n == 0) out.replace(0, 9, "%PDF-1.7\n");
  return out;
}

std::string head() {
  return "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"监控录像导出.pdf\"\r\n\r\n";
}
std::string tail() { return "\r\n--" + kBoundary + "--\r\n"; }

class EvidenceCrash : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    env_ = seededDatabase();
    env_["CW_HAZARDS_MAX_EVIDENCE_FILE_BYTES"] = std::to_string(300 * kChunk);
    server_ = new RunningServer(env_, "cw-api-crash-" + database_->name());
  }

  // Sends the upload's headers and the first `megabytes` of its body (all of it when it is kFileBytes).
  // Returns the status when the whole body was sent, 0 otherwise.
  static int send(const std::string& token, std::int64_t hazard, std::size_t megabytes,
                  const std::function<void()>& midway = {}) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(server_->port()));
    session.setTimeout(Poco::Timespan(120, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST,
                                   "/api/v1/hazards/" + std::to_string(hazard) + "/evidence",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "Bearer " + token);
    request.setContentType("multipart/form-data; boundary=" + kBoundary);
    request.setContentLength64(static_cast<Poco::Int64>(head().size() + kFileBytes + tail().size()));
    std::ostream& out = session.sendRequest(request);
    out << head();
    for (std::size_t i = 0; i < megabytes; ++i) {
      out << chunk(i);
      if (midway && i == megabytes / 2) midway();
    }
    if (megabytes * kChunk < kFileBytes) return 0;
    out << tail();
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    std::string body;
    Poco::StreamCopier::copyToString(in, body);
    EXPECT_EQ(response.getStatus(), Poco::Net::HTTPResponse::HTTP_CREATED) << body;
    return static_cast<int>(response.getStatus());
  }

  static inline std::map<std::string, std::string> env_;
};

TEST_F(EvidenceCrash, KilledMidUploadLeavesNothingAndTheUploadThenSucceeds) {
  std::string token = login("inst.kangle");
  auto lease = database_->pool().acquire();
  auto hazard = lease->query("SELECT h.id FROM hazards h JOIN users u ON u.institution_id = h.institution_id"
                             " WHERE u.username = 'inst.kangle' AND h.state = 'rectifying' ORDER BY h.id LIMIT 1");
  ASSERT_FALSE(hazard.empty());
  std::int64_t id = hazard[0].i64("id");
  core::Sha256Stream hash;
  for (std::size_t i = 0; i < kFileBytes / kChunk; ++i) hash.update(chunk(i));
  std::string sha = hash.finishHex();
  fs::path final = fs::path(env_["CW_STORAGE_DIR"]) / sha.substr(0, 2) / sha.substr(2, 2) / sha;
  auto rows = [&] { return lease->query("SELECT COUNT(*) AS n FROM hazard_evidence WHERE hazard_id = ?", id)[0].i64("n"); };
  std::int64_t before = rows();

  // Half the body is on the wire when the server is killed.
  try {
    send(token, id, 150, [] { ::kill(server_->process().pid(), SIGKILL); });
  } catch (const std::exception&) {
    // The connection breaks under the client; that is the point.
  }
  server_->process().wait(10);
  EXPECT_EQ(rows(), before) << "no evidence record for the interrupted upload";
  EXPECT_FALSE(fs::exists(final)) << "no file under its final name";

  // Restarted on the same database and store, the same upload goes through.
  delete server_;
  server_ = new RunningServer(env_, "cw-api-crash-restart-" + database_->name());
  token = login("inst.kangle");
  ASSERT_EQ(send(token, id, kFileBytes / kChunk), 201);
  EXPECT_EQ(rows(), before + 1);
  ASSERT_TRUE(fs::exists(final));
  EXPECT_EQ(fs::file_size(final), kFileBytes);
  core::Sha256Stream onDisk;
  std::ifstream file(final, std::ios::binary);
  std::string buffer(kChunk, '\0');
  while (file.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || file.gcount() > 0) {
    onDisk.update(std::string_view(buffer.data(), static_cast<std::size_t>(file.gcount())));
  }
  EXPECT_EQ(onDisk.finishHex(), sha) << "the stored file is exactly what was sent";
  auto stored = lease->query("SELECT size_bytes, media_type FROM hazard_evidence WHERE hazard_id = ? AND sha256 = ?",
                             id, sha);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].i64("size_bytes"), static_cast<std::int64_t>(kFileBytes));
  EXPECT_EQ(stored[0].str("media_type"), "application/pdf");
}

}  // namespace
}  // namespace cw::testing
