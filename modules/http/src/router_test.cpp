#include <gtest/gtest.h>

#include <limits>

#include "cw/http/json.hpp"
#include "cw/http/router.hpp"

namespace cw::http {
namespace {

Handler noop() {
  return [](Request&) -> core::Result<Response> { return Response::emptyObject(); };
}

TEST(Router, MatchesParametersAndPrefersLiteralSegments) {
  Router router;
  router.add("GET", "/api/v1/admin/users/{id}", Access::only({"admin"}), noop());
  router.add("GET", "/api/v1/admin/users/export", Access::only({"admin"}), noop());
  auto byId = router.match("GET", "/api/v1/admin/users/42");
  ASSERT_NE(byId.route, nullptr);
  EXPECT_EQ(byId.params.at("id"), "42");
  auto literal = router.match("GET", "/api/v1/admin/users/export");
  ASSERT_NE(literal.route, nullptr);
  EXPECT_EQ(literal.route->pattern, "/api/v1/admin/users/export");
}

TEST(Router, ReportsAllowedMethodsWhenOnlyTheMethodIsWrong) {
  Router router;
  router.add("POST", "/api/v1/auth/login", Access::anyone(), noop());
  auto m = router.match("GET", "/api/v1/auth/login");
  EXPECT_EQ(m.route, nullptr);
  ASSERT_EQ(m.allowedMethods.size(), 1u);
  EXPECT_EQ(m.allowedMethods[0], "POST");
  auto none = router.match("GET", "/api/v1/auth/other");
  EXPECT_EQ(none.route, nullptr);
  EXPECT_TRUE(none.allowedMethods.empty());
}

TEST(Router, DoesNotMatchEmptyParameterOrExtraSegments) {
  Router router;
  router.add("GET", "/api/v1/admin/users/{id}", Access::signedIn(), noop());
  EXPECT_EQ(router.match("GET", "/api/v1/admin/users/").route, nullptr);
  EXPECT_EQ(router.match("GET", "/api/v1/admin/users/1/x").route, nullptr);
}

TEST(Router, RefusesDuplicatesAndMalformedPatterns) {
  Router router;
  router.add("GET", "/a/{id}", Access::signedIn(), noop());
  EXPECT_THROW(router.add("GET", "/a/{id}", Access::signedIn(), noop()), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "a/b", Access::signedIn(), noop()), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/a/{id", Access::signedIn(), noop()), std::invalid_argument);
}

TEST(Access, DescribesAndChecksRoles) {
  EXPECT_EQ(Access::anyone().describe(), "public");
  EXPECT_EQ(Access::signedIn().describe(), "authenticated");
  Access admins = Access::only({"admin", "officer"});
  EXPECT_EQ(admins.describe(), "roles:admin,officer");
  EXPECT_TRUE(admins.allowsRole("officer"));
  EXPECT_FALSE(admins.allowsRole("inspector"));
}

TEST(Json, ParseErrorsNameTheProblem) {
  auto empty = parseJsonObject("  ");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos);
  auto broken = parseJsonObject("{\"a\": ");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("not valid JSON"), std::string::npos);
  auto array = parseJsonObject("[1,2]");
  ASSERT_FALSE(array.ok());
  EXPECT_NE(array.error().message.find("JSON object"), std::string::npos);
}

TEST(Json, FieldReadersNameTheFieldAndType) {
  auto body = *parseJsonObject(R"({"name":"  九江  ","count":"3","n":7,"blank":""})");
  EXPECT_EQ(*requireString(body, "name", 1, 10), "九江");
  auto missing = requireString(body, "absent", 1, 10);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().field, "absent");
  auto wrongType = optionalInt(body, "count");
  ASSERT_FALSE(wrongType.ok());
  EXPECT_EQ(wrongType.error().message, "count must be an integer");
  EXPECT_EQ(**optionalInt(body, "n"), 7);
  EXPECT_FALSE(optionalString(body, "blank", 10)->has_value());
}

