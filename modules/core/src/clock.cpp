#include "cw/core/clock.hpp"

namespace cw::core {

namespace {
std::int64_t toMicros(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}
}  // namespace

TimePoint SystemClock::now() const { return std::chrono::system_clock::now(); }

ManualClock::ManualClock(TimePoint start) : micros_(toMicros(start)) {}

TimePoint ManualClock::now() const {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(micros_.load())));
}

void ManualClock::advance(std::chrono::microseconds by) { micros_ += by.count(); }

void ManualClock::set(TimePoint to) { micros_ = toMicros(to); }

}  // namespace cw::core
