#include "check_listener.hpp"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility> (fails under C++20 with GCC 12).
#include <utility>

#include <Poco/Exception.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <ctime>
#include <mutex>
#include <system_error>
#include <unordered_map>
#include <thread>
#include <vector>

#include "cw/http/json.hpp"

namespace cw::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kHeaderLimit = 8192;
constexpr auto kWriteTimeout = std::chrono::seconds(30);

// The Date header's value, made once a second per thread.
const std::string& httpDate() {
  thread_local std::time_t cachedSecond = 0;
  thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now != cachedSecond) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[40];
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached = text;
    cachedSecond = now;
  }
  return cached;
}

}  // namespace

class CheckConnection;

struct CheckListener::Impl {
  const ServerConfig& config;
  Pipeline& pipeline;
  asio::io_context loops;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> keepRunning;
  tcp::acceptor acceptor{asio::make_strand(loops)};  // its own strand: stop() closes it from another thread
  std::optional<asio::thread_pool> workers;          // made in run(), with the loops' signal mask
  std::vector<std::thread> threads;
  std::atomic<int> inFlight{0};
  std::atomic<bool> stopping{false};
  std::mutex connectionsMutex;
  std::unordered_map<CheckConnection*, std::weak_ptr<CheckConnection>> connections;
  int boundPort = 0;

  Impl(const ServerConfig& c, Pipeline& p) : config(c), pipeline(p), loops(c.check.threads) {}

  void accept();
  void logError(const char* what, const std::string& detail) {
    if (pipeline.log()) pipeline.log()(logLine("error", what, {{"error", detail}}));
  }
};