// Found by fuzzing (tests/fuzz/json_body_fuzz.cpp): the parser keeps 2^63..2^64-1 as an unsigned value, whose
// conversion threw, so such a number in any integer field answered 500 instead of 400.
TEST(Json, IntegersBeyond64BitsAreRefusedNotThrown) {
  auto body = *parseJsonObject(
      R"({"big":9223372036854775808,"max":18446744073709551615,"top":9223372036854775807,"low":-9223372036854775808})");
  auto big = optionalInt(body, "big");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().field, "big");
  EXPECT_EQ(big.error().message, "big is too large");
  EXPECT_FALSE(optionalInt(body, "max").ok());
  EXPECT_EQ(**optionalInt(body, "top"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(**optionalInt(body, "low"), std::numeric_limits<std::int64_t>::min());
  EXPECT_FALSE(integerValue(body->get("max")).has_value());
  EXPECT_FALSE(integerValue(Poco::Dynamic::Var("7")).has_value());
  EXPECT_EQ(integerValue(Poco::Dynamic::Var(7)), 7);
}

TEST(Json, LogLinesEscapeWhatJsonRequiresAndParseBack) {
  std::string text;
  appendJsonString(text, "a\"b\\c\n\t\x01\x7f 九江 /");
  EXPECT_EQ(text, R"("a\"b\\c\n\t\u0001\u007f 九江 /")");
  auto line = logLine("warn", "say \"hi\"", {{"path", "/api/v1/x\r\n"}, {"who", "王力"}});
  auto parsed = parseJsonObject(line);
  ASSERT_TRUE(parsed.ok()) << line;
  EXPECT_EQ((*parsed)->getValue<std::string>("level"), "warn");
  EXPECT_EQ((*parsed)->getValue<std::string>("msg"), "say \"hi\"");
  EXPECT_EQ((*parsed)->getValue<std::string>("path"), "/api/v1/x\r\n");
  EXPECT_EQ((*parsed)->getValue<std::string>("who"), "王力");
}

TEST(Router, ManyRoutesMatchTheRightOneWithItsParameters) {
  Router router;
  router.add("GET", "/api/v1/credit/entities/{code}", Access::signedIn(), noop());
  router.add("GET", "/api/v1/credit/entities/{code}/explain", Access::signedIn(), noop());
  router.add("POST", "/api/v1/credit/lists/{list}/entries/{id}/decide", Access::signedIn(), noop());
  router.add("GET", "/api/v1/credit/lists/{list}/entries/{id}", Access::signedIn(), noop());
  auto decide = router.match("POST", "/api/v1/credit/lists/blacklist/entries/7/decide");
  ASSERT_NE(decide.route, nullptr);
  EXPECT_EQ(decide.params.at("list"), "blacklist");
  EXPECT_EQ(decide.params.at("id"), "7");
  EXPECT_EQ(router.match("GET", "/api/v1/credit/entities/X/explain").route->pattern,
            "/api/v1/credit/entities/{code}/explain");
  EXPECT_EQ(router.match("GET", "/api/v1/credit/entities/X/explain/more").route, nullptr);
  EXPECT_EQ(router.match("GET", "api/v1/credit/entities/X").route, nullptr);
  auto wrong = router.match("GET", "/api/v1/credit/lists/blacklist/entries/7/decide");
  EXPECT_EQ(wrong.route, nullptr);
  EXPECT_EQ(wrong.allowedMethods, std::vector<std::string>{"POST"});
}

TEST(Errors, OneStatusPerCodeAndOneShape) {
  EXPECT_EQ(httpStatus(core::ErrorCode::InvalidArgument), 400);
  EXPECT_EQ(httpStatus(core::ErrorCode::Unauthenticated), 401);
  EXPECT_EQ(httpStatus(core::ErrorCode::PermissionDenied), 403);
  EXPECT_EQ(httpStatus(core::ErrorCode::NotFound), 404);
  EXPECT_EQ(httpStatus(core::ErrorCode::Conflict), 409);
  EXPECT_EQ(httpStatus(core::ErrorCode::PayloadTooLarge), 413);
  EXPECT_EQ(httpStatus(core::ErrorCode::ResourceExhausted), 429);
  EXPECT_EQ(httpStatus(core::ErrorCode::Unavailable), 503);
  auto r = errorResponse(core::Error::invalid("username", "username is required"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"error":{"code":"INVALID_ARGUMENT","field":"username","message":"username is required"}})");
}

TEST(Router, RoutesAnsweredFromMemoryAreMarkedAndOnlyGets) {
  Router router;
  auto ok = [](Request&) -> core::Result<Response> { return Response::emptyObject(); };
  router.addFromMemory("GET", "/api/v1/credit/check", Access::signedIn(), ok);
  router.add("GET", "/api/v1/auth/me", Access::signedIn(), ok);
  EXPECT_TRUE(router.match("GET", "/api/v1/credit/check").route->fromMemory);
  EXPECT_FALSE(router.match("GET", "/api/v1/auth/me").route->fromMemory);
  EXPECT_THROW(router.addFromMemory("POST", "/api/v1/credit/check", Access::signedIn(), ok), std::invalid_argument);
}

TEST(Pagination, ValidatesRanges) {
  Request request;
  request.query.emplace("page", "0");
  auto bad = pageParams(request);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "page");
  Request ok;
  ok.query.emplace("page", "3");
  ok.query.emplace("page_size", "50");
  auto page = pageParams(ok);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->offset(), 100);
}

}  // namespace
}  // namespace cw::http
