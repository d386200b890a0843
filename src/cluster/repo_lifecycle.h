// Repository lifecycle on a cluster, each step replicated through the log
// and each printing its progress: delete, retire (moved out of the served
// area on the leader, deleted on mirrors), reclone (every mirror swaps in a
// fresh clone atomically) and strip (changesets removed on the leader, the
// pushlog repaired, mirrors made to match). The commands wait until every
// mirror's consumer has applied the event.
// Thread-safety: one command at a time per repository.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace hgc {

int RepoDelete(const std::string& root, const std::string& name);
int RepoRetire(const std::string& root, const std::string& name);
int RepoReclone(const std::string& root, const std::vector<std::string>& names);
int RepoStrip(const std::string& root, const std::string& name,
              const std::vector<std::string>& revs);

// `hgcluster repo delete|retire|reclone|strip` under the existing `repo`.
void RegisterRepoLifecycleCommands(CLI::App& repo);

}  // namespace hgc
