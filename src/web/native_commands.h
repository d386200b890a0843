// The native commands `hgcluster web` serves, registered in one place.
// Thread-safety: call before the server starts (see common/repo_command.h).
#pragma once

#include "common/repo_command.h"

namespace hgc {

// json-pushes, pushlog, atom-pushlog, pushloghtml and hgcluster-repo.
void RegisterNativeRepoCommands(RepoCommands& commands);

}  // namespace hgc
