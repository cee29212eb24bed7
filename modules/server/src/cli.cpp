#include "cw/server/cli.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cw/draws/record.hpp"
#include "cw/server/app.hpp"
#include "cw/server/seed_demo.hpp"
#include "backup.hpp"
#include "explain_search.hpp"

#ifndef CW_VERSION
#define CW_VERSION "dev"
#endif

namespace cw::server {

namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

constexpr const char* kMainHelp = R"(carewatch — supervision and credit platform for elderly-care and childcare institutions

Usage: carewatch <command> [options]

Commands:
  serve          run the HTTP server (and the scheduled jobs)
  migrate        apply pending database migrations
  seed-demo      load the Jiujiang demo departments, districts, institutions and accounts
  user           manage accounts: add | passwd | disable | enable | list
  audit verify   check the audit chain; exits 1 naming the first broken record
  draw verify    re-run a published draw (cw-draw-v1) from its record and files; exits 1 at the first mismatch
  explain-search show the SQL of one directory search with the server's plan (ANALYZE)
  backup         write the database and the stored files into a new directory (backup verify DIR: check one)
  restore        restore a backup into an empty database and verify the audit chain and every file
  version        print the version

Every command accepts --config <file> (default: config/carewatch.properties) and --help.
Environment variables override the file: CW_DB_PASSWORD, CW_HTTP_PORT, ... (see docs/operations.md).
)";

const std::map<std::string, std::string> kHelp{
    {"serve", "Usage: carewatch serve [--config FILE] [--migrate] [--port N]\n"
              "  Serves the API and the web console until SIGTERM/SIGINT, then finishes in-flight requests.\n"
              "  --migrate  apply pending migrations first\n"
              "  --port N   listen on port N instead of http.port (0 picks a free port)\n"},
    {"migrate", "Usage: carewatch migrate [--config FILE] [--status]\n"
                "  Applies pending migrations from db.migrations_dir, in order, once.\n"
                "  --status   only list applied and pending migrations\n"},
    {"seed-demo", "Usage: carewatch seed-demo [--config FILE] [--institutions N]\n"
                  "  Loads demo reference data and one account per role (idempotent) and prints the accounts.\n"
                  "  --institutions N  also make sure N synthetic filed institutions exist (1..1000000), for load\n"
                  "                    tests: deterministic, valid codes, encrypted ID numbers, written in\n"
                  "                    batches; adds only the missing ones (their credit codes carry \"MW\" at\n"
                  "                    positions 9-10). Needs CW_PII_ENCRYPTION_KEY and CW_PII_INDEX_KEY.\n"},
    {"user", "Usage:\n"
             "  carewatch user add --username U --role R --display-name N [--department CODE] [--region CODE]\n"
             "                     [--certificate NO] [--institution ID]   (password: first line of stdin)\n"
             "  carewatch user passwd --username U                           (password: first line of stdin)\n"
             "  carewatch user disable --username U\n"
             "  carewatch user enable --username U\n"
             "  carewatch user list [--role R]\n"
             "  Roles: admin, officer, inspector, institution, bureau.\n"},
    {"audit", "Usage: carewatch audit verify [--config FILE]\n"
              "  Walks the audit chain; exit 0 when intact, 1 naming the first edited, deleted or reordered record.\n"},
    {"explain-search", "Usage: carewatch explain-search [--config FILE] QUERY\n"
                       "  Runs the directory search GET /api/v1/institutions?QUERY (e.g. 'region=360400&q=颐养') as an\n"
                       "  admin and prints every SELECT it sent, values bound, with the server's ANALYZE of it.\n"},
    {"draw", "Usage:\n"
             "  carewatch draw verify RECORD.json POOL.txt INSPECTORS.txt EXCLUSIONS.txt\n"
             "  carewatch draw verify --url http://HOST:PORT --id TASK_ID\n"
             "  Re-runs the whole draw (docs/draw-algorithm.md) from the published record and the three frozen\n"
             "  files, from local files or fetched from a carewatch server's public API. Exit 0 when everything\n"
             "  matches; 1 naming the first mismatch. Needs no database and no configuration.\n"},
    {"backup", "Usage:\n"
               "  carewatch backup --out DIR [--config FILE]\n"
               "  carewatch backup verify DIR\n"
               "  Writes a new directory DIR (it must not exist, or be empty): database.sql, a consistent dump of the\n"
               "  database by mariadb-dump or mysqldump (found on PATH); files/, a copy of every file of storage.dir;\n"
               "  manifest.json, the SHA-256 and size of each and the audit head inside the dump. It is written as\n"
               "  DIR.partial and renamed at the end; on failure nothing is left. A file the database refers to but the\n"
               "  store lacks fails the backup. The personal-data keys are not included: keep them apart.\n"
               "  verify: checks DIR against its manifest only (no database); exit 1 naming the first bad file.\n"},
    {"restore", "Usage: carewatch restore --from DIR [--config FILE]\n"
                "  Checks every file of the backup against its manifest, then, into db.name (which must exist and\n"
                "  have no table) and storage.dir: copies the files (never replacing a different one), loads the dump\n"
                "  with mariadb or mysql (found on PATH), and verifies the audit chain, its head against the manifest\n"
                "  and the SHA-256 of every file the database refers to. Exit 0 only when all of it holds.\n"},
    {"version", "Usage: carewatch version\n"},
};

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // --key value / --key=value; flags map to "true"
};

