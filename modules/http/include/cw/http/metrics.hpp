#pragma once
// Prometheus metrics (prometheus-cpp) behind a small interface: request counts and latency histograms per
// route, plus gauges the composition root refreshes before each scrape. Thread-safe.

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cw::http {

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  /// route is the pattern ("/api/v1/admin/users/{id}"), never the raw path, so label cardinality stays bounded.
  void observeRequest(const std::string& method, const std::string& route, int status, double seconds);
  /// Registers a gauge whose value is read from `read` at every scrape.
  void addGauge(const std::string& name, const std::string& help, std::function<double()> read);
  /// The Prometheus text exposition format.
  std::string scrape();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cw::http
