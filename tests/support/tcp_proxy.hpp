#pragma once
// A TCP forwarder between a process under test and a server (the database), with a switch that cuts it: cut()
// resets every open connection and refuses new ones, as a stopped database does; restore() lets connections
// through again. For outage tests.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cw::testing {

class TcpProxy {
 public:
  TcpProxy(std::string targetHost, int targetPort);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const { return port_; }
  void cut();
  void restore();

 private:
  void acceptLoop();
  void pump(int from, int to);

  std::string targetHost_;
  int targetPort_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> cut_{false};
  std::mutex mutex_;
  std::vector<int> open_;  // both ends of every forwarded connection
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace cw::testing
