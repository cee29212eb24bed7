#pragma once
// Reading JSON request bodies field by field, with errors that name the field and say what was wrong.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <Poco/JSON/Object.h>

#include "cw/core/result.hpp"
#include "cw/http/request.hpp"

namespace cw::http {

/// The body as a JSON object; InvalidArgument when empty, malformed (with the parser's position) or not an object.
core::Result<Poco::JSON::Object::Ptr> parseJsonObject(const std::string& body);

/// A string field of minChars..maxChars code points (valid UTF-8, no control characters).
core::Result<std::string> requireString(const Poco::JSON::Object::Ptr& object, const std::string& field,
                                        std::size_t minChars, std::size_t maxChars);
/// Like requireString, but absent or null gives nullopt. An empty string also gives nullopt.
core::Result<std::optional<std::string>> optionalString(const Poco::JSON::Object::Ptr& object,
                                                        const std::string& field, std::size_t maxChars);
/// A password-like string taken verbatim (no trimming, any printable characters).
core::Result<std::string> requireSecret(const Poco::JSON::Object::Ptr& object, const std::string& field,
                                        std::size_t maxBytes);
/// An integer field; InvalidArgument when it is not an integer or does not fit in 64 bits.
core::Result<std::optional<std::int64_t>> optionalInt(const Poco::JSON::Object::Ptr& object, const std::string& field);
/// A JSON integer as int64; nullopt when the value is not an integer or lies beyond int64 (the parser keeps
/// 2^63..2^64-1 as an unsigned value, and converting one throws).
std::optional<std::int64_t> integerValue(const Poco::Dynamic::Var& value);

/// A path parameter that must be a positive integer id; InvalidArgument naming it otherwise.
core::Result<std::int64_t> idParam(const Request& request, const std::string& name = "id");

/// An optional query parameter as a positive integer within [min, max].
core::Result<std::optional<std::int64_t>> queryInt(const Request& request, const std::string& name, std::int64_t min,
                                                   std::int64_t max);

struct Page {
  std::int64_t page = 1;
  std::int64_t pageSize = 20;
  std::int64_t offset() const { return (page - 1) * pageSize; }
};
/// `page` (>= 1) and `page_size` (1..200) query parameters.
core::Result<Page> pageParams(const Request& request);

/// Compact JSON text of an object (audit summaries, log lines).
std::string toJsonText(const Poco::JSON::Object::Ptr& object);
/// Compact JSON text of an object built from name/value pairs (audit summaries, outbox payloads).
std::string jsonText(std::initializer_list<std::pair<std::string, Poco::Dynamic::Var>> fields);

/// Appends text as a JSON string literal (quotes, backslashes and control characters escaped; UTF-8 kept as is).
void appendJsonString(std::string& out, std::string_view text);

/// One structured log line: {"ts","level","msg", fields...}; every value is written as a JSON string.
std::string logLine(const std::string& level, const std::string& msg,
                    const std::vector<std::pair<std::string, std::string>>& fields = {});

/// The one rendering of an error: {"error": {"code", "message", "field"?}}.
Response errorResponse(const core::Error& error);
int httpStatus(core::ErrorCode code);

}  // namespace cw::http
