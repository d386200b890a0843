// Keeps a local cluster's daemons running: starts a consumer and a heads
// consumer per mirror and the two aggregator stages on the leader, restarts any that exits with a backoff (1 s doubling to 30 s), and on
// SIGTERM/SIGINT stops them (SIGTERM, then SIGKILL after 60 s) and returns.
// Thread-safety: process-level; one supervisor per cluster root.
#pragma once

#include "cluster/layout.h"

namespace hgc {

int Supervise(const ClusterLayout& layout);

}  // namespace hgc
