#include "sql_script.hpp"

#include <cctype>

namespace cw::db {

namespace {

bool hasCode(std::string_view statement) {
  // True when something other than whitespace and comments remains.
  std::size_t i = 0;
  while (i < statement.size()) {
    char c = statement[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (statement.substr(i, 2) == "--" || c == '#') {
      while (i < statement.size() && statement[i] != '\n') ++i;
    } else if (statement.substr(i, 2) == "/*") {
      auto end = statement.find("*/", i + 2);
      i = end == std::string_view::npos ? statement.size() : end + 2;
    } else {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> splitSqlScript(std::string_view script) {
  std::vector<std::string> out;
  std::string current;
  std::size_t i = 0;
  auto flush = [&] {
    if (hasCode(current)) out.push_back(current);
    current.clear();
  };
  while (i < script.size()) {
    char c = script[i];
    if (c == '\'' || c == '"' || c == '`') {
      std::size_t j = i + 1;
      while (j < script.size()) {
        if (script[j] == '\\' && c != '`') {
          j += 2;
          continue;
        }
        if (script[j] == c) {
          if (j + 1 < script.size() && script[j + 1] == c) {  // doubled quote
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      std::size_t end = j < script.size() ? j + 1 : script.size();
      current.append(script.substr(i, end - i));
      i = end;
    } else if (script.substr(i, 3) == "-- " || script.substr(i, 3) == "--\n" || c == '#') {
      auto end = script.find('\n', i);
      end = end == std::string_view::npos ? script.size() : end;
      current.append(script.substr(i, end - i));
      i = end;
    } else if (script.substr(i, 2) == "/*") {
      auto end = script.find("*/", i + 2);
      end = end == std::string_view::npos ? script.size() : end + 2;
      current.append(script.substr(i, end - i));
      i = end;
    } else if (c == ';') {
      flush();
      ++i;
    } else {
      current += c;
      ++i;
    }
  }
  flush();
  return out;
}

}  // namespace cw::db
