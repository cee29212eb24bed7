#include "cw/http/multipart.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace cw::http {
namespace {

struct Collected {
  std::vector<PartHeaders> headers;
  std::vector<std::string> data;
  int ended = 0;
};

MultipartParser::Sink collect(Collected& c) {
  return {[&c](const PartHeaders& h) -> core::Status {
            c.headers.push_back(h);
            c.data.emplace_back();
            return core::Ok{};
          },
          [&c](std::string_view d) -> core::Status {
            c.data.back().append(d);
            return core::Ok{};
          },
          [&c]() -> core::Status {
            ++c.ended;
            return core::Ok{};
          }};
}

const std::string kBody =
    "preamble to ignore\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"note\"\r\n"
    "\r\n"
    "first line\r\nsecond line\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"整改照片.jpg\"\r\n"
    "Content-Type: image/jpeg\r\n"
    "\r\n"
    "\xFF\xD8\xFF binary \r\n--XyNot the boundary\r\n"
    "--XyZ--\r\n"
    "epilogue";

TEST(MultipartBoundary, ReadsTheBoundaryAndRefusesOtherTypes) {
  EXPECT_EQ(multipartBoundary("multipart/form-data; boundary=XyZ").value(), "XyZ");
  EXPECT_EQ(multipartBoundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b'c\"").value(), "a b'c");
  EXPECT_FALSE(multipartBoundary("application/json"));
  EXPECT_FALSE(multipartBoundary("multipart/form-data"));
  EXPECT_FALSE(multipartBoundary("multipart/form-data; boundary=" + std::string(71, 'a')));
}

TEST(MultipartParser, SplitsPartsWhateverTheChunking) {
  for (std::size_t chunk : {kBody.size(), std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}}) {
    Collected c;
    MultipartParser parser("XyZ", collect(c));
    for (std::size_t i = 0; i < kBody.size(); i += chunk) {
      ASSERT_TRUE(parser.feed(std::string_view(kBody).substr(i, chunk))) << "chunk " << chunk;
    }
    ASSERT_TRUE(parser.finish()) << "chunk " << chunk;
    ASSERT_EQ(c.headers.size(), 2u);
    EXPECT_EQ(c.headers[0].name, "note");
    EXPECT_FALSE(c.headers[0].filename);
    EXPECT_EQ(c.data[0], "first line\r\nsecond line");
    EXPECT_EQ(c.headers[1].name, "file");
    EXPECT_EQ(c.headers[1].filename.value(), "整改照片.jpg");
    EXPECT_EQ(c.headers[1].contentType, "image/jpeg");
    EXPECT_EQ(c.data[1], "\xFF\xD8\xFF binary \r\n--XyNot the boundary");
    EXPECT_EQ(c.ended, 2);
  }
}

TEST(MultipartParser, ABodyWithoutLeadingTextAndAnRfc5987NameParses) {
  std::string body =
      "--b\r\nContent-Disposition: form-data; name=file; filename*=UTF-8''%E7%85%A7.png\r\n\r\nPNG\r\n--b--";
  Collected c;
  MultipartParser parser("b", collect(c));
  ASSERT_TRUE(parser.feed(body));
  ASSERT_TRUE(parser.finish());
  ASSERT_EQ(c.headers.size(), 1u);
  EXPECT_EQ(c.headers[0].filename.value(), "照.png");
  EXPECT_EQ(c.data[0], "PNG");
}

TEST(MultipartParser, ATruncatedBodyIsRefusedAtFinish) {
  for (std::size_t cut : {kBody.size() - 20, std::size_t{60}, std::size_t{25}, kBody.size() - 12}) {
    Collected c;
    MultipartParser parser("XyZ", collect(c));
    ASSERT_TRUE(parser.feed(std::string_view(kBody).substr(0, cut)));
    auto done = parser.finish();
    ASSERT_FALSE(done) << "cut at " << cut;
    EXPECT_NE(done.error().message.find("cut off"), std::string::npos) << done.error().message;
  }
  Collected c;
  MultipartParser empty("XyZ", collect(c));
  EXPECT_FALSE(empty.finish());
}

TEST(MultipartParser, MalformedHeadersAndTooManyPartsAreRefused) {
  Collected c;
  MultipartParser noName("b", collect(c));
  EXPECT_FALSE(noName.feed("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--"));

  MultipartParser badLine("b", collect(c));
  EXPECT_FALSE(badLine.feed("--b\r\nno colon here\r\n\r\nx\r\n--b--"));

  MultipartParser hugeHeader("b", collect(c));
  EXPECT_FALSE(hugeHeader.feed("--b\r\nX: " + std::string(9000, 'a')));

  std::string many;
  for (int i = 0; i <= MultipartParser::kMaxParts; ++i) many += "--b\r\nContent-Disposition: form-data; name=f\r\n\r\nx\r\n";
  many += "--b--";
  MultipartParser tooMany("b", collect(c));
  EXPECT_FALSE(tooMany.feed(many));
}

TEST(MultipartParser, ASinkErrorStopsTheParse) {
  int calls = 0;
  MultipartParser parser("b", {[](const PartHeaders&) -> core::Status { return core::Ok{}; },
                               [&calls](std::string_view) -> core::Status {
                                 ++calls;
                                 return core::Error::invalid("file", "too big");
                               },
                               nullptr});
  auto fed = parser.feed("--b\r\nContent-Disposition: form-data; name=f\r\n\r\n" + std::string(100, 'x') + "\r\n--b--");
  ASSERT_FALSE(fed);
  EXPECT_EQ(fed.error().message, "too big");
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(parser.feed("more"));
}

}  // namespace
}  // namespace cw::http
