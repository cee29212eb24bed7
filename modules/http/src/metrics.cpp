#include "cw/http/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace cw::http {

struct Metrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& requests = prometheus::BuildCounter()
                                                          .Name("carewatch_http_requests_total")
                                                          .Help("HTTP requests by method, route and status")
                                                          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& latency =
      prometheus::BuildHistogram()
          .Name("carewatch_http_request_duration_seconds")
          .Help("HTTP request latency by method and route")
          .Register(*registry);
  // The series of each (method, route, status), found once: Family::Add builds a label map and takes the family's
  // mutex on every call.
  struct Series {
    prometheus::Counter* requests;
    prometheus::Histogram* latency;
  };
  std::shared_mutex seriesMutex;
  std::unordered_map<std::string, Series> series;
  std::mutex gaugesMutex;
  std::vector<std::pair<prometheus::Gauge*, std::function<double()>>> gauges;
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::observeRequest(const std::string& method, const std::string& route, int status, double seconds) {
  static const prometheus::Histogram::BucketBoundaries kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                0.05,   0.1,   0.25,   0.5,   1.0,  2.5, 5.0};
  std::string key = method + ' ' + std::to_string(status) + ' ' + route;
  Impl::Series found{};
  {
    std::shared_lock lock(impl_->seriesMutex);
    auto it = impl_->series.find(key);
    if (it != impl_->series.end()) found = it->second;
  }
  if (!found.requests) {
    found.requests = &impl_->requests.Add({{"method", method}, {"route", route}, {"status", std::to_string(status)}});
    found.latency = &impl_->latency.Add({{"method", method}, {"route", route}}, kBuckets);
    std::unique_lock lock(impl_->seriesMutex);
    impl_->series.emplace(std::move(key), found);
  }
  found.requests->Increment();
  found.latency->Observe(seconds);
}

void Metrics::addGauge(const std::string& name, const std::string& help, std::function<double()> read) {
  auto& family = prometheus::BuildGauge().Name(name).Help(help).Register(*impl_->registry);
  std::lock_guard lock(impl_->gaugesMutex);
  impl_->gauges.emplace_back(&family.Add({}), std::move(read));
}

std::string Metrics::scrape() {
  {
    std::lock_guard lock(impl_->gaugesMutex);
    for (auto& [gauge, read] : impl_->gauges) gauge->Set(read());
  }
  return prometheus::TextSerializer().Serialize(impl_->registry->Collect());
}

}  // namespace cw::http
