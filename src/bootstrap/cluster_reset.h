// The runbook's "Kafka Nuclear Option" on a local cluster as one command
// (`hgcluster bootstrap cluster`): leader read-only, daemons stopped, the log
// wiped and its topics recreated, each mirror's repositories moved aside and
// re-bootstrapped from the leader (hgssh.h, hgweb.h), daemons restarted,
// leader writable again. Nothing is deleted: the old log and the old mirror
// repositories are kept next to the new ones.
// Thread-safety: one run per cluster root at a time.
#pragma once

#include <string>

namespace hgc {

struct ClusterResetOptions {
  std::string root;  // cluster directory ($HGCLUSTER_ROOT / cwd when empty)
  int workers = 0;   // repositories bootstrapped at once (0: one per CPU)
  // Kafka: hgcluster cannot wipe brokers. The operator does (runbook steps
  // 1-6) and says so with this flag; the topics must then be empty.
  bool log_already_wiped = false;
  std::string reason = "the replication log is being reset; pushes are disabled for maintenance";
};

// Prints progress on stdout; returns the exit status (0 done, 1 failed with
// what to do printed on stderr).
int ResetClusterLog(const ClusterResetOptions& options);

}  // namespace hgc
