#include "explain_search.hpp"

#include <Poco/URI.h>

#include <chrono>
#include <iomanip>
#include <sstream>

#include "cw/registry/routes.hpp"

namespace cw::server {

namespace {

// A query string "region=360400&q=%E9%A2%90" as the HTTP server would hand it to the route.
http::Request requestOf(const std::string& queryString) {
  http::Request r;
  r.method = "GET";
  r.path = "/api/v1/institutions";
  std::istringstream pairs(queryString.starts_with('?') ? queryString.substr(1) : queryString);
  for (std::string pair; std::getline(pairs, pair, '&');) {
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string key, value;
    Poco::URI::decode(pair.substr(0, eq), key, true);
    if (eq != std::string::npos) Poco::URI::decode(pair.substr(eq + 1), value, true);
    r.query.emplace(key, value);
  }
  return r;
}

void printTable(std::ostream& out, const db::Rows& rows) {
  const auto& columns = rows.columns();
  std::vector<std::size_t> width(columns.size());
  auto cell = [](const db::Row& row, const std::string& column) { return row.optStr(column).value_or("NULL"); };
  for (std::size_t k = 0; k < columns.size(); ++k) {
    width[k] = columns[k].size();
    for (const auto& row : rows) width[k] = std::max(width[k], cell(row, columns[k]).size());
  }
  auto line = [&](auto text) {
    for (std::size_t k = 0; k < columns.size(); ++k) out << (k ? " | " : "| ") << std::left << std::setw(static_cast<int>(width[k])) << text(k);
    out << " |\n";
  };
  line([&](std::size_t k) { return columns[k]; });
  line([&](std::size_t k) { return std::string(width[k], '-'); });
  for (const auto& row : rows) line([&](std::size_t k) { return cell(row, columns[k]); });
}

}  // namespace

core::Status explainSearch(App& app, const std::string& queryString, std::ostream& out) {
  auto query = registry::parseSearchQuery(requestOf(queryString));
  if (!query) return query.error();
  http::Principal admin;
  admin.role = "admin";
  admin.username = "explain-search";

  std::vector<std::string> statements;
  app.pool().setStatementTrace([&](std::string_view sql, const std::vector<std::string>& literals) {
    if (sql.starts_with("SELECT")) statements.push_back(db::withLiterals(sql, literals));
  });
  auto started = std::chrono::steady_clock::now();
  auto page = app.registry().search(admin, *query);
  std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - started;
  app.pool().setStatementTrace({});
  if (!page) return page.error();
  out << "# GET /api/v1/institutions?" << queryString << "\n# " << page->items.size() << " rows on the page, total "
      << page->total << (page->totalCapped ? "+" : "") << ", " << statements.size() << " statements, "
      << std::fixed << std::setprecision(1) << took.count() << " ms in all\n";

  auto lease = app.pool().acquire();
  bool mariadb = lease->query("SELECT VERSION() AS v")[0].str("v").find("MariaDB") != std::string::npos;
  for (std::size_t k = 0; k < statements.size(); ++k) {
    out << "\n-- statement " << k + 1 << ":\n" << statements[k] << ";\n";
    auto t0 = std::chrono::steady_clock::now();
    // ANALYZE (MariaDB) and EXPLAIN ANALYZE (MySQL 8) run the statement: r_rows / actual rows are what it read.
    auto plan = lease->queryText((mariadb ? "ANALYZE " : "EXPLAIN ANALYZE ") + statements[k]);
    std::chrono::duration<double, std::milli> ms = std::chrono::steady_clock::now() - t0;
    printTable(out, plan);
    out << "(" << std::setprecision(1) << ms.count() << " ms)\n";
  }
  return core::Ok{};
}

}  // namespace cw::server
