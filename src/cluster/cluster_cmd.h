// `hgcluster up|status|down|supervise|repo`: run a whole cluster on one host.
#pragma once

#include <CLI/CLI.hpp>

#include "layout/cluster_layout.h"

namespace hgc {

void RegisterClusterCommands(CLI::App& app);

// Starts the supervisor of an already set-up cluster in the background (what
// `up --detach` does after writing the config) and waits until it is ready.
// Returns 0, or 1 with the reason on stderr.
int StartSupervisor(const ClusterLayout& layout);

}  // namespace hgc
