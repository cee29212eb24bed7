#include "cw/http/server.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/JSON/Object.h>
#include <Poco/ThreadPool.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <vector>
#include <mutex>
#include <thread>

#include "cw/http/json.hpp"
#include "check_listener.hpp"
#include "pipeline.hpp"
#include "static_files.hpp"

namespace cw::http {

namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

struct Server::Impl {
  ServerConfig config;
  detail::Pipeline pipeline;
  StaticFiles staticFiles;
  std::unique_ptr<Poco::ThreadPool> threads;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  int boundPort = 0;
  std::unique_ptr<Poco::ThreadPool> tlsThreads;
  std::unique_ptr<Poco::Net::HTTPServer> tlsServer;
  int boundTlsPort = 0;
  std::string hsts;  // the Strict-Transport-Security value of the HTTPS listener's answers
  std::unique_ptr<detail::CheckListener> checkListener;

  Impl(ServerConfig c, const Router& r, Authenticator& a, Metrics& m, core::RandomSource& rnd, ExceptionMapper e,
       LogSink l)
      : config(std::move(c)), pipeline(r, a, m, rnd, std::move(e), std::move(l)), staticFiles(config.webRoot),
        hsts("max-age=" + std::to_string(config.tls.hstsMaxAgeSeconds) + "; includeSubDomains") {}

  void handle(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out, bool secure);
  Response dispatch(Poco::Net::HTTPServerRequest& in, Request& request, std::string& routeName, bool& keepAlive);
  void serveStatic(const Request& request, Poco::Net::HTTPServerResponse& out, int& status);
};

namespace {

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(Server::Impl& impl, bool secure) : impl_(impl), secure_(secure) {}
  void handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) override;

 private:
  Server::Impl& impl_;
  bool secure_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(Server::Impl& impl, bool secure) : impl_(impl), secure_(secure) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(impl_, secure_);
  }

 private:
  Server::Impl& impl_;
  bool secure_;  // the HTTPS listener's factory
};

void Handler::handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) {
  impl_.handle(in, out, secure_);
}

// Reads the body up to limit bytes; false when it is larger.
bool readBody(Poco::Net::HTTPServerRequest& in, std::size_t limit, std::string& body) {
  if (in.hasContentLength() && in.getContentLength64() > static_cast<Poco::Int64>(limit)) return false;
  // Without a length or chunked encoding an HTTP/1.1 request has no body; reading would wait for the peer.
  if (!in.hasContentLength() && !in.getChunkedTransferEncoding()) return true;
  std::istream& stream = in.stream();
  char buffer[8192];
  while (stream) {
    stream.read(buffer, sizeof buffer);
    auto n = static_cast<std::size_t>(stream.gcount());
    if (body.size() + n > limit) return false;
    body.append(buffer, n);
  }
  return true;
}

// After answering 413, reads (and drops) what the client is still sending, up to a cap, so that it can finish
// writing and read the answer instead of seeing its connection reset.
void drainBody(Poco::Net::HTTPServerRequest& in) {
  constexpr std::size_t kDrainCap = 64 * 1024 * 1024;
  std::istream& stream = in.stream();
  char buffer[16384];
  std::size_t total = 0;
  try {
    while (stream && total < kDrainCap) {
      stream.read(buffer, sizeof buffer);
      total += static_cast<std::size_t>(stream.gcount());
    }
  } catch (const Poco::Exception&) {
    // The client went away; nothing to do.
  }
}

// Streams a file body in 64 KB pieces: a large download never sits in memory.
void sendFileBody(const Response& response, bool headOnly, Poco::Net::HTTPServerResponse& out) {
  std::ifstream file(response.bodyFile, std::ios::binary);
  std::error_code ec;
  auto size = std::filesystem::file_size(response.bodyFile, ec);
  if (!file || ec) {
    out.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
    static const std::string kBody = R"({"error":{"code":"internal","message":"the stored file cannot be read"}})";
    out.setContentLength64(static_cast<Poco::Int64>(kBody.size()));
    out.sendBuffer(kBody.data(), kBody.size());
    return;
  }
  out.setContentLength64(static_cast<Poco::Int64>(size));
  std::ostream& body = out.send();
  if (headOnly) return;
  std::vector<char> buffer(64 * 1024);
  while (file && body) {
    file.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    body.write(buffer.data(), file.gcount());
  }
}

}  // namespace

