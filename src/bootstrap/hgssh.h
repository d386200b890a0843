// The leader's half of bootstrapping a mirror (spec/replication.md §3.10,
// `vcsreplicator-bootstrap-hgssh`): note the end offset of every partition,
// write a `bootstrap: true` hg-repo-sync-2 for every leader repository (N at
// a time), note the end offsets again. The result names, per partition, the
// range [start, end) that holds the syncs and whatever was pushed meanwhile;
// the mirror's half (hgweb.h) reads exactly that range.
// Thread-safety: one call at a time per process is enough; it runs its own
// worker threads.
#pragma once

#include <string>
#include <vector>

#include "bootstrap/hgssh_document.h"

namespace hgc {

struct HgsshBootstrapOptions {
  std::string leader_hgrc;  // [replicationproducer], [replicationpathrewrites]
  // Where the leader's repositories are; empty: the first
  // [replicationpathrewrites] source that is a directory.
  std::string repos_root;
  int workers = 0;     // 0: one per CPU
  std::string output;  // also write the document here when not empty
};

// Every directory under `root` holding `.hg` (nested repositories too),
// sorted; `.hg` directories and symlinks are not descended into.
std::vector<std::string> FindRepositories(const std::string& root);

// Runs the procedure and returns the document (bootstrap/hgssh_document.h).
// Log lines go to stderr. Throws Error: kNotFound when the topic has no
// partitions, kHgFailed/kLogUnavailable ("error triggering replication of
// Mercurial repo ...") when a sync cannot be written.
HgsshDocument BootstrapHgssh(const HgsshBootstrapOptions& options);

}  // namespace hgc
