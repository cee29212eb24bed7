// Transport and headers over real HTTP(S): the security headers on every answer, HTTPS through POCO NetSSL with
// TLS 1.2+ and forward-secret AEAD suites only (probed with the openssl client), HSTS only over TLS, and sign-in
// throttling per client address.

#include <filesystem>

#include "api/api_fixture.hpp"

namespace cw::testing {
namespace {

namespace fs = std::filesystem;

class TransportApi : public ApiTest {};

TEST_F(TransportApi, EveryAnswerCarriesTheSecurityHeadersAndPlainHttpNoHsts) {
  for (const std::string path : {"/healthz", "/api/v1/auth/me", "/api/v1/no-such-route"}) {
    auto reply = client().get(path);
    EXPECT_EQ(reply.headers["x-content-type-options"], "nosniff") << path;
    EXPECT_EQ(reply.headers["x-frame-options"], "DENY") << path;
    EXPECT_EQ(reply.headers["referrer-policy"], "same-origin") << path;
    EXPECT_EQ(reply.headers["content-security-policy"], "default-src 'none'; frame-ancestors 'none'") << path;
    EXPECT_EQ(reply.headers["cache-control"], "no-store") << path;
    EXPECT_FALSE(reply.headers.count("strict-transport-security")) << path << ": HSTS over plain HTTP";
  }
}

/// A self-signed certificate and key for 127.0.0.1, made with the openssl command.
struct SelfSigned {
  fs::path dir = fs::temp_directory_path() / ("cw-tls-" + std::to_string(::getpid()));
  std::string cert = (dir / "cert.pem").string();
  std::string key = (dir / "key.pem").string();
  SelfSigned() {
    fs::create_directories(dir);
    auto made = runCommand({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                            "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                            "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert});
    if (made.exitCode != 0) throw std::runtime_error("openssl req failed: " + made.output);
  }
  ~SelfSigned() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

/// openssl s_client against port with extra options; true when the handshake completed.
bool handshake(int port, const std::vector<std::string>& options, std::string* output = nullptr) {
  std::vector<std::string> argv{"/usr/bin/openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port)};
  argv.insert(argv.end(), options.begin(), options.end());
  auto r = runCommand(argv, {}, "Q\n");
  if (output) *output = r.output;
  return r.exitCode == 0 && r.output.find("Cipher is (NONE)") == std::string::npos &&
         r.output.find("Cipher is ") != std::string::npos;
}

TEST_F(TransportApi, HttpsOffersTls12AndUpWithStrongSuitesAndSendsHsts) {
  SelfSigned tls;
  auto env = carewatchEnv(database_->config());
  int tlsPort = freePort();
  env["CW_HTTP_TLS_PORT"] = std::to_string(tlsPort);
  env["CW_HTTP_TLS_CERTIFICATE"] = tls.cert;
  env["CW_HTTP_TLS_PRIVATE_KEY"] = tls.key;
  RunningServer server(env, "cw-api-tls-" + database_->name());

  // Over HTTPS (curl trusts the self-signed certificate given as its CA).
  auto https = runCommand({"/usr/bin/curl", "-sS", "--cacert", tls.cert, "-D", "-", "-o", "/dev/null",
                           "https://127.0.0.1:" + std::to_string(tlsPort) + "/api/v1/auth/me"});
  ASSERT_EQ(https.exitCode, 0) << https.output;
  EXPECT_NE(https.output.find("HTTP/1.1 401"), std::string::npos) << https.output;
  EXPECT_NE(https.output.find("Strict-Transport-Security: max-age=31536000; includeSubDomains"), std::string::npos)
      << https.output;
  EXPECT_NE(https.output.find("Content-Security-Policy: default-src 'none'; frame-ancestors 'none'"),
            std::string::npos);
  // The plain port of the same process sends no HSTS.
  EXPECT_FALSE(HttpClient(server.port()).get("/healthz").headers.count("strict-transport-security"));

  std::string out;
  EXPECT_TRUE(handshake(tlsPort, {"-tls1_3"}, &out)) << out;
  EXPECT_TRUE(handshake(tlsPort, {"-tls1_2"}, &out)) << out;
  EXPECT_NE(out.find("ECDHE"), std::string::npos) << "TLS 1.2 without forward secrecy: " << out;
  // Old protocols and weak suites are refused even to a client that offers them (SECLEVEL=0 lifts the client's own
  // refusal, so that the server's answer is what is tested).
  EXPECT_FALSE(handshake(tlsPort, {"-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"}, &out)) << out;
  EXPECT_FALSE(handshake(tlsPort, {"-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"}, &out)) << out;
  EXPECT_FALSE(handshake(tlsPort, {"-tls1_2", "-cipher", "AES128-SHA:@SECLEVEL=0"}, &out))
      << "static RSA key exchange, CBC: " << out;
  EXPECT_FALSE(handshake(tlsPort, {"-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0"},
                         &out))
      << "CBC with SHA-1: " << out;
}

TEST_F(TransportApi, AServerWithAMissingCertificateRefusesToStartAndSaysWhy) {
  auto env = carewatchEnv(database_->config());
  env["CW_HTTP_TLS_PORT"] = std::to_string(freePort());
  env["CW_HTTP_TLS_CERTIFICATE"] = "/nonexistent/cert.pem";
  env["CW_HTTP_TLS_PRIVATE_KEY"] = "/nonexistent/key.pem";
  try {
    RunningServer server(env, "cw-api-tls-missing-" + database_->name());
    ADD_FAILURE() << "started without its certificate";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/"), std::string::npos) << e.what();
  }
}

// Guessing across many accounts from one address: after the address's limit even the right password is refused
// from there (429), while the accounts themselves are not locked.
class LoginThrottleApi : public ApiTest {};

TEST_F(LoginThrottleApi, FailuresFromOneAddressAcrossAccountsLockTheAddress) {
  auto env = carewatchEnv(database_->config());
  env["CW_AUTH_MAX_FAILURES_PER_ADDRESS"] = "6";
  RunningServer server(env, "cw-api-throttle-" + database_->name());
  HttpClient http(server.port());
  const std::vector<std::string> users{"mz.wangli", "wj.chenjing", "mz.zhaoli", "sj.credit", "cz.lina", "yb.heping"};
  for (const auto& user : users) {
    auto failed = http.post("/api/v1/auth/login", R"({"username":")" + user + R"(","password":"wrong-guess-1"})");
    EXPECT_EQ(failed.status, 401) << failed.body;
  }
  auto refused = http.post("/api/v1/auth/login", R"({"username":"admin","password":")" + std::string(kDemoPassword) +
                                                     R"("})");
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_NE(refused.body.find("from this address"), std::string::npos) << refused.body;
  // One failure each: no account reached its own limit (5), and the lock is recorded in the audit log.
  auto lease = database_->pool().acquire();
  EXPECT_EQ(lease->query("SELECT COUNT(*) AS n FROM login_throttle WHERE username = 'mz.wangli' AND locked_until IS "
                         "NOT NULL")[0].i64("n"), 0);
  EXPECT_EQ(lease->query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'auth.locked' AND object_type = "
                         "'address'")[0].i64("n"), 1);
}

}  // namespace
}  // namespace cw::testing
