#include "cw/server/app.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/Net/NetException.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>
#include <iostream>
#include <mutex>

#include "cw/audit/routes.hpp"
#include "cw/credit/routes.hpp"
#include "cw/auth/routes.hpp"
#include "cw/draws/routes.hpp"
#include "cw/hazards/routes.hpp"
#include "cw/ratings/routes.hpp"
#include "cw/registry/routes.hpp"
#include "cw/core/time.hpp"
#include "cw/http/json.hpp"

namespace cw::server {

using core::Error;
using core::ErrorCode;

std::optional<core::Error> mapException(const std::exception& e) {
  if (dynamic_cast<const db::Unavailable*>(&e)) {
    return Error{ErrorCode::Unavailable, "the database is unavailable; try again shortly", {}};
  }
  if (dynamic_cast<const db::StatementTimeout*>(&e)) {
    return Error{ErrorCode::Unavailable, "the query took too long and was stopped; narrow the search and try again",
                 {}};
  }
  return std::nullopt;
}

namespace {

core::WorkCalendar loadCalendar(const std::string& path, const http::LogSink& log) {
  auto calendar = core::WorkCalendar::load(path);
  if (calendar) {
    int year = static_cast<int>(std::chrono::year_month_day(core::shanghaiDay(std::chrono::system_clock::now())).year());
    if (log && calendar->lastCoveredYear().value_or(0) < year) {
      log(http::logLine("warn", "the holiday calendar has no entries for this year; add the State Council schedule",
                        {{"file", path}, {"year", std::to_string(year)}}));
    }
    return *calendar;
  }
  // Deadlines then count weekends only; say so loudly rather than refuse to start.
  if (log) log(http::logLine("warn", "holiday calendar not loaded; counting weekends only",
                             {{"error", calendar.error().message}}));
  return core::WorkCalendar();
}

std::optional<core::FieldCipher> makeCipher(const RegistrySettings& settings, core::RandomSource& random,
                                            const http::LogSink& log) {
  if (settings.piiEncryptionKey.empty() && settings.piiIndexKey.empty()) {
    if (log) log(http::logLine("warn", "pii.encryption_key and pii.index_key are not set; resident ID numbers "
                                       "cannot be stored or shown"));
    return std::nullopt;
  }
  auto cipher = core::FieldCipher::create(settings.piiEncryptionKey, settings.piiIndexKey, random);
  if (!cipher) throw std::invalid_argument(cipher.error().message);
  return std::move(*cipher);
}

// Migrations may rewrite big tables (a backfill over a million rows): no statement limit, a long read timeout.
db::PoolConfig migrationPoolConfig(db::PoolConfig c) {
  c.statementTimeoutSeconds = 0;
  c.readTimeoutSeconds = std::max(c.readTimeoutSeconds, 3600);
  c.maxConnections = 2;
  return c;
}

}  // namespace

App::App(Config config, http::LogSink log, const core::Clock* clock)
    : config_(std::move(config)),
      log_(std::move(log)),
      clock_(clock ? *clock : systemClock_),
      pool_(config_.db),
      migrationPool_(migrationPoolConfig(config_.db)),
      audit_(clock_),
      hasher_(random_, config_.pbkdf2Iterations),
      users_(pool_, audit_, hasher_, clock_),
      sessions_(pool_, audit_, users_, hasher_, clock_, random_, config_.sessions),
      calendar_(loadCalendar(config_.registry.workdaysFile, log_)),
      cipher_(makeCipher(config_.registry, random_, log_)),
      files_(config_.registry.storageDir),
      registry_(pool_, audit_, clock_, calendar_, cipher_ ? &*cipher_ : nullptr, files_,
                registry::RegistryConfig{config_.registry.reviewWorkingDays, config_.registry.maxDocumentBytes}),
      importer_(pool_, audit_, clock_, random_, registry_),
      credit_(pool_, audit_, clock_, random_, calendar_,
              credit::CreditConfig{config_.credit.objectionWorkingDays, config_.credit.blacklistYears,
                                   config_.credit.blacklistRemovalYears, config_.credit.watchlistMonths,
                                   config_.credit.redlistMonths, config_.credit.feedbackWorkingDays,
                                   config_.credit.eventSettleSeconds, config_.draws.defaultGrade},
              [this](const std::string& id) -> std::optional<std::string> {
                if (!cipher_) return std::nullopt;
                return cipher_->blindIndex(id, "institution.legal_rep_id");
              }),
      draws_(pool_, audit_, clock_, random_, calendar_, files_, credit_.gradeProvider(),
             draws::DrawsConfig{config_.draws.minInspectorsPerEntity, config_.draws.publishWorkingDays,
                                config_.registry.maxDocumentBytes}),
      hazards_(pool_, audit_, clock_, random_, files_, cipher_ ? &*cipher_ : nullptr,
               hazards::HazardsConfig{config_.hazards.maxEvidenceFileBytes, config_.hazards.maxEvidenceHazardBytes,
                                      config_.hazards.maxEvidenceFiles, config_.hazards.complaintsPerHour,
                                      config_.hazards.maxExtensionDays}),
      ratings_(pool_, audit_, clock_, random_, calendar_,
               ratings::RatingsConfig{ratings::parseAggregation(config_.ratings.aggregation).value_or(
                                          ratings::Aggregation::Median),
                                      config_.ratings.minPanel, 9, config_.ratings.challengeWorkingDays,
                                      config_.ratings.validityYears, config_.ratings.nearExpiryDays}) {
  registerRoutes();
  // An inspection result that orders correction becomes a hazard as soon as it is published.
  draws_.setPublishedListener([this](std::int64_t resultId) {
    try {
      hazards_.takeOverFollowups(resultId);
    } catch (const std::exception& e) {
      // The scheduled sweep takes it over later.
      if (log_) log_(http::logLine("warn", "follow-up hand-over deferred", {{"error", e.what()}}));
    }
  });
  metrics_.addGauge("carewatch_db_pool_open", "Open database connections", [this] {
    return static_cast<double>(pool_.stats().open);
  });
  metrics_.addGauge("carewatch_db_pool_leased", "Database connections in use", [this] {
    return static_cast<double>(pool_.stats().leased);
  });
  metrics_.addGauge("carewatch_db_pool_max", "Database pool size", [this] {
    return static_cast<double>(pool_.stats().max);
  });
  metrics_.addGauge("carewatch_db_pool_acquire_waits", "Acquisitions that waited for a connection, since start",
                    [this] { return static_cast<double>(pool_.stats().waits); });
  metrics_.addGauge("carewatch_db_pool_acquire_timeouts", "Acquisitions that gave up (503), since start",
                    [this] { return static_cast<double>(pool_.stats().timeouts); });
  metrics_.addGauge("carewatch_db_pool_reconnects", "Connections re-opened after the database went away, since start",
                    [this] { return static_cast<double>(pool_.stats().reconnects); });
}

core::Result<db::Migrator> App::migrator() {
  auto files = db::loadMigrations(config_.migrationsDir);
  if (!files) return files.error();
  return db::Migrator(migrationPool_, std::move(*files));
}

core::Status App::ready() {
  // The migration files of this build are read once; readiness then costs two small queries.
  std::call_once(migrationsLoaded_, [this] { migrations_ = std::make_unique<core::Result<db::Migrator>>(migrator()); });
  if (!*migrations_) return migrations_->error();
  auto state = (*migrations_)->state();
  if (!state) return state.error();
  if (!state->pending.empty()) {
    return Error{ErrorCode::Unavailable, "migrations not applied: " + state->pending.front() +
                                             (state->pending.size() > 1 ? " and " + std::to_string(state->pending.size() - 1) + " more" : ""),
                 {}};
  }
  return core::Ok{};
}

void App::registerRoutes() {
  using http::Access;
  using http::Request;
  using http::Response;
  router_.addFromMemory("GET", "/healthz", Access::anyone(), [](Request&) -> core::Result<Response> {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("status", "ok");
    return Response::json(o);
  });
  router_.add("GET", "/readyz", Access::anyone(), [this](Request&) -> core::Result<Response> {
    if (auto ok = ready(); !ok) {
      core::Error e = ok.error();
      e.code = ErrorCode::Unavailable;
      return e;
    }
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("status", "ready");
    return Response::json(o);
  });
  router_.add("GET", "/metrics", Access::anyone(), [this](Request&) -> core::Result<Response> {
    return Response::text(metrics_.scrape(), "text/plain; version=0.0.4; charset=utf-8");
  });
  auth::registerRoutes(router_, pool_, users_, sessions_);
  audit::registerRoutes(router_, pool_, audit_);
  registry::registerRoutes(router_, registry_, importer_);
  draws::registerRoutes(router_, draws_);
  hazards::registerRoutes(router_, hazards_);
  ratings::registerRoutes(router_, ratings_);
  credit::registerRoutes(router_, credit_);
}

core::Status App::loadHazardCatalogue() {
  auto catalogue = hazards::loadCatalogueFile(config_.hazards.catalogueFile);
  if (!catalogue) return catalogue.error();
  return hazards_.installCatalogue(std::move(*catalogue));
}

core::Status App::loadRatingSchemes() {
  auto files = ratings::loadSchemeDirectory(config_.ratings.schemesDir);
  if (!files) return files.error();
  return ratings_.installSchemes(*files);
}

core::Status App::loadCreditScorecard() {
  std::ifstream in(config_.credit.scorecardFile, std::ios::binary);
  if (!in) return core::Error::notFound("cannot read the credit scorecard " + config_.credit.scorecardFile);
  std::stringstream text;
  text << in.rdbuf();
  auto ok = credit_.installScorecard(text.str());
  if (!ok) return core::Error{ok.error().code, config_.credit.scorecardFile + ": " + ok.error().message, ok.error().field};
  return core::Ok{};
}

http::Server App::makeServer() {
  return http::Server(config_.http, router_, sessions_, metrics_, random_, mapException, log_);
}

std::unique_ptr<Scheduler> App::makeScheduler() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  auto scheduler = std::make_unique<Scheduler>(pool_, clock_, std::string(host) + ":" + std::to_string(getpid()), log_);
  scheduler->add(Job{"session_cleanup", config_.jobs.sessionCleanupInterval, [this] {
                       return "deleted " + std::to_string(sessions_.purgeExpired()) + " ended sessions";
                     }});
  scheduler->add(Job{"hazard_escalation", config_.jobs.hazardEscalationInterval, [this] {
                       int taken = hazards_.takeOverFollowups();
                       auto report = hazards_.escalateOverdue();
                       int swept = files_.removeStaleTemporaries(std::chrono::hours(1));
                       return "took over " + std::to_string(taken) + " follow-ups; escalated " +
                              std::to_string(report.escalated) + " (" + std::to_string(report.majorEscalated) +
                              " major); removed " + std::to_string(swept) + " abandoned uploads";
                     }});
  scheduler->add(Job{"rating_reviews", config_.jobs.ratingReviewInterval, [this] {
                       auto report = ratings_.followEvents();
                       return "read " + std::to_string(report.events) + " events; flagged " +
                              std::to_string(report.reviews) + " ratings for review";
                     }});
  scheduler->add(Job{"credit_events", config_.jobs.creditEventsInterval, [this] {
                       // Up to 5 s of batches a run: a soak's 50 hazards a second were read at 20 a second.
                       auto report = credit_.drainEvents(std::chrono::seconds(5));
                       return "read " + std::to_string(report.events) + " events; " + std::to_string(report.records) +
                              " credit records; " + std::to_string(report.proposals) + " blacklist proposals";
                     }});
  scheduler->add(Job{"credit_daily", config_.jobs.creditDailyInterval, [this] {
                       auto report = credit_.daily();
                       return std::to_string(report.recordsExpired) + " records and " +
                              std::to_string(report.entriesEnded) + " list entries ended; " +
                              std::to_string(report.rescored) + " rescored; " +
                              std::to_string(report.relationsChanged) + " institutions' related parties reloaded";
                     }});
  return scheduler;
}

