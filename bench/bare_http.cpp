// The bare stack: a POCO HTTPServer with the same thread settings as carewatch, answering every request with a
// fixed JSON body. HTTP benchmark figures of carewatch are quoted as a ratio of this one.
// Usage: cw_bare_http <port> [threads]

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>

#include <csignal>
#include <iostream>
#include <string>

namespace {

class Ok final : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& out) override {
    static const std::string kBody = "{\"status\":\"ok\"}";
    out.setContentType("application/json; charset=utf-8");
    out.setContentLength(static_cast<std::streamsize>(kBody.size()));
    out.sendBuffer(kBody.data(), kBody.size());
  }
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Ok;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: cw_bare_http <port> [threads]\n";
    return 2;
  }
  int port = std::stoi(argv[1]);
  int threads = argc > 2 ? std::stoi(argv[2]) : 64;
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  Poco::Net::ServerSocket socket;
  socket.bind(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)), true, false);
  socket.listen(256);
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(threads);
  params->setMaxQueued(256);
  params->setKeepAlive(true);
  params->setMaxKeepAliveRequests(0);
  Poco::ThreadPool pool(2, threads + 2, 60);
  Poco::Net::HTTPServer server(new Factory, pool, socket, params);
  server.start();
  std::cout << "bare POCO server on 127.0.0.1:" << socket.address().port() << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  server.stopAll(true);
  return 0;
}
