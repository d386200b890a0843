// The leader's hg hooks, run by hg as external hooks (`hgcluster hook NAME`)
// with the repository root as working directory and hg's HG_* environment.
// Each returns the hook's exit status: non-zero vetoes the operation where hg
// allows it (pre-init, pretxnopen, pretxnclose, precommit).
//
// Transaction state between the separate hook processes lives in
// .hg/hgcluster-txn.json, written at pretxnopen (bookmarks and phase roots as
// they were) and read at txnclose to find what a pushkey-only transaction
// changed — this covers bundle2 pushes, which fire no pushkey hook for phases.
// Thread-safety: process-level functions.
#pragma once

#include <string>

namespace hgc {

// `hook` is one of: pretxnopen, pretxnclose, txnclose, changegroup,
// precommit, pre-init, post-init. `config_path` is the leader hgrc holding
// [replicationproducer].
int RunLeaderHook(const std::string& hook, const std::string& config_path);

}  // namespace hgc
