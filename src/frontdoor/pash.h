// `hgcluster pash`: the command sshd runs for every login (the reference's
// pash, hosting spec §4.3-4.6). It checks the account, then serves exactly
// one of: `hg -R <repo> serve --stdio` (push/pull, exec'd with the leader's
// hg config; users outside the repository's owning group get a config whose
// hooks refuse any transaction), `repo-group`, `repo-config`, user
// repositories (`clone NAME SOURCE`, `edit NAME delete YES`), or the banner
// when no command is given. Everything else is refused with the reference's
// messages and exit codes.
// Thread-safety: process-level (changes the environment, may exec).
#pragma once

#include <optional>
#include <string>

#include "frontdoor/frontdoor_config.h"

namespace hgc {

// `command`: SSH_ORIGINAL_COMMAND, nullopt when the client gave none.
// Returns the exit code, or does not return (exec of hg).
int RunPash(const FrontdoorConfig& config, const std::string& user,
            const std::optional<std::string>& command);

// The group report printed on a login without a command (§4.4).
std::string GroupReport(const std::vector<std::string>& groups);

}  // namespace hgc
