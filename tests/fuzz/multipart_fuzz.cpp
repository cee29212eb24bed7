// The streaming multipart/form-data parser of evidence uploads. The input is a Content-Type value, a line feed,
// then the body. The body is parsed twice, as one piece and in pieces of sizes taken from the input (as a socket
// delivers it), and both parses must see the same parts, the same data and the same outcome.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cw/http/multipart.hpp"
#include "fuzz_support.hpp"

namespace {

struct Trace {
  std::vector<std::string> events;  // one line per part begun / ended, the data of a part joined into one event
  std::string outcome;

  bool operator==(const Trace&) const = default;
};

Trace parse(const std::string& boundary, std::string_view body, const std::vector<std::size_t>& pieces) {
  Trace trace;
  std::string data;
  bool inPart = false;
  cw::http::MultipartParser parser(boundary, {
      [&](const cw::http::PartHeaders& part) -> cw::core::Status {
        cw::fuzz::check(!inPart, "a part begins only after the previous one ended");
        inPart = true;
        trace.events.push_back("begin " + part.name + "|" + part.filename.value_or("(none)") + "|" + part.contentType);
        return cw::core::Ok{};
      },
      [&](std::string_view bytes) -> cw::core::Status {
        cw::fuzz::check(inPart, "data arrives inside a part");
        data.append(bytes);
        return cw::core::Ok{};
      },
      [&]() -> cw::core::Status {
        cw::fuzz::check(inPart, "a part ends after it began");
        inPart = false;
        trace.events.push_back("data " + data);
        trace.events.push_back("end");
        data.clear();
        return cw::core::Ok{};
      }});
  std::size_t at = 0;
  for (std::size_t i = 0; at < body.size(); ++i) {
    std::size_t n = pieces.empty() ? body.size() : pieces[i % pieces.size()];
    n = std::min(n, body.size() - at);
    if (auto ok = parser.feed(body.substr(at, n)); !ok) {
      trace.outcome = "feed: " + ok.error().message;
      return trace;
    }
    at += n;
  }
  auto finished = parser.finish();
  trace.outcome = finished ? "ok" : "finish: " + finished.error().message;
  cw::fuzz::check(!finished || parser.done(), "a finished body reached its closing delimiter");
  return trace;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  auto boundary = cw::http::multipartBoundary(std::string(input.substr(0, newline)));
  if (!boundary) return 0;
  std::string_view body = input.substr(newline + 1);

  // Piece sizes of 1..16 bytes, derived from the body so that every input is split its own way.
  std::vector<std::size_t> pieces;
  for (std::size_t i = 0; i < body.size() && pieces.size() < 32; i += 7) {
    pieces.push_back(1 + static_cast<unsigned char>(body[i]) % 16);
  }
  Trace whole = parse(*boundary, body, {});
  Trace chunked = parse(*boundary, body, pieces);
  cw::fuzz::check(whole == chunked, "one piece and varied pieces parse alike");
  if (body.size() <= 2048) {  // byte by byte costs quadratic time in long header blocks; small bodies suffice
    Trace bytewise = parse(*boundary, body, {1});
    cw::fuzz::check(whole == bytewise, "one piece and single bytes parse alike");
  }
  return 0;
}
