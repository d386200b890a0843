// The pushlog's native web commands for the mirror's web front:
// json-pushes (and `pushes` with style=json), pushlog / atom-pushlog and
// pushloghtml, answered from .hg/pushlog2.db and the changelog without hg.
// Only fully replicated pushes are shown. Read-only: a repository without a
// pushlog database answers as one with no pushes and never gets the file.
// Thread-safety: the registered handlers are called concurrently; each
// thread keeps its own SQLite connections, the repository cache is shared.
#pragma once

#include "common/repo_command.h"

namespace hgc {

void RegisterPushlogCommands(RepoCommands& commands);

}  // namespace hgc
