// Keeps a local cluster's daemons running: a consumer, a heads consumer and
// an hg web front per mirror, sshd, and per leader host its producer agent
// and master monitor
// (which runs the aggregators, notifiers and timers while its host is master).
// Restarts any that exits (DaemonSet: backoff 1 s doubling to 30 s); on SIGTERM/SIGINT
// stops them (SIGTERM, then SIGKILL after 60 s) and returns.
// Thread-safety: process-level; one supervisor per cluster root.
#pragma once

#include "layout/cluster_layout.h"

namespace hgc {

int Supervise(const ClusterLayout& layout);

}  // namespace hgc
