#pragma once
// Time as an injected dependency, so tests can move it (session timeouts, lockouts, deadlines).

#include <atomic>
#include <chrono>

namespace cw::core {

using TimePoint = std::chrono::system_clock::time_point;

/// Thread-safe source of the current UTC time.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
};

/// A clock tests set and advance by hand. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start);
  TimePoint now() const override;
  void advance(std::chrono::microseconds by);
  void set(TimePoint to);

 private:
  std::atomic<std::int64_t> micros_;
};

}  // namespace cw::core