void Server::Impl::handle(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out, bool secure) {
  auto started = Clock::now();
  Request request;
  request.method = in.getMethod();
  request.requestId = pipeline.requestId(in.get("X-Request-Id", ""));
  request.clientIp =
      detail::Pipeline::clientIp(in.clientAddress().host().toString(), in.get("X-Real-IP", ""), config.trustProxy);
  std::string routeName = "static";
  int status = 500;
  out.set("X-Request-Id", request.requestId);
  for (const auto& [name, value] : detail::Pipeline::baseHeaders()) out.set(std::string(name), std::string(value));
  // Over HTTPS, browsers are told to use nothing else for this host for a year.
  if (secure) out.set("Strict-Transport-Security", hsts);

  if (!detail::Pipeline::parseTarget(in.getURI(), request)) {
    Response r = errorResponse(core::Error::invalid("", "the request URI is malformed"));
    status = r.status;
    out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(r.status));
    out.setContentType(r.contentType);
    out.sendBuffer(r.body.data(), r.body.size());
  } else if (detail::Pipeline::isServedPath(request.path)) {
    bool keepAlive = true;
    Response response = dispatch(in, request, routeName, keepAlive);
    if (!keepAlive) out.setKeepAlive(false);
    status = response.status;
    out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
    out.setContentType(response.contentType);
    for (const auto& [name, value] : detail::Pipeline::apiHeaders()) out.set(std::string(name), std::string(value));
    for (const auto& [name, value] : response.headers) out.add(name, value);
    if (!response.bodyFile.empty()) {
      sendFileBody(response, in.getMethod() == "HEAD", out);
    } else {
      const std::string& body = response.sharedBody ? *response.sharedBody : response.body;
      out.setContentLength64(static_cast<Poco::Int64>(body.size()));
      if (in.getMethod() == "HEAD") out.send();
      else out.sendBuffer(body.data(), body.size());
    }
    if (!keepAlive) drainBody(in);
  } else {
    serveStatic(request, out, status);
  }
  pipeline.record(request, routeName, status, std::chrono::duration<double>(Clock::now() - started).count());
}

Response Server::Impl::dispatch(Poco::Net::HTTPServerRequest& in, Request& request, std::string& routeName,
                               bool& keepAlive) {
  std::string method = request.method == "HEAD" ? "GET" : request.method;
  auto match = pipeline.router().match(method, request.path);
  if (!match.route) {
    // Drain a small body so the connection can be reused; close it after a large one.
    std::string discarded;
    if (!readBody(in, config.maxBodyBytes, discarded)) keepAlive = false;
    return detail::Pipeline::unrouted(match, request, routeName);
  }
  const Route& route = *match.route;
  routeName = route.pattern;
  request.pathParams = std::move(match.params);

  std::size_t limit = route.maxBodyBytes ? route.maxBodyBytes : config.maxBodyBytes;
  if (!route.streamHandler && !readBody(in, limit, request.body)) {
    keepAlive = false;  // the rest of the body is still on the wire
    return errorResponse({core::ErrorCode::PayloadTooLarge,
                          "request body is larger than the limit of " + std::to_string(limit) + " bytes", {}});
  }
  for (const auto& [name, value] : in) detail::Pipeline::addHeader(request, name, value);

  try {
    if (route.access.kind != Access::Kind::Public) {
      if (auto refused = pipeline.admit(route, request, pipeline.authenticator().authenticate(request))) return *refused;
    }
    if (route.streamHandler) {
      // Whatever the handler left unread is still on the wire: do not reuse the connection then.
      bool hasBody = in.hasContentLength() || in.getChunkedTransferEncoding();
      auto result = route.streamHandler(request, in.stream());
      if (hasBody && !in.stream().eof()) keepAlive = false;
      return pipeline.answer(request, std::move(result));
    }
    return pipeline.answer(request, route.handler(request));
  } catch (const std::exception& e) {
    if (route.streamHandler) keepAlive = false;  // the body may be half read
    return pipeline.answer(request, e);
  }
}

void Server::Impl::serveStatic(const Request& request, Poco::Net::HTTPServerResponse& out, int& status) {
  if (request.method != "GET" && request.method != "HEAD") {
    status = 405;
    out.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_METHOD_NOT_ALLOWED);
    out.set("Allow", "GET, HEAD");
    out.setContentLength(0);
    out.send();
    return;
  }
  auto file = staticFiles.resolve(request.path);
  if (!file) {
    status = 404;
    static const std::string kBody = "Not found\n";
    out.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
    out.setContentType("text/plain; charset=utf-8");
    out.sendBuffer(kBody.data(), kBody.size());
    return;
  }
  status = 200;
  out.set("Cache-Control", file->cacheControl);
  if (file->contentType.rfind("text/html", 0) == 0) {
    out.set("Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
            "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'");
  }
  if (request.method == "HEAD") {
    out.setContentType(file->contentType);
    out.send();
    return;
  }
  out.sendFile(file->path, file->contentType);
}

