// Try head management (spec/hosting.md §6.3-6.4, runbook "Try Head
// Management") as commands: `hgcluster try-heads count` and `prune`, which
// does the runbook's dummy merges in one go — every draft head of the
// default branch not already in TARGET gets merged into a chain of
// "Merge try head" commits whose files are TARGET's — and pushes the chain
// to the leader like any push (pushlog, replication). The merges run in one
// hg command server, not one hg process per commit. `check_try_heads` is
// the reference's Nagios check.
// Thread-safety: one command at a time per repository.
#pragma once

#include <CLI/CLI.hpp>

namespace hgc {

void RegisterTryHeadsCommands(CLI::App& app);

}  // namespace hgc
