#include "cw/core/validation.hpp"

#include <cstdint>

namespace cw::core {

bool isValidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra;
    std::uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

std::size_t utf8Length(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string trim(std::string_view text) {
  auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  std::size_t b = 0, e = text.size();
  while (b < e && isSpace(text[b])) ++b;
  while (e > b && isSpace(text[e - 1])) --e;
  return std::string(text.substr(b, e - b));
}

Status checkText(std::string_view field, std::string_view value, std::size_t minChars, std::size_t maxChars) {
  std::string name(field);
  if (!isValidUtf8(value)) return Error::invalid(name, name + " is not valid UTF-8 text");
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7F) return Error::invalid(name, name + " must not contain control characters");
  }
  std::size_t n = utf8Length(value);
  if (n < minChars) {
    return Error::invalid(name, minChars == 1 ? name + " is required"
                                              : name + " must be at least " + std::to_string(minChars) +
                                                    " characters");
  }
  if (n > maxChars) {
    return Error::invalid(name, name + " must be at most " + std::to_string(maxChars) + " characters (got " +
                                    std::to_string(n) + ")");
  }
  return Ok{};
}

Status checkRegionCode(std::string_view field, std::string_view value) {
  std::string name(field);
  if (value.size() != 6 && value.size() != 9) {
    return Error::invalid(name, name + " must be a GB/T 2260 code of 6 digits (or 9 with the street level)");
  }
  for (char c : value) {
    if (c < '0' || c > '9') return Error::invalid(name, name + " must contain digits only");
  }
  return Ok{};
}

std::string regionPrefix(std::string_view code) {
  std::string prefix(code);
  if (prefix.size() == 6) {
    while (prefix.size() > 2 && prefix.substr(prefix.size() - 2) == "00") prefix.resize(prefix.size() - 2);
  }
  return prefix + "%";
}

}  // namespace cw::core
