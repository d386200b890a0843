// A repository's tags read natively: its local tags (.hg/localtags) and its
// global tags (.hgtags) from hg's own cache of them, .hg/cache/tags2-visible, which
// mercurial/tags.py (_writetagcache) writes whenever hg computes the tags of the default view: a
// first line
// "<highest rev> <hex node of the highest visible rev> [<hex filtered hash>]",
// then "<hex node> <name>" lines, sorted by name, the tag's earlier nodes
// first and its current node last; a tag hg deleted points at the null node.
// The cache is used only when that first line matches the repository exactly
// as hg checks it (_readtagcache), so what the web front resolves is what hg
// would; a missing or stale cache is "unknown", never a guess. Mirrors keep
// it fresh: their consumer asks hg for the tags after every event that can
// change them (consumer/applier.cc).
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hg/repo_visibility.h"
#include "hg/revlog_index.h"

namespace hgc {

struct TagsCache {
  int tip_rev = -1;
  std::string tip_node;       // 40 hex digits
  std::string filtered_hash;  // 40 hex digits, "" when the line has none
  // name -> hex node of the tag's current target; deleted tags left out.
  std::map<std::string, std::string> tags;
};

// .hg/localtags as hg reads it (tags._readtaghist): "<hex> <name>" lines,
// the name trimmed, the last line of a name wins; other lines are skipped.
// name -> hex node.
std::map<std::string, std::string> ReadLocalTags(const std::string& repo_root);

// Parses a tags2-* file. Throws Error(kMalformed) naming the line.
TagsCache ParseTagsCache(std::string_view text);

// hg's scmutil.filteredhash: hex SHA-1 of "<rev>;" for every filtered
// revision up to `max_rev`, ascending; "" when there is none.
std::string FilteredRevsHash(const std::vector<int>& filtered_revs, int max_rev);

// Whether the repository's store holds a .hgtags file log at all (with or
// without the dotencode store encoding). Without one there are no global tags.
bool HasTagsFileLog(const std::string& repo_root);

// The global tags of the repository at `repo_root` (name -> hex node), from
// a tags2-visible cache that is valid for `index` and `visibility`; an empty
// map when the store has no .hgtags file log; nullopt when the cache is
// missing, stale or damaged (ask hg).
std::optional<std::map<std::string, std::string>> ReadGlobalTags(const std::string& repo_root,
                                                                 const ChangelogIndex& index,
                                                                 const RepoVisibility& visibility);

}  // namespace hgc
