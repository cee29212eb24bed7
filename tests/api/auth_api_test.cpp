#include "api/api_fixture.hpp"

namespace cw::testing {
namespace {

class AuthApi : public ApiTest {};

TEST_F(AuthApi, LoginReturnsTokenUserAndHttpOnlyStrictCookie) {
  auto reply = client().post("/api/v1/auth/login", R"({"username":"admin","password":"Jiujiang#2026"})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto body = reply.json();
  EXPECT_FALSE(body->getValue<std::string>("token").empty());
  EXPECT_FALSE(body->getValue<std::string>("expires_at").empty());
  EXPECT_EQ(body->getObject("user")->getValue<std::string>("role"), "admin");
  EXPECT_FALSE(body->getObject("user")->has("password_hash"));
  ASSERT_EQ(reply.setCookies.size(), 1u);
  EXPECT_NE(reply.setCookies[0].find("HttpOnly"), std::string::npos);
  EXPECT_NE(reply.setCookies[0].find("SameSite=Strict"), std::string::npos);
  EXPECT_FALSE(reply.headers["x-request-id"].empty());
}

TEST_F(AuthApi, MeWorksWithBearerAndLogoutRevokesTheToken) {
  std::string token = login("mz.wangli");
  auto me = client().get("/api/v1/auth/me", token);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json()->getObject("user")->getValue<std::string>("department_code"), "MZ");
  EXPECT_EQ(client().post("/api/v1/auth/logout", "", token).status, 200);
  auto after = client().get("/api/v1/auth/me", token);
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.errorCode(), "UNAUTHENTICATED");
}

TEST_F(AuthApi, FiveWrongPasswordsLockTheAccount) {
  for (int i = 0; i < 5; ++i) {
    auto wrong = client().post("/api/v1/auth/login", R"({"username":"wj.sunlei","password":"Wrong#password1"})");
    EXPECT_EQ(wrong.status, 401) << wrong.body;
  }
  auto locked = client().post("/api/v1/auth/login", R"({"username":"wj.sunlei","password":"Jiujiang#2026"})");
  EXPECT_EQ(locked.status, 429) << locked.body;
  EXPECT_EQ(locked.errorCode(), "RESOURCE_EXHAUSTED");
}

TEST_F(AuthApi, UnknownUserAndWrongPasswordGetTheSameAnswer) {
  auto unknown = client().post("/api/v1/auth/login", R"({"username":"nobody.here","password":"Whatever#123"})");
  auto wrong = client().post("/api/v1/auth/login", R"({"username":"mz.zhoumin","password":"Whatever#123"})");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.body, wrong.body);
}

TEST_F(AuthApi, InspectorOnAnAdminRouteGets403) {
  std::string token = login("mz.liuqiang");
  auto reply = client().get("/api/v1/admin/users", token);
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(reply.errorCode(), "PERMISSION_DENIED");
  EXPECT_EQ(client().get("/api/v1/admin/audit", token).status, 403);
}

TEST_F(AuthApi, AnonymousOnAProtectedRouteGets401) {
  EXPECT_EQ(client().get("/api/v1/admin/users").status, 401);
  EXPECT_EQ(client().get("/api/v1/departments").status, 401);
}

TEST_F(AuthApi, MalformedJsonGets400NamingTheProblem) {
  auto reply = client().post("/api/v1/auth/login", R"({"username": "admin", )");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.errorCode(), "INVALID_ARGUMENT");
  EXPECT_NE(reply.json()->getObject("error")->getValue<std::string>("message").find("not valid JSON"),
            std::string::npos);
  auto missing = client().post("/api/v1/auth/login", R"({"username":"admin"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.json()->getObject("error")->getValue<std::string>("field"), "password");
}

TEST_F(AuthApi, TenMegabyteLoginBodyGets413) {
  std::string huge = R"({"username":"admin","password":")" + std::string(10 * 1024 * 1024, 'x') + R"("})";
  auto reply = client().post("/api/v1/auth/login", huge);
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(reply.errorCode(), "PAYLOAD_TOO_LARGE");
}

TEST_F(AuthApi, UnknownApiRouteIs404AndWrongMethodIs405AsJson) {
  auto missing = client().get("/api/v1/no-such-thing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.errorCode(), "NOT_FOUND");
  auto wrongMethod = client().request("DELETE", "/api/v1/auth/login");
  EXPECT_EQ(wrongMethod.status, 405);
  EXPECT_EQ(wrongMethod.headers["allow"], "POST");
  EXPECT_EQ(wrongMethod.errorCode(), "METHOD_NOT_ALLOWED");
  EXPECT_NE(wrongMethod.headers["content-type"].find("application/json"), std::string::npos);
}

TEST_F(AuthApi, AdminCreatesAnInspectorAndSeesItInTheAuditLog) {
  std::string token = login("admin");
  auto created = client().post("/api/v1/admin/users",
                               R"({"username":"mz.xuhui","display_name":"徐辉","role":"inspector",
                                   "password":"Inspect#2026x","department_code":"MZ","region_code":"360429",
                                   "certificate_no":"36042920250001"})",
                               token);
  ASSERT_EQ(created.status, 201) << created.body;
  auto id = created.json()->getValue<std::int64_t>("id");
  EXPECT_EQ(created.json()->getValue<std::string>("region_name"), "湖口县");
  auto audit = client().get("/api/v1/admin/audit?action=user.create&object_id=" + std::to_string(id), token);
  ASSERT_EQ(audit.status, 200) << audit.body;
  auto items = audit.json()->getArray("items");
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ(items->getObject(0)->getValue<std::string>("actor_name"), "admin");
  EXPECT_EQ(login("mz.xuhui", "Inspect#2026x").empty(), false);
}

TEST_F(AuthApi, CreateUserErrorsNameTheField) {
  std::string token = login("admin");
  auto noDept = client().post(
      "/api/v1/admin/users",
      R"({"username":"new.officer","display_name":"新","role":"officer","password":"Officer#2026x"})", token);
  EXPECT_EQ(noDept.status, 400);
  EXPECT_EQ(noDept.json()->getObject("error")->getValue<std::string>("field"), "department_code");
  auto taken = client().post(
      "/api/v1/admin/users",
      R"({"username":"admin","display_name":"重复","role":"bureau","department_code":"SJ","password":"Bureau#2026x"})",
      token);
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(taken.json()->getObject("error")->getValue<std::string>("field"), "username");
}

TEST_F(AuthApi, DisabledUserLosesSessionAndCannotSignIn) {
  std::string admin = login("admin");
  std::string token = login("xf.wugang");
  auto me = client().get("/api/v1/auth/me", token);
  ASSERT_EQ(me.status, 200);
  auto id = me.json()->getObject("user")->getValue<std::int64_t>("id");
  auto disabled = client().post("/api/v1/admin/users/" + std::to_string(id) + "/disable", "", admin);
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(disabled.json()->getValue<std::string>("status"), "disabled");
  EXPECT_EQ(client().get("/api/v1/auth/me", token).status, 401);
  auto again = client().post("/api/v1/auth/login", R"({"username":"xf.wugang","password":"Jiujiang#2026"})");
  EXPECT_EQ(again.status, 401);
  ASSERT_EQ(client().post("/api/v1/admin/users/" + std::to_string(id) + "/enable", "", admin).status, 200);
  EXPECT_FALSE(login("xf.wugang").empty());
}

TEST_F(AuthApi, CookieAuthenticatedWritesNeedTheCsrfToken) {
  auto signedIn = client().post("/api/v1/auth/login", R"({"username":"sj.credit","password":"Jiujiang#2026"})");
  ASSERT_EQ(signedIn.status, 200);
  std::string token = signedIn.json()->getValue<std::string>("token");
  std::string csrf = signedIn.json()->getValue<std::string>("csrf_token");
  std::map<std::string, std::string> cookie{{"Cookie", "cw_session=" + token}};
  EXPECT_EQ(client().request("GET", "/api/v1/auth/me", "", cookie).status, 200);
  auto forged = client().request("POST", "/api/v1/auth/logout", "", cookie);
  EXPECT_EQ(forged.status, 403);
  auto withToken = cookie;
  withToken["X-CSRF-Token"] = csrf;
  EXPECT_EQ(client().request("POST", "/api/v1/auth/logout", "", withToken).status, 200);
}

TEST_F(AuthApi, SigningInWithAStaleCookieAndNoCsrfTokenWorks) {
  std::map<std::string, std::string> staleCookie{{"Cookie", "cw_session=no-longer-valid-token"}};
  auto reply = client().request("POST", "/api/v1/auth/login",
                                R"({"username":"wj.chenjing","password":"Jiujiang#2026"})", staleCookie);
  EXPECT_EQ(reply.status, 200) << reply.body;
}

TEST_F(AuthApi, RequestIdIsEchoedWhenWellFormed) {
  auto reply = client().request("GET", "/healthz", "", {{"X-Request-Id", "trace-0123456789"}});
  EXPECT_EQ(reply.headers["x-request-id"], "trace-0123456789");
}

TEST_F(AuthApi, ProbesAndMetrics) {
  EXPECT_EQ(client().get("/healthz").status, 200);
  auto ready = client().get("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  auto metrics = client().get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("carewatch_http_requests_total"), std::string::npos);
  EXPECT_NE(metrics.body.find("carewatch_db_pool_open"), std::string::npos);
}

}  // namespace
}  // namespace cw::testing
