#include "cw/hazards/model.hpp"

#include <algorithm>

namespace cw::hazards {

std::string actionName(Action action) {
  switch (action) {
    case Action::Acknowledge: return "acknowledge";
    case Action::Submit: return "submit";
    case Action::Verify: return "verify";
    case Action::Reject: return "reject";
    case Action::Reopen: return "reopen";
  }
  return "unknown";
}

bool isOpen(const std::string& state) {
  return std::find(kOpenStates.begin(), kOpenStates.end(), state) != kOpenStates.end();
}

core::Result<std::string> nextState(const std::string& state, Action action) {
  auto allowed = [&](std::initializer_list<const char*> from, const char* to) -> std::optional<std::string> {
    for (const char* f : from) {
      if (state == f) return std::string(to);
    }
    return std::nullopt;
  };
  std::optional<std::string> next;
  std::string needs;
  switch (action) {
    case Action::Acknowledge:
      next = allowed({"reported", "notified"}, "rectifying");
      needs = "a newly notified hazard";
      break;
    case Action::Submit:
      next = allowed({"rectifying"}, "submitted");
      needs = "a hazard being rectified";
      break;
    case Action::Verify:
      next = allowed({"submitted"}, "verified");
      needs = "a hazard whose evidence was submitted";
      break;
    case Action::Reject:
      next = allowed({"submitted"}, "rectifying");
      needs = "a hazard whose evidence was submitted";
      break;
    case Action::Reopen:
      next = allowed({"verified"}, "rectifying");
      needs = "a closed (verified) hazard";
      break;
  }
  if (next) return *next;
  return core::Error::precondition("cannot " + actionName(action) + " a hazard that is " + state + "; only " + needs +
                                   " can be");
}

}  // namespace cw::hazards