class CheckConnection : public std::enable_shared_from_this<CheckConnection> {
 public:
  CheckConnection(CheckListener::Impl& listener, tcp::socket&& socket) : listener_(listener), stream_(std::move(socket)) {
    beast::error_code ec;
    auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec) clientIp_ = remote.address().to_string();
  }
  ~CheckConnection() {
    std::lock_guard lock(listener_.connectionsMutex);
    listener_.connections.erase(this);
  }

  void start() {
    {
      std::lock_guard lock(listener_.connectionsMutex);
      listener_.connections.emplace(this, weak_from_this());
    }
    read();
  }

  /// From stop(), on the connection's strand: an idle connection is closed now, a busy one after its answer.
  void stopIfIdle() {
    if (!idle_) return;
    beast::error_code ignored;
    stream_.socket().cancel(ignored);
  }
  /// After the loops have stopped: whatever is still open is closed.
  void closeNow() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
  }
  auto executor() { return stream_.get_executor(); }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    idle_ = true;
    stream_.expires_after(std::chrono::seconds(listener_.config.keepAliveSeconds));
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
  }

  void onRead(beast::error_code ec) {
    idle_ = false;
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof || listener_.stopping) {
      return close(false);
    }
    started_ = Clock::now();
    ++listener_.inFlight;
    request_ = Request{};
    request_.clientIp = clientIp_;
    head_ = false;
    keepAlive_ = true;
    if (ec) {
      // Unreadable: answered, then the connection is closed (what follows on it cannot be framed).
      request_.method = "?";
      request_.requestId = listener_.pipeline.requestId("");
      keepAlive_ = false;
      const char* why = ec == bhttp::error::header_limit      ? "its header is larger than 8 KB"
                        : ec == bhttp::error::unexpected_body ? "the check listener takes no request body"
                                                              : nullptr;
      return finish("bad_request",
                    errorResponse(core::Error::invalid("", why ? std::string("the request cannot be served: ") + why
                                                               : "the request cannot be read: " + ec.message())));
    }
    try {
      handle(parser_->get());
    } catch (const std::exception& e) {
      // Whatever throws on the loop's thread is this request's 500, never the process's end.
      keepAlive_ = false;
      finish("static", listener_.pipeline.answer(request_, e));
    }
  }

  void handle(const bhttp::request<bhttp::empty_body>& in) {
    Pipeline& pipeline = listener_.pipeline;
    keepAlive_ = in.keep_alive();
    request_.method = std::string(in.method_string());
    request_.requestId = pipeline.requestId(std::string(in["X-Request-Id"]));
    head_ = in.method() == bhttp::verb::head;
    request_.clientIp = Pipeline::clientIp(clientIp_, std::string(in["X-Real-IP"]), listener_.config.trustProxy);
    if (!Pipeline::parseTarget(std::string(in.target()), request_)) {
      return finish("static", errorResponse(core::Error::invalid("", "the request URI is malformed")));
    }
    auto match = pipeline.router().match(head_ ? "GET" : request_.method, request_.path);
    if (!match.route) {
      std::string routeName;
      Response r = Pipeline::unrouted(match, request_, routeName);
      return finish(routeName, std::move(r));
    }
    const Route& route = *match.route;
    if (!route.fromMemory) {
      return finish("not_found", errorResponse(core::Error::notFound(
                                     request_.method + " " + request_.path +
                                     " is not served on the check listener; call it on the main HTTP port")));
    }
    request_.pathParams = std::move(match.params);
    for (const auto& field : in) {
      Pipeline::addHeader(request_, std::string_view(field.name_string().data(), field.name_string().size()),
                          std::string(field.value()));
    }
    if (route.access.kind != Access::Kind::Public) {
      auto fromMemory = pipeline.authenticator().authenticateFromMemory(request_);
      if (!fromMemory) return handOff(route);  // the session is to be read from the database: not on this thread
      if (auto refused = pipeline.admit(route, request_, std::move(*fromMemory))) return finish(route.pattern, *refused);
    }
    finish(route.pattern, run(route));
  }

  Response run(const Route& route) {
    try {
      return listener_.pipeline.answer(request_, route.handler(request_));
    } catch (const std::exception& e) {
      return listener_.pipeline.answer(request_, e);
    }
  }

  // Authentication that waits for the database, and then the handler, on a worker; the answer is written from the
  // connection's own strand.
  void handOff(const Route& route) {
    asio::post(*listener_.workers, [self = shared_from_this(), &route] {
      Pipeline& pipeline = self->listener_.pipeline;
      Response response;
      try {
        auto refused = pipeline.admit(route, self->request_, pipeline.authenticator().authenticate(self->request_));
        response = refused ? std::move(*refused) : self->run(route);
      } catch (const std::exception& e) {
        response = pipeline.answer(self->request_, e);
      }
      asio::post(self->stream_.get_executor(), [self, &route, response = std::move(response)]() mutable {
        self->finish(route.pattern, std::move(response));
      });
    });
  }

  void finish(const std::string& routeName, Response response) {
    routeName_ = routeName;
    response_ = std::move(response);
    const std::string& body = response_.sharedBody ? *response_.sharedBody : response_.body;
    out_ = {};
    out_.version(11);
    out_.result(static_cast<unsigned>(response_.status));
    out_.set(bhttp::field::date, httpDate());
    out_.set(bhttp::field::server, "carewatch");
    out_.set(bhttp::field::content_type, response_.contentType);
    if (listener_.stopping) keepAlive_ = false;  // the last answer on this connection says so
    out_.set("X-Request-Id", request_.requestId);
    auto view = [](std::string_view text) { return beast::string_view(text.data(), text.size()); };
    for (const auto& [name, value] : Pipeline::baseHeaders()) out_.set(view(name), view(value));
    for (const auto& [name, value] : Pipeline::apiHeaders()) out_.set(view(name), view(value));
    for (const auto& [name, value] : response_.headers) out_.insert(name, value);
    out_.keep_alive(keepAlive_);
    out_.content_length(body.size());
    out_.body() = head_ || !response_.bodyFile.empty() ? bhttp::span_body<const char>::value_type()
                                                        : bhttp::span_body<const char>::value_type(body.data(), body.size());
    stream_.expires_after(kWriteTimeout);
    bhttp::async_write(stream_, out_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->onWritten(ec);
    });
  }

  void onWritten(beast::error_code ec) {
    listener_.pipeline.record(request_, routeName_, response_.status,
                              std::chrono::duration<double>(Clock::now() - started_).count());
    --listener_.inFlight;
    if (ec) return close(false);
    if (!keepAlive_ || listener_.stopping) return close(true);
    read();
  }

  // Ends the connection. With `linger`, after our answer: the sending side first, then what the client still sends is
  // read and dropped for up to a second, so that unread input (a refused body, pipelined requests) does not make the
  // kernel reset the connection and the client lose the answer.
  void close(bool linger) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (!linger || listener_.stopping) {
      stream_.socket().close(ignored);
      return;
    }
    stream_.expires_after(std::chrono::seconds(1));
    stream_.async_read_some(asio::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        beast::error_code ignored;
        self->stream_.socket().close(ignored);
        return;
      }
      self->close(true);
    });
  }

  CheckListener::Impl& listener_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::empty_body>> parser_;
  std::string clientIp_;
  Request request_;
  Response response_;
  bhttp::response<bhttp::span_body<const char>> out_;
  std::string routeName_;
  Clock::time_point started_;
  bool keepAlive_ = true;
  bool head_ = false;
  bool idle_ = false;  // waiting for the next request
  std::array<char, 4096> scratch_{};
};