Server::Server(ServerConfig config, const Router& router, Authenticator& authenticator, Metrics& metrics,
               core::RandomSource& random, ExceptionMapper mapException, LogSink log)
    : impl_(std::make_unique<Impl>(std::move(config), router, authenticator, metrics, random, std::move(mapException),
                                   std::move(log))) {}

Server::~Server() {
  if (impl_->server) stop();
}

namespace {

void startTls(Server::Impl& impl, const Poco::Net::HTTPServerParams::Ptr& params) {
  const TlsConfig& tls = impl.config.tls;
  static std::once_flag initialized;
  std::call_once(initialized, [] { Poco::Net::initializeSSL(); });
  // VERIFY_NONE: clients are not asked for certificates. Depth 9, no default CA store: the server trusts no one.
  Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, tls.privateKeyFile,
                                                           tls.certificateFile, "", Poco::Net::Context::VERIFY_NONE,
                                                           9, false, tls.ciphers);
  context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
  context->preferServerCiphers();
  context->enableSessionCache(true, "carewatch");
  Poco::Net::SecureServerSocket socket(context);
  socket.bind(Poco::Net::SocketAddress(impl.config.host, static_cast<Poco::UInt16>(tls.port)), true, false);
  socket.listen(impl.config.backlog);
  impl.boundTlsPort = socket.address().port();
  impl.tlsThreads = std::make_unique<Poco::ThreadPool>(2, impl.config.threads + 2, 60);
  impl.tlsServer = std::make_unique<Poco::Net::HTTPServer>(new Factory(impl, true), *impl.tlsThreads, socket, params);
  impl.tlsServer->start();
}

}  // namespace

void Server::start() {
  Poco::Net::ServerSocket socket;
  // bind(address, reuseAddress, reusePort): SO_REUSEADDR lets a restart reuse a port in TIME_WAIT;
  // SO_REUSEPORT stays off so that a second process cannot silently share the port.
  socket.bind(Poco::Net::SocketAddress(impl_->config.host, static_cast<Poco::UInt16>(impl_->config.port)), true,
              false);
  socket.listen(impl_->config.backlog);
  impl_->boundPort = socket.address().port();
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(impl_->config.threads);
  params->setMaxQueued(impl_->config.maxQueued);
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(impl_->config.keepAliveSeconds, 0));
  params->setMaxKeepAliveRequests(0);
  params->setServerName("carewatch");
  impl_->threads = std::make_unique<Poco::ThreadPool>(2, impl_->config.threads + 2, 60);
  impl_->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(*impl_, false), *impl_->threads, socket, params);
  // The check port bound and TLS started first: a port in use or a certificate that cannot be loaded stops the start
  // before anything answers (a probe must not see the plain port up and take the process for started).
  if (impl_->config.check.port >= 0) {
    impl_->checkListener = std::make_unique<detail::CheckListener>(impl_->config, impl_->pipeline);
    impl_->checkListener->bind();
  }
  if (impl_->config.tls.port != 0) startTls(*impl_, params);
  if (impl_->checkListener) impl_->checkListener->run();
  impl_->server->start();
}

void Server::stop() {
  if (!impl_->server) return;
  // stopAll(false): stop accepting and let requests in progress finish; idle keep-alive connections close.
  impl_->server->stopAll(false);
  if (impl_->tlsServer) impl_->tlsServer->stopAll(false);
  if (impl_->checkListener) impl_->checkListener->stop();
  auto busy = [&] {
    return impl_->server->currentThreads() + (impl_->tlsServer ? impl_->tlsServer->currentThreads() : 0);
  };
  auto deadline = Clock::now() + std::chrono::seconds(impl_->config.shutdownGraceSeconds);
  while (busy() > 0 && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (impl_->server->currentThreads() > 0) impl_->server->stopAll(true);
  if (impl_->tlsServer && impl_->tlsServer->currentThreads() > 0) impl_->tlsServer->stopAll(true);
  impl_->threads->joinAll();
  impl_->server.reset();
  if (impl_->tlsServer) {
    impl_->tlsThreads->joinAll();
    impl_->tlsServer.reset();
  }
}

int Server::port() const { return impl_->boundPort; }

int Server::tlsPort() const { return impl_->boundTlsPort; }

int Server::checkPort() const { return impl_->checkListener ? impl_->checkListener->port() : 0; }

}  // namespace cw::http
