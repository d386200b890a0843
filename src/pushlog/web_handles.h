// What the native web commands of this folder share in one process (the
// mirror's web front): one cache of ServedRepo snapshots and, per thread,
// one open pushlog connection per repository.
// Thread-safety: both are safe from any thread; the connection returned by
// ThreadPushlogDb belongs to the calling thread.
#pragma once

#include <string>

#include "pushlog/pushlog_db.h"
#include "pushlog/served_repo.h"

namespace hgc {

ServedRepoCache& SharedServedRepos();

// This thread's read-only connection to the repository's pushlog, reopened
// when the file was replaced (repository deleted and recreated); nullptr
// when the repository has none.
PushlogDb* ThreadPushlogDb(const std::string& repo_root);

}  // namespace hgc
