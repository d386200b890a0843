// What the leader needs to know about one of its repositories, read without
// starting hg, and the per-repository config that wires it into replication.
// Thread-safety: pure functions over the filesystem.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hg/revlog_index.h"

namespace hgc {

struct RepoSnapshot {
  ChangelogIndex index;
  std::vector<std::string> heads_desc;    // heads, descending revision; [NULL] if empty
  std::optional<int64_t> last_push_id;    // from .hg/pushlog2.db; nullopt without one
  std::vector<std::string> requirements;  // sorted, .hg/requires + .hg/store/requires
};

RepoSnapshot SnapshotRepo(const std::string& root);

// Heads of the changelog, newest revision first (hg-heads-1's order; obsolete
// heads included: SnapshotRepo asks hg to leave them out when markers exist).
std::vector<std::string> HeadsNewestFirst(const ChangelogIndex& index);
// Heads at revision `first` or above — the ones a changegroup starting at
// `first` added — oldest first (hg-changegroup-2's `heads`).
std::vector<std::string> HeadsFrom(const ChangelogIndex& index, int first);

// Writes .hg/hgrc-not-shared: an %include of the leader hgrc (hooks) and the
// replicate* aliases bound to this repository's root. hgrc-not-shared is
// read by hg for every repo but never replicated, unlike .hg/hgrc.
void InstallLeaderRepoConfig(const std::string& root, const std::string& leader_hgrc);

}  // namespace hgc
