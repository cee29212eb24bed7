#include "cw/registry/import_export.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <atomic>
#include <list>
#include <mutex>
#include <thread>

#include "cw/core/time.hpp"
#include "cw/http/json.hpp"
#include "cw/registry/tabular.hpp"

namespace cw::registry {

using core::Error;

namespace {

constexpr auto kStaleAfter = std::chrono::seconds(120);

std::string columnName(std::size_t index) {
  std::string name;
  for (std::size_t n = index + 1; n > 0; n = (n - 1) / 26) name.insert(name.begin(), char('A' + (n - 1) % 26));
  return name;
}

std::string reportJson(const ImportReport& report) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("rows", static_cast<Poco::Int64>(report.rows));
  o->set("imported", static_cast<Poco::Int64>(report.imported));
  o->set("partial", report.partial);
  o->set("rejected", !report.errors.empty() && !report.partial);
  Poco::JSON::Array::Ptr errors = new Poco::JSON::Array;
  for (const auto& e : report.errors) {
    Poco::JSON::Object::Ptr x = new Poco::JSON::Object;
    x->set("row", static_cast<Poco::Int64>(e.row));
    x->set("column", e.column);
    x->set("field", e.field);
    x->set("message", e.message);
    errors->add(x);
  }
  o->set("errors", errors);
  return http::toJsonText(o);
}

}  // namespace

core::Result<ImportReport> importTable(db::Pool&, audit::AuditLog&, const core::Clock&, RegistryService& registry,
                                       const audit::Actor& actor, const http::Principal& who,
                                       const std::string& fileBytes, bool partial,
                                       const std::function<void(int, int)>& progress) {
  auto table = readTable(fileBytes);
  if (!table) return Error::invalid("file", table.error().message);
  ImportReport report;
  report.partial = partial;
  report.rows = table->rows.size();
  // Columns are matched by field name or by the Chinese label used in exports.
  std::vector<const FieldSpec*> columns(table->header.size(), nullptr);
  std::map<std::string, std::string> headerOfField;
  for (std::size_t i = 0; i < table->header.size(); ++i) {
    const std::string& h = table->header[i];
    for (const auto& spec : institutionFields()) {
      if (spec.name == h || spec.labelZh == h) columns[i] = &spec;
    }
    std::string where = columnName(i) + " (" + h + ")";
    if (!columns[i]) {
      report.errors.push_back({1, where, "", "unknown column '" + h + "'"});
    } else if (!headerOfField.emplace(columns[i]->name, where).second) {
      report.errors.push_back({1, where, columns[i]->name, "column for " + columns[i]->name + " appears twice"});
    }
  }
  for (const auto& spec : institutionFields()) {
    if (spec.required && !headerOfField.count(spec.name)) {
      report.errors.push_back({1, "", spec.name, "required column " + spec.name + " (" + spec.labelZh + ") is missing"});
    }
  }
  if (!report.errors.empty()) return report;  // a header problem makes every row meaningless

  BatchSource rows;
  rows.size = table->rows.size();
  rows.at = [&](std::size_t r) {
    BatchRow row;
    row.row = table->sourceRows[r];
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const std::string& cell = table->rows[r][i];
      row.record.set(columns[i]->name, cell.empty() ? std::nullopt : std::optional<std::string>(cell));
    }
    return row;
  };
  auto result = registry.importBatch(actor, who, rows, partial, progress);
  if (!result) return result.error();
  report.imported = result->imported;
  for (const auto& e : result->errors) {
    std::string field = e.field;
    auto bracket = field.find('[');
    std::string base = bracket == std::string::npos ? field : field.substr(0, bracket);
    report.errors.push_back({e.row, headerOfField.count(base) ? headerOfField[base] : "", e.field, e.message});
  }
  return report;
}

struct Importer::Impl {
  db::Pool& pool;
  audit::AuditLog& audit;
  const core::Clock& clock;
  core::RandomSource& random;
  RegistryService& registry;
  std::mutex mutex;
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> finished;
  };
  std::list<Worker> workers;

  Impl(db::Pool& p, audit::AuditLog& a, const core::Clock& c, core::RandomSource& r, RegistryService& g)
      : pool(p), audit(a), clock(c), random(r), registry(g) {}

  // Joins the threads of imports that have ended, so the list does not grow without bound.
  void reap() {
    for (auto it = workers.begin(); it != workers.end();) {
      if (it->finished->load()) {
        it->thread.join();
        it = workers.erase(it);
      } else {
        ++it;
      }
    }
  }

  void update(const std::string& sql, const db::BindFn& bind) {
    auto lease = pool.acquire();
    lease->executeWith(sql, bind);
  }

  void run(const std::string& id, audit::Actor actor, http::Principal who, std::string bytes, bool partial) {
    try {
      update("UPDATE jobs SET state = 'running', updated_at = ? WHERE id = ?", [&](db::Binder& b) {
        b.bind(1, core::formatSqlDateTime(clock.now()));
        b.bind(2, id);
      });
      auto progress = [&](int done, int total) {
        update("UPDATE jobs SET done = ?, total = ?, updated_at = ? WHERE id = ?", [&](db::Binder& b) {
          b.bind(1, done);
          b.bind(2, total);
          b.bind(3, core::formatSqlDateTime(clock.now()));
          b.bind(4, id);
        });
      };
      auto report = importTable(pool, audit, clock, registry, actor, who, bytes, partial, progress);
      std::string state = "done";
      std::string result;
      if (report) {
        result = reportJson(*report);
      } else {
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
        o->set("error", report.error().message);
        o->set("field", report.error().field);
        result = http::toJsonText(o);
        state = "failed";
      }
      std::string now = core::formatSqlDateTime(clock.now());
      update("UPDATE jobs SET state = ?, result = ?, updated_at = ?, finished_at = ? WHERE id = ?",
             [&](db::Binder& b) {
               b.bind(1, state);
               b.bind(2, result);
               b.bind(3, now);
               b.bind(4, now);
               b.bind(5, id);
             });
    } catch (const std::exception& e) {
      try {
        std::string now = core::formatSqlDateTime(clock.now());
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
        o->set("error", std::string("the import stopped: ") + e.what());
        update("UPDATE jobs SET state = 'failed', result = ?, updated_at = ?, finished_at = ? WHERE id = ?",
               [&](db::Binder& b) {
                 b.bind(1, http::toJsonText(o));
                 b.bind(2, now);
                 b.bind(3, now);
                 b.bind(4, id);
               });
      } catch (const std::exception&) {
        // The database is gone too; the job shows as interrupted once it goes stale.
      }
    }
  }
};

