// A seeded fault campaign on a real local cluster (issue "nothing lost,
// nothing stuck"): repositories created and deleted, pushes of changesets,
// named and closed branches, bookmarks created, moved twice and deleted,
// phases published, amends (obsolescence markers), hgrc changes, all from
// several clients at once; and, at seeded moments while those run, the
// cluster's daemons SIGKILLed (mirror consumers, heads consumers,
// aggregators, the webhook notifier, the leader's producer agent), a
// mirror's consumer frozen for a while, the log unavailable (the embedded
// log held under an exclusive lock for 3 s, within its 10 s busy timeout,
// or for 12 s, beyond it: pushes are refused and retried), hg slow on one
// repository of one mirror (a hook sleeps 4 s before each changegroup it
// applies there, for a batch), or the last
// mirror's disk full (its repositories on a 64 MB tmpfs, filled for a batch;
// only when the campaign may mount, i.e. as root). Then, faults stopped: every mirror must converge, and for every repository heads,
// bookmarks, phases, branches, pushlog rows and hgrc must equal the leader's;
// the aggregated stream (`replicatedpushdata`) and the webhook target must
// hold every push exactly once, in order per repository; nothing parked; and
// `hg replicateverify` must find every mirror equal.
//
// The seed fixes the sequence of operations and faults (which repository,
// what kind, which daemon, after which operation); the interleaving of the
// concurrent clients with each other and with the daemons is the machine's.
// A failing seed is rerun with HGCLUSTER_CHAOS_SEED=<seed> (same standard
// library: std::shuffle and the distributions are the implementation's).
// Used by tests/chaos_e2e_test.cc (a short run in CI) and bench/chaos (long).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace hgc::test {

struct ChaosOptions {
  uint64_t seed = 1;
  int repos = 4;         // repositories at the start (more may be created)
  int steps = 20;        // batches of concurrent client operations
  int concurrency = 3;   // operations per batch, each on its own repository
  int faults = 6;        // faults injected, at seeded batches
  int mirrors = 2;
  std::chrono::seconds converge_timeout{180};
};

struct ChaosReport {
  uint64_t seed = 0;
  int repos_live = 0;
  int repos_deleted = 0;
  int operations = 0;
  int pushes = 0;             // client pushes that succeeded (after retries)
  int push_retries = 0;       // pushes and operator commands a fault refused, then rerun
  int leader_pushes = 0;      // pushlog rows on the leader, live repositories
  std::map<std::string, int> ops;     // operations by kind
  std::map<std::string, int> faults;  // faults by kind
  int64_t converge_ms = -1;   // from the last fault's end to every check passing
  int64_t settle_ms = -1;     // from the last client operation to every check passing
  int parked = 0;
  int redelivered = 0;        // webhook requests repeated with a delivery id already seen
  std::vector<std::string> differences;  // empty = every check passed
  std::string Summary() const;
};

ChaosReport RunChaos(const ChaosOptions& options, std::ostream& progress);

}  // namespace hgc::test
