// docs/api/openapi.yaml must describe exactly the routes the server registers, with their access policy.

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>

#include "cw/server/app.hpp"

namespace cw {
namespace {

struct Documented {
  std::set<std::string> operations;             // "GET /path"
  std::map<std::string, std::string> access;    // operation -> x-access
};

Documented readOpenApi() {
  std::ifstream in(std::string(CW_SOURCE_DIR) + "/docs/api/openapi.yaml");
  EXPECT_TRUE(in.good()) << "docs/api/openapi.yaml is missing";
  static const std::regex kPath(R"(^  (/[^:]*):\s*$)");
  static const std::regex kMethod(R"(^    (get|post|put|patch|delete):\s*$)");
  static const std::regex kAccess(R"re(^      x-access:\s*"?([^"]*)"?\s*$)re");
  Documented doc;
  bool inPaths = false;
  std::string path, operation, line;
  while (std::getline(in, line)) {
    if (line == "paths:") {
      inPaths = true;
      continue;
    }
    if (!line.empty() && line[0] != ' ' && line[0] != '#') inPaths = false;
    if (!inPaths) continue;
    std::smatch m;
    if (std::regex_match(line, m, kPath)) {
      path = m[1];
    } else if (std::regex_match(line, m, kMethod)) {
      std::string method = m[1];
      for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      operation = method + " " + path;
      doc.operations.insert(operation);
    } else if (std::regex_match(line, m, kAccess)) {
      doc.access[operation] = m[1];
    }
  }
  return doc;
}

TEST(OpenApi, DocumentsEveryRegisteredRouteAndNothingElse) {
  server::Config config;  // constructing the App does not touch the database
  server::App app(config, nullptr);
  Documented doc = readOpenApi();
  std::set<std::string> registered;
  for (const auto& route : app.router().routes()) {
    std::string op = route.method + " " + route.pattern;
    registered.insert(op);
    EXPECT_TRUE(doc.operations.count(op)) << op << " is registered but missing from docs/api/openapi.yaml";
    if (doc.access.count(op)) {
      EXPECT_EQ(doc.access[op], route.access.describe()) << "x-access of " << op;
    } else {
      ADD_FAILURE() << op << " has no x-access in docs/api/openapi.yaml";
    }
  }
  for (const auto& op : doc.operations) {
    EXPECT_TRUE(registered.count(op)) << op << " is documented but no such route is registered";
  }
}

}  // namespace
}  // namespace cw
