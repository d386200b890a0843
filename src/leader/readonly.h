// Read-only repositories (spec/hosting.md §4.9): `<repo>/.hg/readonlyreason`
// freezes one repository, the leader's global reason file (`[readonly]
// globalreasonfile` in the leader hgrc) freezes all of them. The leader's
// `prechangegroup.readonly` and `prepushkey.readonly` hooks refuse with the
// reference's words; `hgcluster readonly` sets and clears the files.
// Thread-safety: pure functions over the filesystem.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hgc {

// The lines to show the pusher when the repository at `repo_root` is
// read-only (`what` = "add changesets" or "update bookmarks"), nullopt when
// writes are allowed. The per-repository file wins over the global one.
// Throws Error(kIo) when a reason file exists but cannot be read.
std::optional<std::vector<std::string>> ReadOnlyRefusal(const std::string& repo_root,
                                                        const std::string& global_reason_file,
                                                        const std::string& what);

void RegisterReadonlyCommand(CLI::App& app);

}  // namespace hgc
