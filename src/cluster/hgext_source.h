// The hg extensions hgcluster ships (hgext/*.py), embedded in the binary at
// build time: replicatedserved (the mirrors' view of what every mirror has)
// and hgclusterhooks (the leader's hooks run by the producer agent instead
// of a process per hook).
#pragma once

namespace hgc {

const char* ReplicatedServedExtensionSource();
const char* HooksExtensionSource();

}  // namespace hgc
