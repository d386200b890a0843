// Operator commands of the leader, the reference's hg commands
// (spec/replication.md §1.6): replicatesync, replicatehgrc, replicatedelete
// and sendheartbeat, with the reference's output lines. Reachable as
// `hgcluster replicate ...` and as hg aliases in every leader repository.
// Thread-safety: process-level functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hgc {

struct ReplicateOptions {
  std::string config_path;  // leader hgrc
  std::string repo;         // repo root (not needed for heartbeat)
  bool bootstrap = false;
  bool heads = true;
  bool all = false;  // verify: every repository under the leader's replicated roots
  // verify --all: search these directories instead of the [replicationpathrewrites]
  // prefixes (which the INI reader lower-cases).
  std::vector<std::string> under;
};

int ReplicateSync(const ReplicateOptions& options);
// The hg-repo-sync-2 message for the leader repository at `root`: heads,
// requirements, hgrc and the whole pushlog.
nlohmann::json MakeSyncOf(const std::string& root, const std::string& wire, bool bootstrap);
// try-replicatesync.service: ReplicateSync up to `attempts` times, printing
// "`replicatesync` called successfully." or, per failed attempt,
// "`replicatesync` failed on attempt <n>, trying again." (n from 0) and the
// error; exits 0 even when every attempt failed, as the reference does (its
// timer runs again in 15 minutes).
int ReplicateSyncRetry(const ReplicateOptions& options, int attempts);
int ReplicateHgrc(const ReplicateOptions& options);
int ReplicateDelete(const ReplicateOptions& options);
// Sends hg-repo-verify-1 (our extension): the repository's digest
// (hg/repo_digest.h); each mirror compares its copy when it reaches the
// event, records the verdict and re-clones a copy that differs.
// With `all`, one event per repository found under the leader roots of
// [replicationpathrewrites] (the periodic verify of `up`'s master timer);
// a repository that cannot be digested is named and skipped, exit 1.
int ReplicateVerify(const ReplicateOptions& options);
int SendHeartbeat(const ReplicateOptions& options);

}  // namespace hgc
