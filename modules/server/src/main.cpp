#include "cw/server/cli.hpp"

int main(int argc, char** argv) { return cw::server::runCli(argc, argv); }
