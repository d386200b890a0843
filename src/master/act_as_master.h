// Operator commands run against a local cluster (`repo create`,
// `replicatesync`, `readonly`, ...) write as the cluster's current master
// host, so they keep working after a failover. This is where that choice is
// made, in the open: ClusterLayout::At itself changes nothing.
// Thread-safety: setenv; call from the main thread before starting others.
#pragma once

#include <string>

#include "layout/cluster_layout.h"

namespace hgc {

// Sets $HGCLUSTER_HOST (unless already set) for this process and the hg it
// runs to the host whose state file under layout.master_state_dir() holds
// the master role and whose monitor is alive. No such host: changes nothing.
void ActAsMasterHost(const ClusterLayout& layout);

// ClusterLayout::At(root_option), then ActAsMasterHost.
ClusterLayout ClusterLayoutAsMaster(const std::string& root_option);

}  // namespace hgc
