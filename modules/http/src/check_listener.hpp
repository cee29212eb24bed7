#pragma once
// The check listener (ServerConfig::check): an event-driven HTTP/1.1 port, Boost.Beast over Asio, serving the routes
// answered from memory (Router::addFromMemory) on a few event loops. See CheckListenerConfig.

#include <memory>

#include "cw/http/server.hpp"
#include "pipeline.hpp"

namespace cw::http::detail {

class CheckListener {
 public:
  CheckListener(const ServerConfig& config, Pipeline& pipeline);
  ~CheckListener();
  CheckListener(const CheckListener&) = delete;
  CheckListener& operator=(const CheckListener&) = delete;

  /// Binds and starts the event loops; throws Poco::IOException naming the address when it cannot listen.
  void start();
  /// Stops accepting, lets requests in flight finish (up to the grace period), then closes every connection.
  void stop();
  int port() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace cw::http::detail
