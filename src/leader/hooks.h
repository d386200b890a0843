// The leader's hg hooks, run by hg as external hooks (`hgcluster hook NAME`)
// with the repository root as working directory and hg's HG_* environment —
// or, the same code, inside the leader host's producer agent for the
// in-process hook extension (hgext/hgclusterhooks.py), which hands the agent
// that directory and environment instead of starting a process.
// Each returns the hook's exit status: non-zero vetoes the operation where hg
// allows it (pre-init, pretxnopen, pretxnclose, precommit).
//
// Transaction state between the separate hook processes lives in
// .hg/hgcluster-txn.json, written at pretxnopen (bookmarks and phase roots as
// they were) and read at txnclose to find what a pushkey-only transaction
// changed — this covers bundle2 pushes, which fire no pushkey hook for phases.
// Thread-safety: the HookContext form may run on several threads at once
// (one per hook); hooks of one repository are serialised by hg's lock.
#pragma once

#include <functional>
#include <ostream>
#include <string>

#include "log/log.h"

namespace hgc {

// Everything a hook reads from or writes to its surroundings.
struct HookContext {
  std::string cwd;  // hg's working directory for the hook (the repository root)
  std::function<std::string(const std::string&)> env;  // "" when unset
  std::ostream* out_stream = nullptr;
  std::ostream* err_stream = nullptr;
  // Inside the producer agent: its log, appended to directly. Null: the
  // Producer hands appends to the agent (agentsocket) or opens the log.
  Log* log = nullptr;
  // The account the pushlog falls back to when no user variable is set:
  // the hg process's user (the agent asks the kernel: SO_PEERCRED).
  std::string os_account;
  // The changegroup hook's push as an hg bundle (the hook extension builds
  // it when [replicationproducer] pushbundles is on); empty: none, mirrors
  // pull the push from the leader.
  std::string bundle;

  std::string Env(const std::string& name) const { return env ? env(name) : ""; }
  std::ostream& out() const { return *out_stream; }
  std::ostream& err() const { return *err_stream; }
};

int RunLeaderHook(const std::string& hook, const std::string& config_path, const HookContext& c);

// The login name of `uid` ("" when it has none).
std::string AccountName(unsigned uid);

// `hook` is one of: pretxnopen, pretxnclose, txnclose, changegroup,
// precommit, pre-init, post-init. `config_path` is the leader hgrc holding
// [replicationproducer]. This process's environment, working directory,
// stdout and stderr.
int RunLeaderHook(const std::string& hook, const std::string& config_path);

}  // namespace hgc
