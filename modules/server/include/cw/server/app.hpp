#pragma once
// The composition root: builds the pool, services and router from the configuration and passes them by
// constructor. Nothing else in carewatch constructs services. Constructing an App does not touch the database.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cw/audit/audit_log.hpp"
#include "cw/auth/password.hpp"
#include "cw/auth/sessions.hpp"
#include "cw/auth/users.hpp"
#include "cw/core/clock.hpp"
#include "cw/core/random.hpp"
#include "cw/db/migrations.hpp"
#include "cw/db/pool.hpp"
#include "cw/http/metrics.hpp"
#include "cw/http/router.hpp"
#include "cw/http/server.hpp"
#include "cw/core/blob_store.hpp"
#include "cw/core/field_cipher.hpp"
#include "cw/core/workdays.hpp"
#include "cw/credit/service.hpp"
#include "cw/draws/service.hpp"
#include "cw/hazards/service.hpp"
#include "cw/ratings/service.hpp"
#include "cw/registry/import_export.hpp"
#include "cw/registry/service.hpp"
#include "cw/server/config.hpp"
#include "cw/server/jobs.hpp"

namespace cw::server {

class App {
 public:
  /// `clock` may be null (the system clock).
  App(Config config, http::LogSink log, const core::Clock* clock = nullptr);

  /// Every route of the API, registered in one place; also used by the route-coverage tests.
  const http::Router& router() const { return router_; }
  db::Pool& pool() { return pool_; }
  audit::AuditLog& audit() { return audit_; }
  auth::UserService& users() { return users_; }
  registry::RegistryService& registry() { return registry_; }
  draws::DrawService& draws() { return draws_; }
  hazards::HazardService& hazards() { return hazards_; }
  ratings::RatingService& ratings() { return ratings_; }
  credit::CreditService& credit() { return credit_; }
  /// Whether personal-data keys are configured (resident ID numbers can be stored).
  bool canStorePersonalData() const { return cipher_.has_value(); }
  const Config& config() const { return config_; }
  /// The clock every service uses (seed data dates itself by it).
  const core::Clock& clock() const { return clock_; }
  /// Readiness: the database answers and every migration file has been applied unchanged.
  core::Status ready();
  /// Loads migration files from config.migrationsDir.
  core::Result<db::Migrator> migrator();
  /// Runs the HTTP server and the scheduler until SIGTERM/SIGINT, then shuts down gracefully.
  int serve();
  /// Reads the hazard catalogue file and writes it into the database (the server and seed-demo call it).
  core::Status loadHazardCatalogue();
  /// Reads the rating scheme files and installs their versions (the server and seed-demo call it).
  core::Status loadRatingSchemes();
  /// Reads the credit scorecard file and installs its version (the server and seed-demo call it).
  core::Status loadCreditScorecard();
  http::Server makeServer();
  std::unique_ptr<Scheduler> makeScheduler();

 private:
  void registerRoutes();

  Config config_;
  http::LogSink log_;
  core::SystemClock systemClock_;
  const core::Clock& clock_;
  core::SecureRandom random_;
  db::Pool pool_;
  db::Pool migrationPool_;
  audit::AuditLog audit_;
  auth::PasswordHasher hasher_;
  auth::UserService users_;
  auth::SessionService sessions_;
  core::WorkCalendar calendar_;
  std::optional<core::FieldCipher> cipher_;
  core::BlobStore files_;
  registry::RegistryService registry_;
  registry::Importer importer_;
  credit::CreditService credit_;
  draws::DrawService draws_;
  hazards::HazardService hazards_;
  ratings::RatingService ratings_;
  http::Metrics metrics_;
  http::Router router_;
  std::once_flag migrationsLoaded_;
  std::unique_ptr<core::Result<db::Migrator>> migrations_;
};

/// Maps infrastructure exceptions to API errors: database unreachable -> Unavailable (503).
std::optional<core::Error> mapException(const std::exception& e);

/// A thread-safe sink writing one JSON line per call to stdout, through one writer thread (src/stdout_log.cpp).
http::LogSink stdoutLog();

}  // namespace cw::server
