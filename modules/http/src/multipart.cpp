#include "cw/http/multipart.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <optional>
#include <vector>

namespace cw::http {

using core::Error;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 2046: 1 to 70 characters from a restricted set, not ending with a space.
bool validBoundary(std::string_view b) {
  if (b.empty() || b.size() > 70 || b.back() == ' ') return false;
  static constexpr std::string_view kAllowed = "'()+_,-./:=? ";
  return std::all_of(b.begin(), b.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kAllowed.find(c) != std::string_view::npos;
  });
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits `value; a=b; c="d"` into its first token and lower-cased parameters (quoted strings unquoted).
std::pair<std::string, std::vector<std::pair<std::string, std::string>>> splitParams(std::string_view value) {
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t semi = value.find(';');
  std::string head = lower(trim(value.substr(0, semi)));
  std::size_t i = semi == std::string_view::npos ? value.size() : semi + 1;
  while (i < value.size()) {
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t' || value[i] == ';')) ++i;
    std::size_t eq = value.find('=', i);
    if (eq == std::string_view::npos) break;
    std::string name = lower(trim(value.substr(i, eq - i)));
    i = eq + 1;
    std::string v;
    if (i < value.size() && value[i] == '"') {
      ++i;
      while (i < value.size() && value[i] != '"') {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        v += value[i++];
      }
      ++i;  // the closing quote
      std::size_t next = value.find(';', i);
      i = next == std::string_view::npos ? value.size() : next + 1;
    } else {
      std::size_t next = value.find(';', i);
      v = std::string(trim(value.substr(i, next == std::string_view::npos ? std::string_view::npos : next - i)));
      i = next == std::string_view::npos ? value.size() : next + 1;
    }
    params.emplace_back(std::move(name), std::move(v));
  }
  return {head, params};
}

// RFC 5987 ext-value: UTF-8''percent-encoded.
std::optional<std::string> decodeExtValue(const std::string& v) {
  std::size_t q = v.find("''");
  if (q == std::string::npos || lower(v.substr(0, q)) != "utf-8") return std::nullopt;
  std::string out;
  for (std::size_t i = q + 2; i < v.size(); ++i) {
    if (v[i] == '%') {
      if (i + 2 >= v.size()) return std::nullopt;
      int hi = hexValue(v[i + 1]), lo = hexValue(v[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += v[i];
    }
  }
  return out;
}

}  // namespace

core::Result<std::string> multipartBoundary(const std::string& contentType) {
  auto [type, params] = splitParams(contentType);
  if (type != "multipart/form-data") {
    return Error::invalid("Content-Type", "send the file as multipart/form-data (got \"" +
                                              (contentType.empty() ? std::string("nothing") : contentType) + "\")");
  }
  for (const auto& [name, value] : params) {
    if (name != "boundary") continue;
    if (!validBoundary(value)) return Error::invalid("Content-Type", "the multipart boundary is not valid");
    return value;
  }
  return Error::invalid("Content-Type", "multipart/form-data without a boundary");
}

MultipartParser::MultipartParser(std::string boundary, Sink sink)
    : delimiter_("\r\n--" + boundary), sink_(std::move(sink)) {
  // The first delimiter may open the body without a preceding line break; pretend there was one.
  buffer_ = "\r\n";
}

core::Status MultipartParser::fail(std::string message) {
  state_ = State::Failed;
  buffer_.clear();
  return Error::invalid("body", std::move(message));
}

std::size_t MultipartParser::findDelimiter(std::string_view haystack) const {
  auto it = std::search(haystack.begin(), haystack.end(),
                        std::boyer_moore_horspool_searcher(delimiter_.begin(), delimiter_.end()));
  return it == haystack.end() ? std::string_view::npos : static_cast<std::size_t>(it - haystack.begin());
}

core::Status MultipartParser::parseHeaders(std::string_view block) {
  PartHeaders headers;
  bool disposition = false;
  std::size_t i = 0;
  while (i < block.size()) {
    std::size_t end = block.find("\r\n", i);
    std::string_view line = block.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    i = end == std::string_view::npos ? block.size() : end + 2;
    if (line.empty()) continue;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return fail("a part header line has no colon");
    std::string name = lower(trim(line.substr(0, colon)));
    std::string_view value = trim(line.substr(colon + 1));
    if (name == "content-disposition") {
      auto [kind, params] = splitParams(value);
      if (kind != "form-data") return fail("a part is not form-data (Content-Disposition: " + kind + ")");
      disposition = true;
      std::optional<std::string> extName;
      for (const auto& [k, v] : params) {
        if (k == "name") headers.name = v;
        else if (k == "filename") headers.filename = v;
        else if (k == "filename*") extName = decodeExtValue(v);
      }
      if (extName) headers.filename = extName;
    } else if (name == "content-type") {
      headers.contentType = std::string(value);
    }
  }
  if (!disposition || headers.name.empty()) return fail("a part has no Content-Disposition with a field name");
  if (++parts_ > kMaxParts) return fail("too many parts in one request (at most " + std::to_string(kMaxParts) + ")");
  if (sink_.beginPart) {
    if (auto ok = sink_.beginPart(headers); !ok) {
      state_ = State::Failed;
      return ok;
    }
  }
  return core::Ok{};
}

core::Status MultipartParser::feed(std::string_view bytes) {
  if (state_ == State::Failed) return fail("the body was already refused");
  if (state_ == State::Done) return core::Ok{};  // the epilogue is ignored
  buffer_.append(bytes.data(), bytes.size());
  std::size_t pos = 0;  // consumed bytes of buffer_
  auto rest = [&] { return std::string_view(buffer_).substr(pos); };
  bool progress = true;
  while (progress && state_ != State::Done) {
    progress = false;
    switch (state_) {
      case State::Preamble: {
        std::size_t at = findDelimiter(rest());
        if (at == std::string_view::npos) {
          // Preamble text is ignored; keep only what may be the start of the delimiter.
          if (rest().size() >= delimiter_.size()) pos = buffer_.size() - (delimiter_.size() - 1);
          break;
        }
        pos += at + delimiter_.size();
        state_ = State::AfterDelimiter;
        progress = true;
        break;
      }
      case State::AfterDelimiter: {
        std::string_view r = rest();
        std::size_t k = 0;
        while (k < r.size() && (r[k] == ' ' || r[k] == '\t')) ++k;  // transport padding
        if (k > 64) return fail("malformed multipart delimiter line");
        if (r.size() - k < 2) break;
        if (r.substr(k, 2) == "--") {
          state_ = State::Done;
          pos = buffer_.size();
        } else if (r.substr(k, 2) == "\r\n") {
          pos += k + 2;
          state_ = State::Headers;
          progress = true;
        } else {
          return fail("malformed multipart delimiter line");
        }
        break;
      }
      case State::Headers: {
        std::string_view r = rest();
        std::size_t blockEnd;
        std::size_t skip;
        if (r.substr(0, 2) == "\r\n") {
          blockEnd = 0;
          skip = 2;
        } else {
          blockEnd = r.find("\r\n\r\n");
          skip = 4;
        }
        if (blockEnd == std::string_view::npos) {
          if (r.size() > kMaxHeaderBytes) return fail("the part headers are longer than 8 KB");
          break;
        }
        if (blockEnd > kMaxHeaderBytes) return fail("the part headers are longer than 8 KB");
        if (auto ok = parseHeaders(r.substr(0, blockEnd)); !ok) return ok;
        pos += blockEnd + skip;
        state_ = State::Body;
        progress = true;
        break;
      }
      case State::Body: {
        std::string_view r = rest();
        std::size_t at = findDelimiter(r);
        if (at == std::string_view::npos) {
          // Everything except a possible partial delimiter at the end is part data.
          if (r.size() >= delimiter_.size()) {
            std::size_t safe = r.size() - (delimiter_.size() - 1);
            if (sink_.partData) {
              if (auto ok = sink_.partData(r.substr(0, safe)); !ok) {
                state_ = State::Failed;
                return ok;
              }
            }
            pos += safe;
          }
          break;
        }
        if (sink_.partData && at > 0) {
          if (auto ok = sink_.partData(r.substr(0, at)); !ok) {
            state_ = State::Failed;
            return ok;
          }
        }
        if (sink_.endPart) {
          if (auto ok = sink_.endPart(); !ok) {
            state_ = State::Failed;
            return ok;
          }
        }
        pos += at + delimiter_.size();
        state_ = State::AfterDelimiter;
        progress = true;
        break;
      }
      case State::Done:
      case State::Failed:
        break;
    }
  }
  buffer_.erase(0, pos);
  return core::Ok{};
}

core::Status MultipartParser::finish() {
  if (state_ == State::Done) return core::Ok{};
  if (state_ == State::Failed) return fail("the body was already refused");
  if (state_ == State::Preamble && parts_ == 0) return fail("the multipart body has no parts");
  return fail("the multipart body ends before its closing boundary: the upload was cut off");
}

}  // namespace cw::http
