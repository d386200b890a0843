// The replicatedserved hg extension (hgext/replicatedserved.py), embedded in
// the binary at build time.
#pragma once

namespace hgc {

const char* ReplicatedServedExtensionSource();

}  // namespace hgc
