// A mirror's half of bootstrapping (spec/replication.md §3.10,
// `vcsreplicator-bootstrap-hgweb`): from the leader's hgssh document, read
// each partition's range [start, end), clone every listed repository the
// mirror's filter keeps (stream clone of the leader, else init + pull), apply
// its bootstrap sync like an ordinary sync (hgrc, heads, the whole pushlog,
// applied-offset marker), then the events that followed it in the range
// through the ordinary Applier, and finally commit `end` for every partition
// so the mirror's consumer carries on from there. Deviations from the
// reference are listed in docs/operations.md ("Bootstrap").
// Thread-safety: one call per mirror at a time; it runs its own workers.
#pragma once

#include <string>

namespace hgc {

struct HgwebBootstrapOptions {
  std::string consumer_config;  // the mirror's consumer ini ([consumer], rewrites, filter)
  std::string hgssh_document;   // file written by `bootstrap hgssh`
  int workers = 0;              // 0: one per CPU
  // How long to wait for a range's messages to be readable before failing.
  double timeout_seconds = 300;
  // Where the audit ({"<wire path>": [problems]}) goes; empty: next to the
  // consumer ini, hgweb_bootstrap_out.json.
  std::string audit_output;
};

// Returns 0 when every repository was bootstrapped (filtered ones are listed
// in the audit file but are not failures), 1 otherwise; offsets are
// committed only on 0, so running it again after fixing the cause resumes.
// Log lines go to stdout. Throws Error for unusable input (kConfig,
// kMalformed, kLogUnavailable when a range cannot be read in time).
int BootstrapHgweb(const HgwebBootstrapOptions& options);

}  // namespace hgc
