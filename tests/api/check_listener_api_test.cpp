// The check listener (http.check_port) over real HTTP: the credit check answered as on the main port, with the same
// headers, authentication and access rules; only the routes answered from memory served there; what it cannot read
// refused with a clear error; keep-alive and pipelined requests; a clean stop.

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <csignal>
#include <string>
#include <thread>

#include "api/api_fixture.hpp"

namespace cw::testing {
namespace {

constexpr const char* kCheck = "/api/v1/credit/check?entity=52360481MJE5G6H7JE&action=subsidy";  // 湓城, blacklisted

class CheckListenerApi : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    auto env = seededDatabase();
    checkPort_ = freePort();
    env["CW_HTTP_CHECK_PORT"] = std::to_string(checkPort_);
    server_ = new RunningServer(env, "cw-api-check-" + database_->name());
  }

  HttpClient checkClient() { return HttpClient(checkPort_); }

  /// Writes `raw` on a new connection and reads until the peer closes it (or 5 s pass).
  static std::string exchange(const std::string& raw) {
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(checkPort_)));
    socket.setReceiveTimeout(Poco::Timespan(5, 0));
    socket.sendBytes(raw.data(), static_cast<int>(raw.size()));
    std::string received;
    char buffer[4096];
    try {
      for (int n; (n = socket.receiveBytes(buffer, sizeof buffer)) > 0;) received.append(buffer, static_cast<std::size_t>(n));
    } catch (const Poco::TimeoutException&) {
    }
    return received;
  }

  static std::size_t count(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
  }

  static inline int checkPort_ = 0;
};

