#include "cw/http/json.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <charconv>
#include <limits>
#include <sstream>

#include "cw/core/time.hpp"
#include "cw/core/validation.hpp"

namespace cw::http {

using core::Error;

std::string Request::header(const std::string& name) const {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = headers.find(lower);
  return it == headers.end() ? std::string() : it->second;
}

std::optional<std::string> Request::queryParam(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

const std::string& Request::pathParam(const std::string& name) const {
  static const std::string kEmpty;
  auto it = pathParams.find(name);
  return it == pathParams.end() ? kEmpty : it->second;
}

namespace {
std::string stringify(const Poco::Dynamic::Var& value) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(value, out, 0, -1, Poco::JSON_PRESERVE_KEY_ORDER);
  return out.str();
}
}  // namespace

std::string toJsonText(const Poco::JSON::Object::Ptr& object) { return stringify(object); }

std::string jsonText(std::initializer_list<std::pair<std::string, Poco::Dynamic::Var>> fields) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  for (const auto& [k, v] : fields) o->set(k, v);
  return stringify(o);
}

void appendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20 || u == 0x7f) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string logLine(const std::string& level, const std::string& msg,
                    const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string line = "{\"ts\":";
  appendJsonString(line, core::formatIsoUtc(std::chrono::system_clock::now(), true));
  line += ",\"level\":";
  appendJsonString(line, level);
  line += ",\"msg\":";
  appendJsonString(line, msg);
  for (const auto& [key, value] : fields) {
    line += ',';
    appendJsonString(line, key);
    line += ':';
    appendJsonString(line, value);
  }
  return line + "}";
}

Response Response::json(const Poco::JSON::Object::Ptr& object, int status) {
  Response r;
  r.status = status;
  r.body = stringify(object);
  return r;
}

Response Response::json(const Poco::JSON::Array::Ptr& array, int status) {
  Response r;
  r.status = status;
  r.body = stringify(array);
  return r;
}

Response Response::emptyObject(int status) {
  Response r;
  r.status = status;
  r.body = "{}";
  return r;
}

Response Response::text(std::string body, std::string contentType, int status) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.contentType = std::move(contentType);
  return r;
}

Response Response::file(std::string path, std::string contentType) {
  Response r;
  r.bodyFile = std::move(path);
  r.contentType = std::move(contentType);
  return r;
}

core::Result<Poco::JSON::Object::Ptr> parseJsonObject(const std::string& body) {
  if (core::trim(body).empty()) return Error::invalid("", "request body is empty; expected a JSON object");
  if (!core::isValidUtf8(body)) return Error::invalid("", "request body is not valid UTF-8");
  Poco::Dynamic::Var parsed;
  try {
    Poco::JSON::Parser parser;
    parsed = parser.parse(body);
  } catch (const Poco::Exception& e) {
    return Error::invalid("", "request body is not valid JSON: " + e.message());
  }
  if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) {
    return Error::invalid("", "request body must be a JSON object");
  }
  return parsed.extract<Poco::JSON::Object::Ptr>();
}

core::Result<std::string> requireString(const Poco::JSON::Object::Ptr& object, const std::string& field,
                                        std::size_t minChars, std::size_t maxChars) {
  if (!object->has(field) || object->isNull(field)) return Error::invalid(field, field + " is required");
  auto value = object->get(field);
  if (!value.isString()) return Error::invalid(field, field + " must be a string");
  std::string text = core::trim(value.extract<std::string>());
  if (auto ok = core::checkText(field, text, minChars, maxChars); !ok) return ok.error();
  return text;
}

core::Result<std::optional<std::string>> optionalString(const Poco::JSON::Object::Ptr& object,
                                                        const std::string& field, std::size_t maxChars) {
  if (!object->has(field) || object->isNull(field)) return std::optional<std::string>();
  auto value = object->get(field);
  if (!value.isString()) return Error::invalid(field, field + " must be a string");
  std::string text = core::trim(value.extract<std::string>());
  if (text.empty()) return std::optional<std::string>();
  if (auto ok = core::checkText(field, text, 1, maxChars); !ok) return ok.error();
  return std::optional<std::string>(text);
}

core::Result<std::string> requireSecret(const Poco::JSON::Object::Ptr& object, const std::string& field,
                                        std::size_t maxBytes) {
  if (!object->has(field) || object->isNull(field)) return Error::invalid(field, field + " is required");
  auto value = object->get(field);
  if (!value.isString()) return Error::invalid(field, field + " must be a string");
  std::string text = value.extract<std::string>();
  if (text.empty()) return Error::invalid(field, field + " is required");
  if (text.size() > maxBytes) {
    return Error::invalid(field, field + " must be at most " + std::to_string(maxBytes) + " bytes");
  }
  if (!core::isValidUtf8(text)) return Error::invalid(field, field + " is not valid UTF-8");
  return text;
}

core::Result<std::optional<std::int64_t>> optionalInt(const Poco::JSON::Object::Ptr& object, const std::string& field) {
  if (!object->has(field) || object->isNull(field)) return std::optional<std::int64_t>();
  auto value = object->get(field);
  if (!value.isInteger()) return Error::invalid(field, field + " must be an integer");
  auto number = integerValue(value);
  if (!number) return Error::invalid(field, field + " is too large");
  return std::optional<std::int64_t>(*number);
}

std::optional<std::int64_t> integerValue(const Poco::Dynamic::Var& value) {
  if (!value.isInteger()) return std::nullopt;
  try {
    return value.convert<std::int64_t>();
  } catch (const Poco::RangeException&) {
    return std::nullopt;
  }
}

core::Result<std::int64_t> idParam(const Request& request, const std::string& name) {
  const std::string& text = request.pathParam(name);
  std::int64_t id = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || ptr != text.data() + text.size() || id <= 0) {
    return Error::invalid(name, name + " must be a positive integer");
  }
  return id;
}

core::Result<std::optional<std::int64_t>> queryInt(const Request& request, const std::string& name, std::int64_t min,
                                                   std::int64_t max) {
  auto text = request.queryParam(name);
  if (!text || text->empty()) return std::optional<std::int64_t>();
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || ptr != text->data() + text->size()) {
    return Error::invalid(name, name + " must be an integer");
  }
  if (value < min || value > max) {
    return Error::invalid(name, name + " must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return std::optional<std::int64_t>(value);
}

core::Result<Page> pageParams(const Request& request) {
  Page page;
  auto number = queryInt(request, "page", 1, std::numeric_limits<std::int32_t>::max());
  if (!number) return number.error();
  auto size = queryInt(request, "page_size", 1, 200);
  if (!size) return size.error();
  if (*number) page.page = **number;
  if (*size) page.pageSize = **size;
  return page;
}

}  // namespace cw::http
