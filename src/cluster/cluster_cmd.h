// `hgcluster up|status|down|supervise|repo`: run a whole cluster on one host.
#pragma once

#include <CLI/CLI.hpp>

namespace hgc {

void RegisterClusterCommands(CLI::App& app);

}  // namespace hgc
