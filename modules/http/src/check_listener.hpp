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

  /// Binds the port; throws Poco::IOException naming the address when it cannot listen. Nothing is answered yet.
  void bind();
  /// Starts the event loops and the workers; throws Poco::SystemException when their threads cannot be made.
  void run();
  /// Stops accepting and closes idle connections; answers the requests in flight (up to the grace period), each with
  /// Connection: close; then closes whatever is left.
  void stop();
  int port() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace cw::http::detail
