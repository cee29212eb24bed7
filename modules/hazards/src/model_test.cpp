#include "cw/hazards/model.hpp"

#include <gtest/gtest.h>

namespace cw::hazards {
namespace {

TEST(HazardLoop, EveryStateAndActionFollowsTheLoop) {
  struct Case {
    const char* from;
    Action action;
    const char* to;  // nullptr: refused
  };
  const Case cases[] = {
      {"reported", Action::Acknowledge, "rectifying"}, {"notified", Action::Acknowledge, "rectifying"},
      {"rectifying", Action::Acknowledge, nullptr},    {"rectifying", Action::Submit, "submitted"},
      {"notified", Action::Submit, nullptr},           {"submitted", Action::Submit, nullptr},
      {"submitted", Action::Verify, "verified"},       {"rectifying", Action::Verify, nullptr},
      {"submitted", Action::Reject, "rectifying"},     {"verified", Action::Reject, nullptr},
      {"verified", Action::Reopen, "rectifying"},      {"submitted", Action::Reopen, nullptr},
      {"verified", Action::Verify, nullptr},           {"verified", Action::Submit, nullptr},
  };
  for (const auto& c : cases) {
    auto next = nextState(c.from, c.action);
    if (c.to) {
      ASSERT_TRUE(next.ok()) << c.from << " " << actionName(c.action);
      EXPECT_EQ(*next, c.to);
    } else {
      ASSERT_FALSE(next.ok()) << c.from << " " << actionName(c.action);
      EXPECT_EQ(next.error().code, core::ErrorCode::FailedPrecondition);
      EXPECT_NE(next.error().message.find(c.from), std::string::npos);
    }
  }
}

TEST(HazardLoop, OnlyVerifiedIsClosed) {
  for (const auto& s : kStates) EXPECT_EQ(isOpen(s), s != "verified") << s;
}

}  // namespace
}  // namespace cw::hazards
