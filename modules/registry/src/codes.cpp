#include "cw/registry/codes.hpp"

#include <array>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "cw/core/validation.hpp"

namespace cw::registry {

namespace {

using core::Error;
using core::Ok;
using core::Status;

constexpr std::string_view kCreditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr std::array<int, 17> kCreditWeights = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
constexpr std::array<int, 17> kIdWeights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
constexpr std::string_view kIdCheckChars = "10X98765432";
constexpr std::size_t kLength = 18;

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLower(char c) { return c >= 'a' && c <= 'z'; }

// The input split into characters: code points when it is valid UTF-8 (so a pasted full-width '０' counts as
// one character at one position), single bytes otherwise.
std::vector<std::string_view> characters(std::string_view text) {
  std::vector<std::string_view> out;
  bool utf8 = core::isValidUtf8(text);
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t n = 1;
    if (utf8) {
      while (i + n < text.size() && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) ++n;
    }
    out.push_back(text.substr(i, n));
    i += n;
  }
  return out;
}

// A character as shown in a message: quoted when printable, otherwise named.
std::string show(std::string_view ch) {
  if (ch == " ") return "a space";
  if (ch.size() == 1) {
    auto c = static_cast<unsigned char>(ch[0]);
    if (c < 0x20 || c >= 0x7F) {
      char buf[16];
      std::snprintf(buf, sizeof buf, c < 0x80 ? "U+%04X" : "byte 0x%02X", c);
      return buf;
    }
  }
  return "'" + std::string(ch) + "'";
}

std::string quote(char c) { return std::string("'") + c + "'"; }

Status wrongLength(const std::string& name, std::size_t got, std::string_view hint = {}) {
  return Error::invalid(name, name + " must be 18 characters (got " + std::to_string(got) + ")" + std::string(hint));
}

char creditCheck(std::string_view first17) {
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) {
    sum += static_cast<int>(kCreditAlphabet.find(first17[i])) * kCreditWeights[i];
  }
  int c = 31 - sum % 31;
  return kCreditAlphabet[c == 31 ? 0 : static_cast<std::size_t>(c)];
}

char idCheck(std::string_view first17) {
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kIdWeights[i];
  return kIdCheckChars[static_cast<std::size_t>(sum % 11)];
}

int number(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

Status checkCreditCode(std::string_view field, std::string_view code) {
  std::string name(field);
  auto chars = characters(code);
  if (chars.size() != kLength) return wrongLength(name, chars.size());
  for (std::size_t i = 0; i < chars.size(); ++i) {
    std::string pos = std::to_string(i + 1);
    std::string_view ch = chars[i];
    if (ch.size() == 1 && isLower(ch[0])) {
      return Error::invalid(name, name + " has lower-case " + show(ch) + " at position " + pos +
                                      "; credit codes are upper case");
    }
    if (ch.size() != 1 || kCreditAlphabet.find(ch[0]) == std::string_view::npos) {
      return Error::invalid(name, name + " has " + show(ch) + " at position " + pos +
                                      ", which is not allowed; credit codes use digits and upper-case letters, "
                                      "never I, O, S, V or Z");
    }
  }
  // Every character is now a single ASCII byte.
  for (std::size_t i = 2; i < 8; ++i) {
    if (!isDigit(code[i])) {
      return Error::invalid(name, name + " positions 3-8 must be the GB/T 2260 region code in digits, but position " +
                                      std::to_string(i + 1) + " is " + quote(code[i]));
    }
  }
  char expected = creditCheck(code.substr(0, 17));
  if (code[17] != expected) {
    return Error::invalid(name, name + " check character should be " + quote(expected) + ", not " +
                                    quote(code[17]) + "; the code may have been mistyped");
  }
  return Ok{};
}

char creditCodeCheckChar(std::string_view first17) {
  if (first17.size() != 17) throw std::invalid_argument("creditCodeCheckChar: expected 17 characters");
  for (char c : first17) {
    if (kCreditAlphabet.find(c) == std::string_view::npos) {
      throw std::invalid_argument("creditCodeCheckChar: character not allowed in a credit code");
    }
  }
  return creditCheck(first17);
}

std::string normaliseCreditCode(std::string_view code) {
  std::string out = core::trim(code);
  for (char& c : out) {
    if (isLower(c)) c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

Status checkResidentId(std::string_view field, std::string_view id, std::optional<std::chrono::sys_days> today) {
  std::string name(field);
  auto chars = characters(id);
  if (chars.size() != kLength) {
    return wrongLength(name, chars.size(),
                       chars.size() == 15 ? "; 15-digit first-generation numbers are no longer valid, use the "
                                            "18-character number on the current card"
                                          : "");
  }
  for (std::size_t i = 0; i < chars.size(); ++i) {
    std::string_view ch = chars[i];
    bool digit = ch.size() == 1 && isDigit(ch[0]);
    if (i < 17 && !digit) {
      return Error::invalid(name, name + " has " + show(ch) + " at position " + std::to_string(i + 1) +
                                      "; positions 1-17 must be digits");
    }
    if (i == 17 && !digit && ch != "X") {
      if (ch == "x") return Error::invalid(name, name + " must end in upper-case 'X', not 'x'");
      return Error::invalid(name, name + " has " + show(ch) + " at position 18; the last character must be a "
                                      "digit or 'X'");
    }
  }
  // Every character is now a single ASCII byte.
  std::string_view birth = id.substr(6, 8);
  std::string shown = name + " birth date " + std::string(birth) + " (positions 7-14)";
  std::chrono::year_month_day date{std::chrono::year{number(birth.substr(0, 4))},
                                   std::chrono::month{static_cast<unsigned>(number(birth.substr(4, 2)))},
                                   std::chrono::day{static_cast<unsigned>(number(birth.substr(6, 2)))}};
  if (!date.ok()) return Error::invalid(name, shown + " is not a real date");
  if (date.year() < std::chrono::year{1900}) return Error::invalid(name, shown + " is before 1900");
  if (today && std::chrono::sys_days{date} > *today) return Error::invalid(name, shown + " is in the future");

  char expected = idCheck(id.substr(0, 17));
  if (id[17] != expected) {
    return Error::invalid(name, name + " check digit should be " + quote(expected) + ", not " + quote(id[17]) +
                                    "; the number may have been mistyped");
  }
  return Ok{};
}

char residentIdCheckChar(std::string_view first17) {
  if (first17.size() != 17) throw std::invalid_argument("residentIdCheckChar: expected 17 digits");
  for (char c : first17) {
    if (!isDigit(c)) throw std::invalid_argument("residentIdCheckChar: expected digits only");
  }
  return idCheck(first17);
}

std::string normaliseResidentId(std::string_view id) {
  std::string out = core::trim(id);
  if (!out.empty() && out.back() == 'x') out.back() = 'X';
  return out;
}

std::string maskResidentId(std::string_view id) {
  auto chars = characters(id);
  std::size_t n = chars.size();
  std::size_t keepFront = n == kLength ? 4 : 0;
  std::size_t keepBack = n < 4 ? n : 4;
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i < keepFront || i >= n - keepBack) {
      out += chars[i];
    } else {
      out += '*';
    }
  }
  return out;
}

}  // namespace cw::registry