Importer::Importer(db::Pool& pool, audit::AuditLog& audit, const core::Clock& clock, core::RandomSource& random,
                   RegistryService& registry)
    : impl_(std::make_shared<Impl>(pool, audit, clock, random, registry)) {}

Importer::~Importer() {
  std::lock_guard lock(impl_->mutex);
  for (auto& w : impl_->workers) {
    if (w.thread.joinable()) w.thread.join();
  }
}

core::Result<std::string> Importer::start(const audit::Actor& actor, const http::Principal& who, std::string fileBytes,
                                          bool partial) {
  if (who.role != "officer") return Error::denied("imports are done by an officer of the competent department");
  if (fileBytes.empty()) return Error::invalid("file", "the request body must be the CSV or XLSX file; it is empty");
  std::string id = core::randomToken(impl_->random, 18);
  std::string now = core::formatSqlDateTime(impl_->clock.now());
  {
    auto lease = impl_->pool.acquire();
    lease->execute("INSERT INTO jobs (id, kind, state, created_by, created_at, updated_at)"
                   " VALUES (?, 'institution_import', 'queued', ?, ?, ?)",
                   id, who.userId, now, now);
  }
  std::lock_guard lock(impl_->mutex);
  impl_->reap();
  auto finished = std::make_shared<std::atomic<bool>>(false);
  Impl* impl = impl_.get();  // the Importer joins every thread before impl_ goes away
  impl_->workers.push_back({std::thread([impl, finished, id, actor, who, bytes = std::move(fileBytes), partial]() mutable {
                              impl->run(id, actor, who, std::move(bytes), partial);
                              finished->store(true);
                            }),
                            finished});
  return id;
}

core::Result<JobStatus> Importer::status(const http::Principal& who, const std::string& id) {
  auto lease = impl_->pool.acquire();
  auto rows = lease->query("SELECT id, kind, state, total, done, created_by, created_at, updated_at, finished_at,"
                           " result FROM jobs WHERE id = ?",
                           id);
  Error missing = Error::notFound("job " + id + " does not exist");
  if (rows.empty()) return missing;
  const auto& row = rows[0];
  if (row.i64("created_by") != who.userId && who.role != "admin") return missing;
  JobStatus s;
  s.id = row.str("id");
  s.kind = row.str("kind");
  s.state = row.str("state");
  s.total = static_cast<int>(row.i64("total"));
  s.done = static_cast<int>(row.i64("done"));
  s.createdAt = core::sqlToIsoUtc(row.str("created_at"));
  if (auto f = row.optStr("finished_at")) s.finishedAt = core::sqlToIsoUtc(*f);
  s.resultJson = row.optStr("result");
  auto updated = core::parseSqlDateTime(row.str("updated_at"));
  if ((s.state == "running" || s.state == "queued") && updated && impl_->clock.now() - *updated > kStaleAfter) {
    s.state = "interrupted";  // the process running it stopped; nothing was written (one transaction)
  }
  return s;
}

core::Result<std::size_t> exportXlsx(RegistryService& registry, const http::Principal& who, SearchQuery query,
                                     const std::string& path) {
  std::vector<std::string> header;
  for (const auto& spec : institutionFields()) header.push_back(spec.labelZh);
  header.push_back("备案状态");
  header.push_back("备案编号");
  header.push_back("所属区划");
  XlsxWriter writer(path, "机构名录", header);
  auto written = registry.forEachMatch(who, std::move(query), kMaxExportRows, [&](const Institution& inst) {
    std::vector<std::optional<std::string>> cells;
    for (const auto& spec : institutionFields()) cells.push_back(inst.record.get(spec.name));
    cells.push_back(inst.filingState);
    cells.push_back(inst.filingNo);
    cells.push_back(inst.regionName);
    writer.addRow(cells);
  });
  if (!written) return written.error();
  writer.close();
  return *written;
}

}  // namespace cw::registry
