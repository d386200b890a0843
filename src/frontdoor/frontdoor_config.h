// The SSH front door's configuration, ROOT/leader/frontdoor.ini, written by
// `hgcluster up` and read by `hgcluster pash` and `hgcluster ssh-keys` (the
// commands sshd runs). Format in docs/operations.md, "SSH front door".
// Thread-safety: immutable after Load.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "frontdoor/account.h"
#include "frontdoor/ldap_directory.h"

namespace hgc {

struct FrontdoorConfig {
  std::string path;
  std::string repos;                          // leader repositories; pash names are relative to it
  std::string hgrcpath;                       // HGRCPATH for hg serve (the leader's hooks)
  std::string readonly_hgrc;                  // appended to HGRCPATH for users who may not push
  std::string hostname;                       // shown in messages (the reference's cname)
  std::string users_file;                     // UsersFile; empty: none
  std::string account;                        // the one Unix account everybody logs in as
  std::string default_group = "scm_level_3";  // owner of repos that name none
  bool repo_group = true;
  bool repo_config = true;
  bool user_repos = true;         // users/<login>/NAME (non-interactive forms only)
  std::string leader_hgrc;        // for replicatesync/hgrc/delete of user repos
  std::string session_log;        // pash_wrapper-style start/end lines; empty: none
  std::vector<std::string> bots;  // may set AUTOLAND_REQUEST_USER
  std::optional<LdapSettings> ldap;

  // Throws Error(kConfig) when the file is missing or lacks `repos`.
  static FrontdoorConfig Load(const std::string& path);
  // Users file first, then LDAP.
  std::unique_ptr<AccountDirectory> Directory() const;
};

// The reference's ten landing-bot accounts (hosting spec §1.2).
std::vector<std::string> DefaultBotAccounts();

}  // namespace hgc
