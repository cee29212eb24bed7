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
};

struct Config {
  http::ServerConfig http;
  db::PoolConfig db;
  std::string migrationsDir = "migrations";
  std::uint32_t pbkdf2Iterations = 600'000;
  auth::SessionConfig sessions;
  JobsConfig jobs;
};

/// Reads `path` (empty: config/carewatch.properties when it exists, else defaults only) and the environment.
/// InvalidArgument names the key and the bad value.
core::Result<Config> loadConfig(const std::string& path);

}  // namespace cw::server
