// The hg extensions hgcluster ships (hgext/*.py), embedded in the binary at
// build time: replicatedserved (the mirrors' view of what every mirror has),
// hgclusterhooks (the leader's hooks run by the producer agent instead of a
// process per hook), hgclusterserve (how the leader serves the mirrors'
// pulls: fresh state per wire command, the unfiltered repository for the
// replication account), hgclusterpull (the mirrors' warm connections to
// the leader) and hgclusterweb (hg.mozilla.org's push data and changeset
// fields in the mirrors' hgweb pages).
#pragma once

namespace hgc {

const char* ReplicatedServedExtensionSource();
const char* HooksExtensionSource();
const char* ServeExtensionSource();
const char* PullExtensionSource();
const char* WebExtensionSource();

}  // namespace hgc
