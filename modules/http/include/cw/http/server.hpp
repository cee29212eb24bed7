#pragma once
// The HTTP server: POCO's HTTPServer with one request handler that assigns a request id, enforces body limits,
// routes, authenticates, authorizes by the route's declared Access, calls the handler, renders errors in one
// shape, logs one JSON line and records metrics. Everything outside /api/ and the probes is the web console,
// served from a directory with a fallback to index.html.

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cw/core/random.hpp"
#include "cw/http/metrics.hpp"
#include "cw/http/router.hpp"

namespace cw::http {

/// HTTPS on a port of its own (POCO NetSSL over OpenSSL 3): TLS 1.2 and 1.3 only, the server's cipher order, and
/// Strict-Transport-Security on every answer it gives. Off while port is 0.
struct TlsConfig {
  int port = 0;
  std::string certificateFile;  // PEM, the chain from the server's certificate up
  std::string privateKeyFile;   // PEM, unencrypted
  /// TLS 1.2 suites (OpenSSL names): forward secrecy and AEAD only. TLS 1.3 suites are OpenSSL's, all strong.
  std::string ciphers =
      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
      "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
  int hstsMaxAgeSeconds = 31536000;  // one year
};

/// The check listener: a port of its own for the systems of other departments that call the credit check in their
/// own request path. Event-driven (Boost.Beast over Asio): `threads` event loops serve every connection, so that a
/// request does not wait for one of 64 worker threads to be scheduled. It serves only the routes answered from
/// memory (Router::addFromMemory: the credit check and /healthz), with the main port's authentication, access rules,
/// headers, access log and metrics; a request whose session must first be read from the database is handed to one of
/// `workers` threads. Plain HTTP, like the main port: behind the TLS-terminating proxy, or on the government network
/// only. Off while port is -1; 0 picks a free port.
struct CheckListenerConfig {
  int port = -1;
  int threads = 1;
  int workers = 2;
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;
  int threads = 64;       // worker threads: size to the expected concurrent keep-alive connections
  int maxQueued = 256;    // accepted connections waiting for a worker
  int backlog = 256;
  std::size_t maxBodyBytes = 1024 * 1024;
  int keepAliveSeconds = 15;
  std::string webRoot = "web/dist";
  bool trustProxy = false;  // take the client address from X-Real-IP (set by the reverse proxy)
  int shutdownGraceSeconds = 20;
  TlsConfig tls;
  CheckListenerConfig check;
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  /// nullopt: no credentials, or credentials that do not name a live session (the route's Access decides).
  /// An Error (e.g. a cookie-authenticated write without a valid CSRF token) rejects the request outright.
  virtual core::Result<std::optional<Principal>> authenticate(const Request& request) = 0;
  /// The same answer when it can be given from memory, without waiting (for an event loop's thread); nullopt when
  /// it needs the database, and then authenticate() is called from a thread that may wait.
  virtual std::optional<core::Result<std::optional<Principal>>> authenticateFromMemory(const Request&) {
    return std::nullopt;
  }
};

/// Turns an infrastructure exception into an API error (e.g. database down -> Unavailable); nullopt -> 500.
using ExceptionMapper = std::function<std::optional<core::Error>(const std::exception&)>;
/// Receives one JSON log line per request (and server events); must be thread-safe.
using LogSink = std::function<void(const std::string& line)>;

class Server {
 public:
  Server(ServerConfig config, const Router& router, Authenticator& authenticator, Metrics& metrics,
         core::RandomSource& random, ExceptionMapper mapException, LogSink log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds (without SO_REUSEPORT, so a second process on the same port fails instead of sharing it) and starts
  /// serving, over TLS and on the check listener too when configured. Throws Poco::Exception when an address is in
  /// use or the certificate or key cannot be loaded.
  void start();
  /// Stops accepting, lets in-flight requests finish (up to the grace period), then closes connections.
  void stop();
  /// The bound port (useful with port 0).
  int port() const;
  /// The bound HTTPS port; 0 when TLS is off.
  int tlsPort() const;
  /// The bound port of the check listener; 0 when it is off.
  int checkPort() const;

  struct Impl;  // opaque; public only so the request handler inside server.cpp can reach it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace cw::http
