// Lays out the SSH front door of a local cluster under ROOT/leader/ssh/:
// host key, sshd_config (loopback port, public keys only, keys and forced
// command from `hgcluster ssh-keys`), a client key for the default user,
// known_hosts, the read-only hg config pash adds for users who may not push,
// plus ROOT/leader/frontdoor.ini and ROOT/leader/users.ini. The supervisor
// runs `sshd -D -e -f ROOT/leader/ssh/sshd_config`.
// Thread-safety: process-level (writes files, runs ssh-keygen).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "layout/cluster_layout.h"

namespace hgc {

struct FrontdoorOptions {
  int port = 0;             // loopback port sshd listens on
  std::string ldap_url;     // empty: the users file only
  std::string ldap_basedn;  // empty: dc=mozilla
  std::string ldap_groups_basedn;
  // Non-empty: the replication account's directory (key, known_hosts), for
  // mirrors that pull over SSH; the account is added to the users file with
  // no group (it may read every repository and push to none).
  std::string replication_dir;
};

// The default account `hgcluster up` creates (key ROOT/leader/ssh/id_ed25519).
extern const char* const kDefaultSshUser;
// The account mirrors pull with (the reference's vcs-sync@mozilla.com); the
// leader serves it the unfiltered repository ([replication] unfiltereduser).
extern const char* const kReplicationSshUser;

// Idempotent: keeps keys and the users file, rewrites generated config.
// Returns the `leader.frontdoor` object of cluster.json; with a
// replication_dir it holds `replication` {user, key, known_hosts, ssh,
// pull_url_prefix}.
FrontdoorState SetupFrontdoor(const ClusterLayout& layout, const FrontdoorOptions& options);

// The hg config pash adds to HGRCPATH for users who may not push: hooks that
// refuse every transaction with $HGCLUSTER_PUSH_REFUSAL.
std::string ReadonlyHgrc();

// Where sshd is (/usr/sbin/sshd).
std::string SshdBinary();

}  // namespace hgc
