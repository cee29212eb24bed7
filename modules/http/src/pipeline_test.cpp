#include <gtest/gtest.h>

#include "pipeline.hpp"

namespace cw::http::detail {
namespace {

TEST(Pipeline, HeadersAreLowerCasedAndCookieHeadersFillTheCookies) {
  Request request;
  Pipeline::addHeader(request, "X-CSRF-Token", "abc");
  Pipeline::addHeader(request, "Cookie", "theme=dark; cw_session=t1");
  Pipeline::addHeader(request, "COOKIE", "lang=zh-CN");
  EXPECT_EQ(request.headers.at("x-csrf-token"), "abc");
  EXPECT_EQ(request.headers.at("cookie"), "lang=zh-CN");  // the last of a repeated name
  EXPECT_EQ(request.cookies.at("theme"), "dark");
  EXPECT_EQ(request.cookies.at("cw_session"), "t1");
  EXPECT_EQ(request.cookies.at("lang"), "zh-CN");
}

TEST(Pipeline, TheClientIsTheProxysOnlyWhenTrustedAndAnAddress) {
  EXPECT_EQ(Pipeline::clientIp("127.0.0.1", "203.0.113.7", true), "203.0.113.7");
  EXPECT_EQ(Pipeline::clientIp("127.0.0.1", "203.0.113.7", false), "127.0.0.1");
  EXPECT_EQ(Pipeline::clientIp("127.0.0.1", "not-an-address", true), "127.0.0.1");
  EXPECT_EQ(Pipeline::clientIp("127.0.0.1", "", true), "127.0.0.1");
}

}  // namespace
}  // namespace cw::http::detail
