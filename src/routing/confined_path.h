// Where a repository named by someone else (a log message, an operator's
// argument) lives on this host — and a refusal when that place is not
// inside one of this host's repos roots. Every consumer of the log (mirror
// consumer, heads consumer, notifiers, bootstrap) maps a message's `path`
// through ConfineWirePath before touching the filesystem, so a message with
// `{moz}/../../etc` or `/etc` cannot create, write or delete anything outside
// the roots its [path_rewrites] name.
// Thread-safety: pure functions; SymlinkBelow and ConfineWirePath lstat(2).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "routing/rewrites.h"

namespace hgc {

struct ConfinedRepoPath {
  std::string root;      // the matched rule's value, without a trailing '/'
  std::string relative;  // clean segments joined by '/', e.g. "integration/autoland"
  std::string local;     // root + '/' + relative
};

// The longest repository path below a root, in bytes.
inline constexpr size_t kMaxRelativeRepoPathBytes = 1024;

// What is wrong with `relative` as a repository's path below a root, or
// nullopt when it is acceptable: one or more non-empty segments joined by
// '/', none "." or "..", none starting with '.' (`.hg`, our staging
// directories), no control characters or NUL, at most 1,024 bytes.
std::optional<std::string> RelativeRepoPathProblem(std::string_view relative);

// The first component of root/relative below `root` that is a symbolic
// link (as a path), or nullopt. Components that do not exist end the walk.
std::optional<std::string> SymlinkBelow(const std::string& root, std::string_view relative);

// Maps a wire path through the first [path_rewrites] rule whose key is a
// prefix of it and checks that the result stays inside that rule's root:
// the remainder must start at a '/' (or the key end with one), be a clean
// relative path (RelativeRepoPathProblem) and, unless `allow_symlinks`, pass
// through no symbolic link below the root. A path that matches no rule is
// refused too. Throws Error(kRefused) with a message naming the path, the
// rule and what was wrong.
ConfinedRepoPath ConfineWirePath(const RewriteRules& rules, const std::string& wire_path,
                                 bool allow_symlinks);

}  // namespace hgc
