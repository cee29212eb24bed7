// The database goes away for 30 s under load and comes back: meanwhile every answer is a prompt 503 (never a 500,
// never a hang), /readyz says not ready, and afterwards the same process answers 200 again without a restart.
// The server reaches the database through a TCP proxy that the test cuts (every connection reset, new ones
// refused, as when the database is stopped) and restores.

#include <atomic>
#include <mutex>
#include <thread>

#include "api/api_fixture.hpp"
#include "support/tcp_proxy.hpp"

namespace cw::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kOutage = std::chrono::seconds(30);

class DbOutage : public ApiTest {};

struct Sample {
  Clock::time_point at;
  int status;
  double seconds;
};

TEST_F(DbOutage, ThirtySecondsWithoutTheDatabaseGive503sAndTheProcessRecoversOnItsOwn) {
  auto config = database_->config();
  TcpProxy proxy(config.host, config.port);
  auto env = carewatchEnv(config);
  env["CW_DB_PORT"] = std::to_string(proxy.port());
  env["CW_JOBS_ENABLED"] = "false";
  RunningServer server(env, "cw-api-outage-" + database_->name());
  std::string token = login("mz.wangli");  // through the fixture's own server: sessions live in the database

  std::atomic<bool> running{true};
  std::mutex mutex;
  std::vector<Sample> samples;
  std::vector<std::thread> load;
  for (int i = 0; i < 4; ++i) {
    load.emplace_back([&] {
      while (running) {
        auto started = Clock::now();
        int status = 0;
        try {
          status = HttpClient(server.port()).get("/api/v1/hazards?page_size=5", token).status;
        } catch (const std::exception&) {
          status = -1;  // no answer at all
        }
        double seconds = std::chrono::duration<double>(Clock::now() - started).count();
        std::lock_guard lock(mutex);
        samples.push_back({started, status, seconds});
      }
    });
  }
  auto phase = [&](Clock::time_point from, Clock::time_point to) {
    std::map<int, int> statuses;
    double slowest = 0;
    std::lock_guard lock(mutex);
    for (const auto& s : samples) {
      if (s.at < from || s.at >= to) continue;
      ++statuses[s.status];
      slowest = std::max(slowest, s.seconds);
    }
    return std::make_pair(statuses, slowest);
  };

  std::this_thread::sleep_for(std::chrono::seconds(3));
  auto cutAt = Clock::now();
  proxy.cut();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(HttpClient(server.port()).get("/readyz").status, 503) << "ready while the database is away";
  std::this_thread::sleep_for(kOutage - std::chrono::seconds(2));
  auto restoredAt = Clock::now();
  proxy.restore();
  // Recovery: the first 200 after the database is back, without a restart.
  Clock::time_point recovered{};
  while (Clock::now() < restoredAt + std::chrono::seconds(30)) {
    if (HttpClient(server.port()).get("/api/v1/hazards?page_size=5", token).status == 200) {
      recovered = Clock::now();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));
  running = false;
  for (auto& t : load) t.join();

  ASSERT_NE(recovered, Clock::time_point{}) << "no 200 within 30 s of the database coming back";
  // A request that started a moment before the cut or the restore may be answered either way: the windows leave
  // the half second before each switch and the first second after the cut out.
  auto [before, slowBefore] = phase(cutAt - std::chrono::seconds(3), cutAt - std::chrono::milliseconds(500));
  auto [during, slowDuring] = phase(cutAt + std::chrono::seconds(1), restoredAt - std::chrono::milliseconds(500));
  auto [after, slowAfter] = phase(recovered + std::chrono::seconds(1), recovered + std::chrono::seconds(3));
  double recoverySeconds = std::chrono::duration<double>(recovered - restoredAt).count();
  std::cout << "[ outage ] before " << before[200] << " x 200; during " << during[503] << " x 503 of "
            << [&] { int n = 0; for (auto& [k, v] : during) n += v; return n; }() << " (slowest " << slowDuring
            << " s); recovered " << recoverySeconds << " s after the database came back; after " << after[200]
            << " x 200\n";

  EXPECT_GT(before[200], 0);
  for (const auto& [status, n] : before) EXPECT_EQ(status, 200) << n << " answers of " << status << " before the outage";
  EXPECT_GT(during[503], 0);
  {
    std::lock_guard lock(mutex);
    for (const auto& s : samples) {
      if (s.at >= cutAt + std::chrono::seconds(1) && s.at < restoredAt - std::chrono::milliseconds(500) &&
          s.status != 503) {
        ADD_FAILURE() << "answer " << s.status << " at "
                      << std::chrono::duration<double>(s.at - cutAt).count() << " s into the outage";
      }
    }
  }
  EXPECT_LT(slowDuring, 10.0) << "a request waited too long for the missing database";
  EXPECT_LT(recoverySeconds, 10.0);
  EXPECT_GT(after[200], 0);
  EXPECT_EQ(after.size(), 1u) << "answers other than 200 after the recovery";
  EXPECT_EQ(HttpClient(server.port()).get("/readyz").status, 200);
  EXPECT_TRUE(server.process().running()) << "the process had to restart";
}

}  // namespace
}  // namespace cw::testing
