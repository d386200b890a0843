// hg.mozilla.org's own web API, answered natively on every mirror from the
// changelog and .hg/pushlog2.db (spec/hosting.md §7), as Firefox CI calls it:
//   json-automationrelevance/REV[?backouts=1]  the changesets of REV's push up
//       to REV, each with push data, bugs, reviewers, backouts (taskgraph's
//       and mozci's "what changed", the Taskcluster decision task)
//   json-pushchangedfiles/REV  the sorted union of their files
//   json-isancestor?head=H&node=N, json-repoinfo
// Bodies are the reference's templates byte for byte (hg's json filter).
// Only what this mirror serves (.hg/replicated-data) can be named or shown.
// Per-repository settings come from the repository's .hg/hgrc, as hgweb
// reads them: [mozilla] treeherder_repo, git_repo_url; [hgmo]
// automationrelevantdraftancestors, backoutsearchlimit, convertsource.
// Thread-safety: the handlers may run concurrently (see web_handles.h).
#pragma once

#include "common/repo_command.h"

namespace hgc {

void RegisterHgmoCommands(RepoCommands& commands);

}  // namespace hgc