const std::vector<std::string> kFlags{"help", "migrate", "status"};

bool parse(int argc, char** argv, Args& out, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h") arg = "--help";
    if (arg.rfind("--", 0) != 0) {
      out.positional.push_back(arg);
      continue;
    }
    std::string key = arg.substr(2);
    auto eq = key.find('=');
    if (eq != std::string::npos) {
      out.options[key.substr(0, eq)] = key.substr(eq + 1);
    } else if (std::find(kFlags.begin(), kFlags.end(), key) != kFlags.end()) {
      out.options[key] = "true";
    } else if (i + 1 < argc) {
      out.options[key] = argv[++i];
    } else {
      error = "option --" + key + " needs a value";
      return false;
    }
  }
  return true;
}

std::optional<std::string> opt(const Args& args, const std::string& key) {
  auto it = args.options.find(key);
  if (it == args.options.end()) return std::nullopt;
  return it->second;
}

int fail(const core::Error& e) {
  std::cerr << "error: " << e.message << '\n';
  return kFailed;
}

std::optional<Config> config(const Args& args) {
  auto c = loadConfig(opt(args, "config").value_or(""));
  if (!c) {
    std::cerr << "error: " << c.error().message << '\n';
    return std::nullopt;
  }
  return *c;
}

http::LogSink stderrLog() {
  return [](const std::string& line) { std::cerr << line << '\n'; };
}

int migrate(App& app, bool statusOnly) {
  auto m = app.migrator();
  if (!m) return fail(m.error());
  if (statusOnly) {
    auto s = m->state();
    if (!s) return fail(s.error());
    for (const auto& n : s->applied) std::cout << "applied  " << n << '\n';
    for (const auto& n : s->pending) std::cout << "pending  " << n << '\n';
    return kOk;
  }
  auto done = m->migrate();
  if (!done) return fail(done.error());
  for (const auto& n : *done) std::cout << "applied " << n << '\n';
  if (done->empty()) std::cout << "database is up to date\n";
  return kOk;
}

std::string readPassword() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int user(App& app, const Args& args) {
  std::string sub = args.positional.size() > 1 ? args.positional[1] : "";
  audit::Actor actor = audit::Actor::system("cli", "cli-user-" + sub);
  if (sub == "add") {
    auth::NewUser u;
    auto username = opt(args, "username");
    auto role = opt(args, "role");
    auto name = opt(args, "display-name");
    if (!username || !role || !name) {
      std::cerr << "error: user add needs --username, --role and --display-name\n" << kHelp.at("user");
      return kUsage;
    }
    u.username = *username;
    u.role = *role;
    u.displayName = *name;
    u.departmentCode = opt(args, "department");
    u.regionCode = opt(args, "region");
    u.certificateNo = opt(args, "certificate");
    if (auto inst = opt(args, "institution")) {
      try {
        u.institutionId = std::stoll(*inst);
      } catch (const std::exception&) {
        std::cerr << "error: --institution must be a numeric institution id\n";
        return kUsage;
      }
    }
    u.password = readPassword();
    auto created = app.users().create(actor, u);
    if (!created) return fail(created.error());
    std::cout << "created user " << created->username << " (id " << created->id << ", " << created->role << ")\n";
    return kOk;
  }
  if (sub == "passwd" || sub == "disable" || sub == "enable") {
    auto username = opt(args, "username");
    if (!username && args.positional.size() > 2) username = args.positional[2];
    if (!username) {
      std::cerr << "error: user " << sub << " needs --username\n";
      return kUsage;
    }
    auto existing = app.users().getByUsername(*username);
    if (!existing) return fail(existing.error());
    if (sub == "passwd") {
      if (auto ok = app.users().resetPassword(actor, existing->id, readPassword()); !ok) return fail(ok.error());
      std::cout << "password changed for " << *username << "; their sessions were ended\n";
      return kOk;
    }
    auto changed = app.users().setStatus(actor, existing->id, sub == "disable" ? "disabled" : "active");
    if (!changed) return fail(changed.error());
    std::cout << *username << " is now " << changed->status << '\n';
    return kOk;
  }
  if (sub == "list") {
    auth::UserFilter f;
    f.role = opt(args, "role");
    f.limit = 10000;
    auto [users, total] = app.users().list(f);
    std::cout << std::left << std::setw(6) << "ID" << std::setw(20) << "USERNAME" << std::setw(12) << "ROLE"
              << std::setw(10) << "STATUS" << std::setw(6) << "DEPT" << "NAME\n";
    for (const auto& u : users) {
      std::cout << std::left << std::setw(6) << u.id << std::setw(20) << u.username << std::setw(12) << u.role
                << std::setw(10) << u.status << std::setw(6) << u.departmentCode.value_or("-") << u.displayName
                << '\n';
    }
    std::cout << total << " user(s)\n";
    return kOk;
  }
  std::cerr << kHelp.at("user");
  return kUsage;
}

