// Keeps a local cluster's daemons running: a consumer, a heads consumer and
// an hg web server per mirror, and the two aggregator stages on the leader.
// Restarts any that exits (backoff 1 s doubling to 30 s); on SIGTERM/SIGINT
// stops them (SIGTERM, then SIGKILL after 60 s) and returns.
// Thread-safety: process-level; one supervisor per cluster root.
#pragma once

#include "cluster/layout.h"

namespace hgc {

int Supervise(const ClusterLayout& layout);

}  // namespace hgc