void CheckListener::Impl::accept() {
  acceptor.async_accept(asio::make_strand(loops), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors, say: try again shortly rather than spin.
      auto timer = std::make_shared<asio::steady_timer>(acceptor.get_executor(), std::chrono::milliseconds(50));
      timer->async_wait([this, timer](beast::error_code) { accept(); });
      return;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    try {
      std::make_shared<CheckConnection>(*this, std::move(socket))->start();
    } catch (const std::exception& e) {
      logError("check listener: a connection could not be started", e.what());
    }
    accept();
  });
}

CheckListener::CheckListener(const ServerConfig& config, Pipeline& pipeline)
    : impl_(std::make_unique<Impl>(config, pipeline)) {}

CheckListener::~CheckListener() { stop(); }

void CheckListener::bind() {
  Impl& impl = *impl_;
  std::string address = impl.config.host + ":" + std::to_string(impl.config.check.port);
  try {
    tcp::resolver resolver(impl.loops);
    auto endpoints = resolver.resolve(impl.config.host, std::to_string(impl.config.check.port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service);
    // As POCO does for the main port: a name with IPv4 and IPv6 addresses listens on the IPv4 one.
    tcp::endpoint endpoint = endpoints.begin()->endpoint();
    for (const auto& entry : endpoints) {
      if (entry.endpoint().address().is_v4()) {
        endpoint = entry.endpoint();
        break;
      }
    }
    impl.acceptor.open(endpoint.protocol());
    // As the main port: SO_REUSEADDR for a restart, no SO_REUSEPORT (a second process fails instead of sharing).
    impl.acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl.acceptor.bind(endpoint);
    impl.acceptor.listen(impl.config.backlog);
    impl.boundPort = impl.acceptor.local_endpoint().port();
  } catch (const boost::system::system_error& e) {
    throw Poco::IOException("the check listener cannot listen on " + address, e.code().message());
  }
}

void CheckListener::run() {
  Impl& impl = *impl_;
  impl.keepRunning.emplace(impl.loops.get_executor());
  asio::post(impl.acceptor.get_executor(), [&impl] { impl.accept(); });
  // The loops' and workers' threads take no signals: App::serve() waits for SIGTERM and SIGINT with sigwait().
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  try {
    impl.workers.emplace(static_cast<std::size_t>(impl.config.check.workers));
    for (int i = 0; i < impl.config.check.threads; ++i) {
      impl.threads.emplace_back([&impl] {
        // An exception out of a handler the loop runs ends that handler's connection, not the loop.
        for (;;) {
          try {
            impl.loops.run();
            return;
          } catch (const std::exception& e) {
            impl.logError("check listener: unhandled exception on an event loop", e.what());
          }
        }
      });
    }
  } catch (const std::system_error& e) {
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    throw Poco::SystemException("the check listener cannot start its threads", e.what());
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

void CheckListener::stop() {
  Impl& impl = *impl_;
  if (impl.threads.empty()) return;
  impl.stopping = true;
  asio::post(impl.acceptor.get_executor(), [&impl] {
    beast::error_code ignored;
    impl.acceptor.close(ignored);
  });
  auto each = [&impl](auto&& act) {
    std::lock_guard lock(impl.connectionsMutex);
    for (auto& [raw, weak] : impl.connections) {
      if (auto connection = weak.lock()) act(connection);
    }
  };
  each([](const std::shared_ptr<CheckConnection>& c) { asio::post(c->executor(), [c] { c->stopIfIdle(); }); });
  // Requests in flight are answered (with Connection: close); past the grace period the workers' queue is dropped.
  auto deadline = Clock::now() + std::chrono::seconds(impl.config.shutdownGraceSeconds);
  while (impl.inFlight.load() > 0 && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  impl.workers->stop();
  impl.workers->join();
  impl.keepRunning.reset();
  impl.loops.stop();
  for (auto& thread : impl.threads) thread.join();
  impl.threads.clear();
  each([](const std::shared_ptr<CheckConnection>& c) { c->closeNow(); });
}

int CheckListener::port() const { return impl_->boundPort; }

}  // namespace cw::http::detail
