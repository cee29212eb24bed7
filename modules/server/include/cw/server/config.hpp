#pragma once
// The whole configuration, read once at start-up into typed structs: the properties file
// (config/carewatch.properties by default) and then environment variables, which win. A property `db.password`
// is overridden by CW_DB_PASSWORD: upper case, dots become underscores, prefixed with CW_.

#include <chrono>
#include <string>

#include "cw/auth/sessions.hpp"
#include "cw/core/result.hpp"
#include "cw/db/pool.hpp"
#include "cw/http/server.hpp"

namespace cw::server {

struct JobsConfig {
  bool enabled = true;
  std::chrono::seconds sessionCleanupInterval{300};
  std::chrono::seconds hazardEscalationInterval{300};
  std::chrono::seconds ratingReviewInterval{60};
  std::chrono::seconds creditEventsInterval{10};
  std::chrono::seconds creditDailyInterval{3600};
};

struct RegistrySettings {
  std::string workdaysFile = "config/workdays.txt";  // holiday calendar for working-day deadlines
  int reviewWorkingDays = 20;
  std::size_t maxDocumentBytes = 20 * 1024 * 1024;
  std::string storageDir = "var/files";  // content-addressed uploads, outside the web root
  // Base64 of 32 random bytes each; from the environment (CW_PII_ENCRYPTION_KEY, CW_PII_INDEX_KEY), never the
  // repository or the database.
  std::string piiEncryptionKey;
  std::string piiIndexKey;
};

// 双随机、一公开 draws.
struct DrawSettings {
  std::string defaultGrade = "B";  // the risk grade of every institution until the credit module provides grades
  int minInspectorsPerEntity = 2;
  int publishWorkingDays = 20;
};

// 风险隐患 hazards and rectification evidence.
struct HazardSettings {
  std::string catalogueFile = "config/hazard-catalogue.json";
  std::size_t maxEvidenceFileBytes = 100ull * 1024 * 1024;
  std::size_t maxEvidenceHazardBytes = 1024ull * 1024 * 1024;
  int maxEvidenceFiles = 30;
  int complaintsPerHour = 5;
  int maxExtensionDays = 60;
};

// 等级评定 graded ratings.
struct RatingSettings {
  std::string schemesDir = "config/rating-schemes";  // one JSON file per scheme version
  std::string aggregation = "median";                 // median | mean of the panel's points per item
  int minPanel = 3;
  int challengeWorkingDays = 10;
  int validityYears = 3;
  int nearExpiryDays = 90;
};

// 信用 credit and joint reward / punishment.
struct CreditSettings {
  std::string scorecardFile = "config/credit-scorecard.json";
  int objectionWorkingDays = 10;
  int blacklistYears = 3;
  int blacklistRemovalYears = 2;
  int watchlistMonths = 12;
  int redlistMonths = 12;
  int feedbackWorkingDays = 20;
  int eventSettleSeconds = 10;
  int followMillis = 200;  // how often each process applies other processes' changes to its graph
};

struct Config {
  http::ServerConfig http;
  db::PoolConfig db;
  std::string migrationsDir = "migrations";
  std::uint32_t pbkdf2Iterations = 600'000;
  auth::SessionConfig sessions;
  JobsConfig jobs;
  RegistrySettings registry;
  DrawSettings draws;
  HazardSettings hazards;
  RatingSettings ratings;
  CreditSettings credit;
};

/// Reads `path` (empty: config/carewatch.properties when it exists, else defaults only) and the environment.
/// InvalidArgument names the key and the bad value.
core::Result<Config> loadConfig(const std::string& path);

}  // namespace cw::server