TEST_F(CheckListenerApi, TheCheckIsAnsweredAsOnTheMainPortWithTheSameHeaders) {
  std::string token = login("mz.wangli");
  auto main = client().get(kCheck, token);
  ASSERT_EQ(main.status, 200) << main.body;
  // The session is in the process's cache now; a second token, not yet read, goes through a worker thread.
  auto fast = checkClient().request("GET", kCheck, "", {{"Authorization", "Bearer " + token},
                                                        {"X-Request-Id", "check-listener-0001"}});
  ASSERT_EQ(fast.status, 200) << fast.body;
  EXPECT_EQ(fast.body, main.body);
  EXPECT_EQ(fast.json()->getValue<std::string>("decision"), "restricted");
  EXPECT_EQ(fast.headers["content-type"], "application/json; charset=utf-8");
  EXPECT_EQ(fast.headers["x-request-id"], "check-listener-0001");
  for (const auto& name : {"x-content-type-options", "x-frame-options", "referrer-policy", "cross-origin-opener-policy",
                           "cross-origin-resource-policy", "cache-control", "content-security-policy"}) {
    EXPECT_EQ(fast.headers[name], main.headers[name]) << name;
  }
  EXPECT_FALSE(fast.headers.count("strict-transport-security"));

  std::string fresh = login("mz.wangli");  // not in the cache: read from the database by a worker
  EXPECT_EQ(checkClient().get(kCheck, fresh).body, main.body);

  // Logged like every request, with the route and the user.
  std::string log;
  for (int i = 0; i < 60 && log.find("check-listener-0001") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    log = server_->process().log();
  }
  auto line = log.substr(log.rfind('\n', log.find("check-listener-0001")) + 1);
  line = line.substr(0, line.find('\n'));
  EXPECT_NE(line.find(R"("route":"/api/v1/credit/check","status":200)"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("user_id":)"), std::string::npos) << line;
  EXPECT_NE(log.find(R"("check_address":"http://127.0.0.1:)" + std::to_string(checkPort_) + "\""), std::string::npos);
}

TEST_F(CheckListenerApi, TheMainPortsAccessRulesApply) {
  EXPECT_EQ(checkClient().get(kCheck).status, 401);
  EXPECT_EQ(checkClient().get(kCheck, "not-a-session-token").status, 401);
  // The check is for department systems and staff: an institution's account is refused.
  auto institution = checkClient().get(kCheck, login("inst.kangle"));
  EXPECT_EQ(institution.status, 403) << institution.body;
  // A signed-out session is refused at once, in the process that signed it out.
  std::string token = login("mz.wangli");
  ASSERT_EQ(checkClient().get(kCheck, token).status, 200);
  ASSERT_EQ(client().post("/api/v1/auth/logout", "", token).status, 200);
  EXPECT_EQ(checkClient().get(kCheck, token).status, 401);
  // The session cookie works as on the main port (a GET needs no CSRF token).
  std::string cookie = login("mz.wangli");
  auto viaCookie = checkClient().request("GET", kCheck, "", {{"Cookie", "theme=dark; cw_session=" + cookie}});
  EXPECT_EQ(viaCookie.status, 200) << viaCookie.body;
  // A malformed entity is the handler's 400, as on the main port.
  auto bad = checkClient().get("/api/v1/credit/check?entity=123", cookie);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(bad.errorCode(), "INVALID_ARGUMENT");
}

TEST_F(CheckListenerApi, OnlyRoutesAnsweredFromMemoryAreServedThere) {
  std::string token = login("mz.wangli");
  auto me = checkClient().get("/api/v1/auth/me", token);
  EXPECT_EQ(me.status, 404);
  EXPECT_NE(me.body.find("not served on the check listener; call it on the main HTTP port"), std::string::npos)
      << me.body;
  EXPECT_EQ(client().get("/api/v1/auth/me", token).status, 200);
  EXPECT_EQ(checkClient().get("/healthz").status, 200);
  auto post = checkClient().request("POST", "/api/v1/credit/check", "", {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.headers["allow"], "GET");
  EXPECT_EQ(checkClient().get("/api/v1/no-such-route").status, 404);
  EXPECT_EQ(checkClient().get("/index.html").status, 404);  // no console on this port
  auto head = checkClient().request("HEAD", kCheck, "", {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_NE(head.headers["content-length"], "0");
}

TEST_F(CheckListenerApi, WhatItCannotReadIsRefusedByNameAndTheConnectionClosed) {
  auto withBody = exchange("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(withBody.rfind("HTTP/1.1 400", 0), 0u) << withBody;
  EXPECT_NE(withBody.find("the check listener takes no request body"), std::string::npos) << withBody;
  EXPECT_NE(withBody.find("Connection: close"), std::string::npos) << withBody;

  auto hugeHeader = exchange("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " + std::string(9000, 'x') +
                             "\r\n\r\n");
  EXPECT_EQ(hugeHeader.rfind("HTTP/1.1 400", 0), 0u) << hugeHeader.substr(0, 300);
  EXPECT_NE(hugeHeader.find("its header is larger than 8 KB"), std::string::npos) << hugeHeader.substr(0, 300);

  auto garbage = exchange("HELLO\r\n\r\n");
  EXPECT_EQ(garbage.rfind("HTTP/1.1 400", 0), 0u) << garbage;
  EXPECT_NE(garbage.find("the request cannot be read"), std::string::npos) << garbage;
}

TEST_F(CheckListenerApi, KeepAliveAndPipelinedRequestsAreAnsweredInOrder) {
  std::string token = login("mz.wangli");
  auto keepAlive = checkClient();
  for (int i = 0; i < 50; ++i) ASSERT_EQ(keepAlive.get(kCheck, token).status, 200) << "request " << i;
  // Three requests in one write, the last one closing: three answers, in order, then the end of the connection.
  std::string get = std::string("GET ") + kCheck + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token;
  auto answers = exchange(get + "\r\nX-Request-Id: pipelined-0001\r\n\r\n" + "GET /healthz HTTP/1.1\r\nHost: x\r\n"
                          "X-Request-Id: pipelined-0002\r\n\r\n" + get +
                          "\r\nX-Request-Id: pipelined-0003\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(count(answers, "HTTP/1.1 200 OK"), 3u) << answers;
  auto first = answers.find("pipelined-0001"), second = answers.find("pipelined-0002"),
       third = answers.find("pipelined-0003");
  EXPECT_TRUE(first < second && second < third && third != std::string::npos) << answers;
}

TEST_F(CheckListenerApi, AServerWithTheListenerStopsCleanlyOnSigterm) {
  auto env = carewatchEnv(database_->config());
  int port = freePort();
  env["CW_HTTP_CHECK_PORT"] = std::to_string(port);
  RunningServer server(env, "cw-api-check-stop-" + database_->name());
  EXPECT_EQ(HttpClient(port).get("/healthz").status, 200);
  HttpClient idle(port);  // an idle keep-alive connection does not hold the stop up
  ASSERT_EQ(idle.get("/healthz").status, 200);
  EXPECT_EQ(server.process().stop(20), 0) << server.process().log();
  EXPECT_NE(server.process().log().find(R"("msg":"stopped")"), std::string::npos);
}

TEST_F(CheckListenerApi, ACheckPortInUseStopsTheStartNamingIt) {
  auto env = carewatchEnv(database_->config());
  env["CW_HTTP_CHECK_PORT"] = std::to_string(checkPort_);  // the suite's server has it
  try {
    RunningServer server(env, "cw-api-check-busy-" + database_->name());
    ADD_FAILURE() << "started without its check port";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("the check listener cannot listen on 127.0.0.1:" + std::to_string(checkPort_)),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace cw::testing
