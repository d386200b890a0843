// `hgcluster fncache check|rebuild` (runbook "Corrupted fncache File"): a
// repository's .hg/store/fncache must list `data/<path>.i` for every file
// any changeset touched; a missing entry is the reference's corruption
// symptom. check reads the changelog natively and lists what is missing;
// rebuild keeps a backup of the file and runs hg's own
// `debugrebuildfncache`. With --root and a repository name, every copy of
// it in the cluster (leader and mirrors) is handled.
// Thread-safety: one command at a time per repository.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace hgc {

// `data/<path>.i` entries the fncache lacks, sorted. Empty for a repository
// without the fncache requirement.
std::vector<std::string> MissingFncacheEntries(const std::string& repo_root);

void RegisterFncacheCommand(CLI::App& app);

}  // namespace hgc
