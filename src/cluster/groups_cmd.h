// `hgcluster groups list|add|remove` — the safe way to edit the groups file
// the aggregators wait for (ROOT/leader/pushdataaggregator_groups, runbook
// "the groups file"): atomic rewrite, no duplicates, never empty, and a
// group is only added once it has consumed something (else aggregation
// would stall behind it) unless --force.
// Thread-safety: one command at a time per cluster.
#pragma once

#include <CLI/CLI.hpp>

namespace hgc {

void RegisterGroupsCommand(CLI::App& app);

}  // namespace hgc