int App::serve() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  // Block before any thread starts, so every thread inherits the mask and only sigwait() below sees them.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  try {
    if (auto ok = loadHazardCatalogue(); !ok) {
      log_(http::logLine("error", "cannot load the hazard catalogue", {{"error", ok.error().message}}));
      return 1;
    }
    if (auto ok = loadRatingSchemes(); !ok) {
      log_(http::logLine("error", "cannot load the rating schemes", {{"error", ok.error().message}}));
      return 1;
    }
    if (auto ok = loadCreditScorecard(); !ok) {
      log_(http::logLine("error", "cannot load the credit scorecard", {{"error", ok.error().message}}));
      return 1;
    }
    credit_.rebuildGraph();
  } catch (const std::exception& e) {
    // The database is down or not migrated yet: /readyz says so; the data files are written at the next start.
    log_(http::logLine("warn", "hazard catalogue, rating schemes or credit scorecard not written to the database",
                       {{"error", e.what()}}));
  }
  http::Server server = makeServer();
  try {
    server.start();
  } catch (const Poco::Exception& e) {
    // The address is taken, or (with TLS) the certificate or its key cannot be read.
    std::vector<std::pair<std::string, std::string>> fields{
        {"address", config_.http.host + ":" + std::to_string(config_.http.port)}, {"error", e.displayText()}};
    if (config_.http.check.port >= 0) {
      fields.emplace_back("check_address", config_.http.host + ":" + std::to_string(config_.http.check.port));
    }
    if (config_.http.tls.port != 0) {
      fields.emplace_back("tls_address", config_.http.host + ":" + std::to_string(config_.http.tls.port));
      fields.emplace_back("tls_certificate", config_.http.tls.certificateFile);
      fields.emplace_back("tls_private_key", config_.http.tls.privateKeyFile);
    }
    log_(http::logLine("error", "cannot listen", fields));
    return 1;
  }
  std::unique_ptr<Scheduler> scheduler;
  if (config_.jobs.enabled) {
    scheduler = makeScheduler();
    scheduler->start();
  }
  // Each process keeps its credit graph in step with the others' changes (credit_changes) and writes the check
  // log; not a scheduler job, because every process must do it.
  std::atomic<bool> following{true};
  std::thread follower([this, &following] {
    auto period = std::chrono::milliseconds(config_.credit.followMillis);
    while (following.load()) {
      try {
        if (!credit_.graphReady()) credit_.rebuildGraph();  // the database was down at start
        credit_.followChanges();
      } catch (const std::exception& e) {
        log_(http::logLine("warn", "credit graph follower", {{"error", e.what()}}));
      }
      for (auto slept = std::chrono::milliseconds(0); slept < period && following.load();
           slept += std::chrono::milliseconds(20)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    try {
      credit_.followChanges();  // flushes the last check-log entries
    } catch (const std::exception&) {
    }
  });
  std::vector<std::pair<std::string, std::string>> listening{
      {"address", "http://" + config_.http.host + ":" + std::to_string(server.port())},
      {"pid", std::to_string(getpid())}};
  if (server.tlsPort() != 0) {
    listening.emplace_back("tls_address", "https://" + config_.http.host + ":" + std::to_string(server.tlsPort()));
  }
  if (server.checkPort() != 0) {
    listening.emplace_back("check_address", "http://" + config_.http.host + ":" + std::to_string(server.checkPort()));
  }
  log_(http::logLine("info", "listening", listening));
  int received = 0;
  sigwait(&signals, &received);
  log_(http::logLine("info", "shutting down", {{"signal", std::to_string(received)}}));
  server.stop();
  if (scheduler) scheduler->stop();
  following = false;
  follower.join();
  log_(http::logLine("info", "stopped"));
  return 0;
}

}  // namespace cw::server