std::optional<std::string> readWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

core::Result<std::string> fetch(const std::string& url) {
  try {
    Poco::URI uri(url);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(120, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& body = session.receiveResponse(response);
    std::ostringstream s;
    s << body.rdbuf();
    if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
      return core::Error::invalid("url", url + " answered " + std::to_string(response.getStatus()) + ": " + s.str());
    }
    return s.str();
  } catch (const Poco::Exception& e) {
    return core::Error::invalid("url", "cannot fetch " + url + ": " + e.displayText());
  }
}

// carewatch draw verify: an offline check of a published draw, independent of any database.
int drawVerify(const Args& args) {
  if (args.positional.size() < 2 || args.positional[1] != "verify") {
    std::cerr << kHelp.at("draw");
    return kUsage;
  }
  std::string recordText;
  draws::FrozenFiles files;
  if (auto url = opt(args, "url")) {
    auto id = opt(args, "id");
    if (!id || id->empty() || !std::all_of(id->begin(), id->end(), ::isdigit)) {
      std::cerr << "error: --url needs --id TASK_ID (a number)\n";
      return kUsage;
    }
    std::string base = *url + "/api/v1/public/draws/" + *id;
    for (auto [suffix, target] : {std::pair{"", &recordText}, {"/pool.txt", &files.pool},
                                  {"/inspectors.txt", &files.inspectors}, {"/exclusions.txt", &files.exclusions}}) {
      auto body = fetch(base + suffix);
      if (!body) return fail(body.error());
      *target = std::move(*body);
    }
  } else {
    if (args.positional.size() != 6) {
      std::cerr << kHelp.at("draw");
      return kUsage;
    }
    for (auto [index, target] : {std::pair{2, &recordText}, {3, &files.pool}, {4, &files.inspectors}, {5, &files.exclusions}}) {
      auto text = readWhole(args.positional[static_cast<std::size_t>(index)]);
      if (!text) {
        std::cerr << "error: cannot read " << args.positional[static_cast<std::size_t>(index)] << '\n';
        return kFailed;
      }
      *target = std::move(*text);
    }
  }
  auto record = draws::parseRecord(recordText);
  if (!record) return fail(record.error());
  if (auto ok = draws::verify(*record, files); !ok) {
    std::cerr << "MISMATCH: " << ok.error().message << '\n';
    return kFailed;
  }
  std::cout << "OK: " << record->selected.size() << " entities and their inspectors re-run identically (commitment "
            << record->commitment.substr(0, 16) << "..., " << record->swaps.size() << " swap(s) consistent)\n";
  return kOk;
}

