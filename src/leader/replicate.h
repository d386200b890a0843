// Operator commands of the leader, the reference's hg commands
// (spec/replication.md §1.6): replicatesync, replicatehgrc, replicatedelete
// and sendheartbeat, with the reference's output lines. Reachable as
// `hgcluster replicate ...` and as hg aliases in every leader repository.
// Thread-safety: process-level functions.
#pragma once

#include <string>

namespace hgc {

struct ReplicateOptions {
  std::string config_path;  // leader hgrc
  std::string repo;         // repo root (not needed for heartbeat)
  bool bootstrap = false;
  bool heads = true;
};

int ReplicateSync(const ReplicateOptions& options);
int ReplicateHgrc(const ReplicateOptions& options);
int ReplicateDelete(const ReplicateOptions& options);
int SendHeartbeat(const ReplicateOptions& options);

}  // namespace hgc
