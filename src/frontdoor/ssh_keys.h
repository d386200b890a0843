// `hgcluster ssh-keys`: public keys for sshd. Two forms:
//  * `ssh-keys USER` prints USER's keys one per line, like the reference's
//    ldap-lookup-ssh-key (hosting spec §4.1, same messages and exit codes);
//  * `ssh-keys --authorized-keys ACCOUNT` is sshd's AuthorizedKeysCommand:
//    every account's keys as authorized_keys lines whose forced command is
//    `hgcluster pash --user LOGIN`, so the key a client authenticates with
//    decides who it is, although everybody logs in as the one Unix ACCOUNT.
// Thread-safety: process-level.
#pragma once

#include <string>

#include "frontdoor/frontdoor_config.h"

namespace hgc {

int PrintUserKeys(const FrontdoorConfig& config, const std::string& user);

// `self`: the hgcluster binary sshd runs for pash.
int PrintAuthorizedKeys(const FrontdoorConfig& config, const std::string& account,
                        const std::string& self);

// A login usable in a forced command: [A-Za-z0-9@._+-]+.
bool SafeLogin(const std::string& login);

}  // namespace hgc
