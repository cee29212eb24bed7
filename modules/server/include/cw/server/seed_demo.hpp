#pragma once
// Demo data for a new installation: the departments of 九江市 (Jiujiang), its 13 county-level divisions with
// GB/T 2260 codes, two institutions, and one account per role (inspectors in several departments and
// districts). Idempotent: existing rows are kept.

#include <string>
#include <vector>

#include "cw/server/app.hpp"

namespace cw::server {

struct DemoAccount {
  std::string username;
  std::string role;
  std::string description;
};

inline constexpr const char* kDemoPassword = "Jiujiang#2026";

/// Returns the demo accounts (created now or already present).
core::Result<std::vector<DemoAccount>> seedDemo(App& app);

}  // namespace cw::server
