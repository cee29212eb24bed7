#pragma once
// The configuration an integration test's in-process App runs with: the repository's catalogues and schemes, the
// given schema and file store, and the test-only personal-data keys.

#include <string>

#include "cw/db/pool.hpp"
#include "cw/server/config.hpp"

namespace cw::testing {

inline server::Config appConfig(const db::PoolConfig& database, const std::string& storageDir) {
  server::Config config;
  config.db = database;
  config.migrationsDir = std::string(CW_SOURCE_DIR) + "/migrations";
  config.registry.workdaysFile = std::string(CW_SOURCE_DIR) + "/config/workdays.txt";
  config.hazards.catalogueFile = std::string(CW_SOURCE_DIR) + "/config/hazard-catalogue.json";
  config.ratings.schemesDir = std::string(CW_SOURCE_DIR) + "/config/rating-schemes";
  config.credit.scorecardFile = std::string(CW_SOURCE_DIR) + "/config/credit-scorecard.json";
  config.registry.storageDir = storageDir;
  config.registry.piiEncryptionKey = "dGVzdC1vbmx5LWVuY3J5cHRpb24ta2V5LTMyYnl0ZSE=";
  config.registry.piiIndexKey = "dGVzdC1vbmx5LWJsaW5kLWluZGV4LWtleS0zMmJ5dGU=";
  return config;
}

}  // namespace cw::testing