int run(const Args& args) {
  const std::string& command = args.positional[0];
  if (command == "version") {
    std::cout << "carewatch " << CW_VERSION << '\n';
    return kOk;
  }
  if (command == "draw") return drawVerify(args);
  if (command == "backup" && args.positional.size() > 1) {
    if (args.positional[1] != "verify" || args.positional.size() != 3) {
      std::cerr << kHelp.at("backup");
      return kUsage;
    }
    auto checked = verifyBackup(args.positional[2]);
    if (!checked) return fail(checked.error());
    std::cout << describe(args.positional[2], *checked);
    return kOk;
  }
  auto cfg = config(args);
  if (!cfg) return kUsage;
  if (command == "serve") {
    if (auto port = opt(args, "port")) {
      try {
        cfg->http.port = std::stoi(*port);
      } catch (const std::exception&) {
        std::cerr << "error: --port must be a number\n";
        return kUsage;
      }
    }
    App app(*cfg, stdoutLog());
    if (opt(args, "migrate")) {
      if (int rc = migrate(app, false); rc != kOk) return rc;
    }
    return app.serve();
  }
  App app(*cfg, stderrLog());
  if (command == "migrate") return migrate(app, opt(args, "status").has_value());
  if (command == "seed-demo") {
    std::optional<std::int64_t> institutions;
    if (auto n = opt(args, "institutions")) {
      std::int64_t value = 0;
      auto [ptr, ec] = std::from_chars(n->data(), n->data() + n->size(), value);
      if (ec != std::errc() || ptr != n->data() + n->size() || value < 1 || value > kMaxSyntheticInstitutions) {
        std::cerr << "error: --institutions must be a whole number from 1 to " << kMaxSyntheticInstitutions << '\n';
        return kUsage;
      }
      institutions = value;
    }
    auto accounts = seedDemo(app);
    if (!accounts) return fail(accounts.error());
    std::cout << "Demo accounts (password for all: " << kDemoPassword << "):\n";
    for (const auto& a : *accounts) {
      std::cout << "  " << std::left << std::setw(16) << a.username << std::setw(13) << a.role << a.description << '\n';
    }
    if (institutions) {
      auto report = seedDemoInstitutions(app, *institutions, [](const BulkSeedProgress& p) {
        std::cout << "  " << p.written << " / " << p.toWrite << " institutions written, " << std::fixed
                  << std::setprecision(1) << p.elapsed.count() << " s" << std::endl;
      });
      if (!report) return fail(report.error());
      if (report->written == 0) {
        std::cout << "Synthetic institutions: " << report->existing << " already present (asked for " << *institutions
                  << "), nothing written\n";
      } else {
        double seconds = report->elapsed.count();
        std::cout << "Synthetic institutions: wrote " << report->written << " (" << report->existing
                  << " were present) in " << std::fixed << std::setprecision(1) << seconds << " s, "
                  << std::setprecision(0) << (seconds > 0 ? report->written / seconds : 0.0) << " rows/s\n";
      }
    }
    return kOk;
  }
  if (command == "user") return user(app, args);
  if (command == "explain-search") {
    if (args.positional.size() != 2) {
      std::cerr << kHelp.at("explain-search");
      return kUsage;
    }
    if (auto ok = explainSearch(app, args.positional[1], std::cout); !ok) return fail(ok.error());
    return kOk;
  }
  if (command == "backup" || command == "restore") {
    bool isBackup = command == "backup";
    auto dir = opt(args, isBackup ? "out" : "from");
    if (!dir || dir->empty() || args.positional.size() != 1) {
      std::cerr << kHelp.at(command);
      return kUsage;
    }
    if (isBackup) {
      auto written = backup(app, *dir);
      if (!written) return fail(written.error());
      std::cout << describe(*written);
    } else {
      auto restored = restore(app, *dir);
      if (!restored) return fail(restored.error());
      std::cout << describe(*restored);
    }
    return kOk;
  }
  if (command == "audit") {
    if (args.positional.size() < 2 || args.positional[1] != "verify") {
      std::cerr << kHelp.at("audit");
      return kUsage;
    }
    auto lease = app.pool().acquire();
    auto report = app.audit().verify(*lease);
    if (!report.ok) {
      std::cerr << "audit chain BROKEN at record " << *report.brokenSeq << ": " << report.problem << '\n'
                << "(" << report.checked << " records before it verified)\n";
      return kFailed;
    }
    std::cout << "audit chain intact: " << report.checked << " records verified\n";
    return kOk;
  }
  std::cerr << "error: unknown command '" << command << "'\n\n" << kMainHelp;
  return kUsage;
}

}  // namespace

int runCli(int argc, char** argv) {
  Args args;
  std::string error;
  if (!parse(argc, argv, args, error)) {
    std::cerr << "error: " << error << '\n';
    return kUsage;
  }
  if (args.positional.empty()) {
    std::cout << kMainHelp;
    return args.options.count("help") ? kOk : kUsage;
  }
  if (args.options.count("help")) {
    auto it = kHelp.find(args.positional[0]);
    std::cout << (it == kHelp.end() ? kMainHelp : it->second);
    return kOk;
  }
  try {
    return run(args);
  } catch (const db::Unavailable& e) {
    std::cerr << "error: the database is unavailable: " << e.what() << '\n';
    return kFailed;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << '\n';
    return kFailed;
  }
}

}  // namespace cw::server
