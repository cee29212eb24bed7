#include "cw/server/config.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <limits>

namespace cw::server {

namespace {

using core::Error;

constexpr const char* kDefaultPath = "config/carewatch.properties";

class Source {
 public:
  explicit Source(Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> file) : file_(std::move(file)) {}

  std::optional<std::string> raw(const std::string& key) const {
    std::string env = "CW_";
    for (char c : key) env += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (const char* value = std::getenv(env.c_str())) return std::string(value);
    if (file_ && file_->hasProperty(key)) return file_->getString(key);
    return std::nullopt;
  }

  core::Status text(const std::string& key, std::string& out) const {
    if (auto v = raw(key)) out = *v;
    return core::Ok{};
  }

  template <typename T>
  core::Status number(const std::string& key, T& out, long long min, long long max) const {
    auto v = raw(key);
    if (!v) return core::Ok{};
    long long parsed = 0;
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), parsed);
    if (ec != std::errc() || ptr != v->data() + v->size()) {
      return Error::invalid(key, "configuration " + key + ": '" + *v + "' is not an integer");
    }
    if (parsed < min || parsed > max) {
      return Error::invalid(key, "configuration " + key + ": " + *v + " is outside " + std::to_string(min) + ".." +
                                     std::to_string(max));
    }
    out = static_cast<T>(parsed);
    return core::Ok{};
  }

  core::Status seconds(const std::string& key, std::chrono::seconds& out, long long min, long long max) const {
    long long value = out.count();
    if (auto ok = number(key, value, min, max); !ok) return ok;
    out = std::chrono::seconds(value);
    return core::Ok{};
  }

  core::Status flag(const std::string& key, bool& out) const {
    auto v = raw(key);
    if (!v) return core::Ok{};
    if (*v == "true" || *v == "1" || *v == "yes") out = true;
    else if (*v == "false" || *v == "0" || *v == "no") out = false;
    else return Error::invalid(key, "configuration " + key + ": '" + *v + "' is not true or false");
    return core::Ok{};
  }

 private:
  Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> file_;
};

}  // namespace

