#pragma once

namespace cw::server {

/// The `carewatch` command line: serve, migrate, seed-demo, user add|passwd|disable|enable|list, audit verify,
/// version; each with --help. Returns the process exit code (0 ok, 1 failed, 2 usage error).
int runCli(int argc, char** argv);

}  // namespace cw::server
