// `hgcluster readonly-hook`: the reference's `readonly` extension (hosting
// spec §4.9) as an hg shell hook of the leader (prechangegroup.readonly,
// prepushkey.readonly). A repository with .hg/readonlyreason, or every
// repository while the global reason file exists, refuses changesets and
// pushkey updates (bookmarks, phases, obsolete) with the reason.
// Thread-safety: process-level.
#pragma once

#include <string>

namespace hgc {

// `repo_root`: the repository hg runs the hook in; `hook_type` and
// `pushkey_namespace` from HG_HOOKTYPE / HG_NAMESPACE. Prints the refusal on
// stderr and returns 1, or returns 0.
int RunReadonlyHook(const std::string& repo_root, const std::string& global_reason_file,
                    const std::string& hook_type, const std::string& pushkey_namespace);

}  // namespace hgc