core::Result<Config> loadConfig(const std::string& requested) {
  std::string path = requested;
  if (path.empty()) {
    if (const char* env = std::getenv("CW_CONFIG")) path = env;
  }
  Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> file;
  if (!path.empty() || std::filesystem::exists(kDefaultPath)) {
    std::string chosen = path.empty() ? kDefaultPath : path;
    if (!std::filesystem::exists(chosen)) {
      return Error::invalid("config", "configuration file '" + chosen + "' does not exist");
    }
    try {
      file = new Poco::Util::PropertyFileConfiguration(chosen);
    } catch (const Poco::Exception& e) {
      return Error::invalid("config", "cannot read configuration file '" + chosen + "': " + e.displayText());
    }
  }
  Source s(file);
  Config c;
  c.db.statementTimeoutSeconds = 25;  // below db.read_timeout_seconds' default of 30
  const long long kMaxInt = std::numeric_limits<int>::max();
  long long sessionCacheMs = 1000;
  for (const core::Status& st : {
           s.text("http.host", c.http.host),
           s.number("http.port", c.http.port, 0, 65535),
           s.number("http.threads", c.http.threads, 2, 4096),
           s.number("http.max_queued", c.http.maxQueued, 1, 100000),
           s.number("http.max_body_bytes", c.http.maxBodyBytes, 1024, 1LL << 30),
           s.number("http.keep_alive_seconds", c.http.keepAliveSeconds, 1, 3600),
           s.number("http.shutdown_grace_seconds", c.http.shutdownGraceSeconds, 0, 3600),
           s.text("http.web_root", c.http.webRoot),
           s.flag("http.trust_proxy", c.http.trustProxy),
           s.number("http.tls.port", c.http.tls.port, 0, 65535),
           s.text("http.tls.certificate", c.http.tls.certificateFile),
           s.text("http.tls.private_key", c.http.tls.privateKeyFile),
           s.text("http.tls.ciphers", c.http.tls.ciphers),
           s.number("http.tls.hsts_max_age_seconds", c.http.tls.hstsMaxAgeSeconds, 0, kMaxInt),
           s.number("http.check_port", c.http.check.port, -1, 65535),
           s.number("http.check_threads", c.http.check.threads, 1, 256),
           s.number("http.check_workers", c.http.check.workers, 1, 256),
           s.text("db.host", c.db.host),
           s.number("db.port", c.db.port, 1, 65535),
           s.text("db.socket", c.db.socket),
           s.text("db.name", c.db.database),
           s.text("db.user", c.db.user),
           s.text("db.password", c.db.password),
           s.number("db.pool_size", c.db.maxConnections, 1, 4096),
           s.number("db.connect_timeout_seconds", c.db.connectTimeoutSeconds, 1, 600),
           s.number("db.read_timeout_seconds", c.db.readTimeoutSeconds, 1, 3600),
           s.number("db.statement_timeout_seconds", c.db.statementTimeoutSeconds, 0, 3600),
           s.text("db.migrations_dir", c.migrationsDir),
           s.number("auth.pbkdf2_iterations", c.pbkdf2Iterations, 600000, 50000000),
           s.seconds("auth.idle_timeout_seconds", c.sessions.idleTimeout, 1, kMaxInt),
           s.seconds("auth.absolute_timeout_seconds", c.sessions.absoluteTimeout, 1, kMaxInt),
           s.number("auth.max_failures", c.sessions.maxFailures, 1, 100),
           s.number("auth.max_failures_per_address", c.sessions.maxFailuresPerAddress, 1, 100000),
           s.seconds("auth.lockout_seconds", c.sessions.lockout, 1, kMaxInt),
           s.flag("auth.cookie_secure", c.sessions.cookieSecure),
           s.number("auth.session_cache_ms", sessionCacheMs, 0, 60000),
           s.flag("jobs.enabled", c.jobs.enabled),
           s.seconds("jobs.session_cleanup_seconds", c.jobs.sessionCleanupInterval, 1, kMaxInt),
           s.text("registry.workdays_file", c.registry.workdaysFile),
           s.number("registry.review_working_days", c.registry.reviewWorkingDays, 1, 365),
           s.number("registry.max_document_bytes", c.registry.maxDocumentBytes, 1024, 64LL * 1024 * 1024),
           s.text("storage.dir", c.registry.storageDir),
           s.text("pii.encryption_key", c.registry.piiEncryptionKey),
           s.text("pii.index_key", c.registry.piiIndexKey),
           s.text("draws.default_grade", c.draws.defaultGrade),
           s.number("draws.min_inspectors_per_entity", c.draws.minInspectorsPerEntity, 1, 20),
           s.number("draws.publish_working_days", c.draws.publishWorkingDays, 1, 365),
           s.seconds("jobs.hazard_escalation_seconds", c.jobs.hazardEscalationInterval, 1, kMaxInt),
           s.text("hazards.catalogue_file", c.hazards.catalogueFile),
           s.number("hazards.max_evidence_file_bytes", c.hazards.maxEvidenceFileBytes, 1024, 16LL << 30),
           s.number("hazards.max_evidence_hazard_bytes", c.hazards.maxEvidenceHazardBytes, 1024, 1LL << 40),
           s.number("hazards.max_evidence_files", c.hazards.maxEvidenceFiles, 1, 1000),
           s.number("hazards.complaints_per_hour", c.hazards.complaintsPerHour, 1, 100000),
           s.number("hazards.max_extension_days", c.hazards.maxExtensionDays, 1, 365),
           s.seconds("jobs.rating_review_seconds", c.jobs.ratingReviewInterval, 1, kMaxInt),
           s.text("ratings.schemes_dir", c.ratings.schemesDir),
           s.text("ratings.aggregation", c.ratings.aggregation),
           s.number("ratings.min_panel", c.ratings.minPanel, 3, 9),
           s.number("ratings.challenge_working_days", c.ratings.challengeWorkingDays, 1, 60),
           s.number("ratings.validity_years", c.ratings.validityYears, 1, 10),
           s.number("ratings.near_expiry_days", c.ratings.nearExpiryDays, 1, 3650),
           s.text("credit.scorecard_file", c.credit.scorecardFile),
           s.number("credit.objection_working_days", c.credit.objectionWorkingDays, 1, 60),
           s.number("credit.blacklist_years", c.credit.blacklistYears, 1, 10),
           s.number("credit.blacklist_removal_years", c.credit.blacklistRemovalYears, 1, 10),
           s.number("credit.watchlist_months", c.credit.watchlistMonths, 1, 60),
           s.number("credit.redlist_months", c.credit.redlistMonths, 1, 60),
           s.number("credit.feedback_working_days", c.credit.feedbackWorkingDays, 1, 120),
           s.number("credit.event_settle_seconds", c.credit.eventSettleSeconds, 0, 3600),
           s.number("credit.follow_millis", c.credit.followMillis, 20, 60000),
           s.seconds("jobs.credit_events_seconds", c.jobs.creditEventsInterval, 1, kMaxInt),
           s.seconds("jobs.credit_daily_seconds", c.jobs.creditDailyInterval, 1, kMaxInt),
       }) {
    if (!st) return st.error();
  }
  if (c.draws.defaultGrade.size() != 1 || c.draws.defaultGrade[0] < 'A' || c.draws.defaultGrade[0] > 'D') {
    return core::Error::invalid("draws.default_grade", "draws.default_grade must be A, B, C or D, not \"" +
                                                           c.draws.defaultGrade + "\"");
  }
  if (c.ratings.aggregation != "median" && c.ratings.aggregation != "mean") {
    return core::Error::invalid("ratings.aggregation", "ratings.aggregation must be median or mean, not \"" +
                                                           c.ratings.aggregation + "\"");
  }
  if (c.credit.blacklistRemovalYears > c.credit.blacklistYears) {
    return core::Error::invalid("credit.blacklist_removal_years",
                                "credit.blacklist_removal_years cannot exceed credit.blacklist_years");
  }
  c.sessions.cacheTtl = std::chrono::milliseconds(sessionCacheMs);
  long long acquireMs = c.db.acquireTimeout.count();
  if (auto ok = s.number("db.acquire_timeout_ms", acquireMs, 1, 600000); !ok) return ok.error();
  c.db.acquireTimeout = std::chrono::milliseconds(acquireMs);
  return c;
}

}  // namespace cw::server
