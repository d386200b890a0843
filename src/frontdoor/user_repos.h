// User repositories, REPOS/users/<login with @ as _>/<name> (hosting spec
// §4.7), in their non-interactive forms: `clone NAME SOURCE` (hg init + pull
// with the leader's config, so mirrors get it; then non-publishing, owned by
// the user and scm_level_1) and `edit NAME delete YES` (replicatedelete).
// The interactive menus are in user_repo_menu.h.
// Thread-safety: process-level (runs hg and hgcluster).
#pragma once

#include <string>

#include "frontdoor/frontdoor_config.h"

namespace hgc {

int UserRepoClone(const FrontdoorConfig& config, const std::string& user, const std::string& name,
                  const std::string& source);
// `hg init` of an empty user repository (replicated by the leader's hooks),
// then owner/group and non-publishing as for a clone.
int UserRepoCreateEmpty(const FrontdoorConfig& config, const std::string& user,
                        const std::string& name);
// `header`: print the "Editing repo ..." line first (the menu prints it itself).
int UserRepoDelete(const FrontdoorConfig& config, const std::string& user, const std::string& name,
                   bool header = true);

// `hg replicatesync` / `replicatehgrc` / `replicatedelete` (`what` = sync,
// hgrc, delete) on the leader; output discarded and failures ignored, as the
// reference does. Nothing without a leader config.
void ReplicateUserRepo(const FrontdoorConfig& config, const std::string& repo,
                       const std::string& what);

// alice@example.com -> alice_example.com
std::string UserRepoDir(const std::string& user);

}  // namespace hgc
