// Who may push to a leader repository: members of its owning group. The
// owning group is `[hgcluster] group = NAME` in the repository's .hg/hgrc
// (written by `hgcluster repo create --group`), else the Unix group of the
// repository directory as in the reference (hosting spec §4.8), unless that
// is gid 0 (nobody chose one): then the front door's `default_group`.
// Thread-safety: pure functions over the filesystem.
#pragma once

#include <string>

#include "frontdoor/account.h"

namespace hgc {

std::string RepoOwningGroup(const std::string& repo_path, const std::string& default_group);

// `[hgcluster] owner = LOGIN` (user repositories) also grants write access.
// Empty when `account` may push to the repository at `repo_path` (shown to
// users as `name`), else the refusal hg prints as `remote: ...`.
std::string PushRefusal(const Account& account, const std::string& repo_path,
                        const std::string& name, const std::string& default_group);

}  // namespace hgc
