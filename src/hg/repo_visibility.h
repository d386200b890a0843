// Which changesets hg hides from a repository's default view, computed
// natively as mercurial/repoview.py computehidden (hg 6.3) does: obsolete
// non-public changesets and those in the archived/internal phases, minus
// those pinned by the working directory's parents, bookmarks, local tags and
// an interrupted merge's unresolved merge state, minus hidden ancestors of
// visible non-public changesets. Also the phases and the obsolescence
// predecessors the web front shows (json-pushes). Not modelled: visibility
// exceptions, a merge state only in the old v1 file. Unreadable data throws
// Error.
// Thread-safety: immutable value after Load().
#pragma once

#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "hg/revlog_index.h"

namespace hgc {

enum Phase : int {
  kPhasePublic = 0,
  kPhaseDraft = 1,
  kPhaseSecret = 2,
  kPhaseArchived = 32,
  kPhaseInternal = 96,
};

// The phase of every revision of `index` from phase roots (phase number ->
// root hex, as ReadPhaseRoots returns): the highest phase of a root it
// descends from, public when none. Roots unknown to `index` are ignored.
std::vector<int> RevisionPhases(const ChangelogIndex& index,
                                const std::map<int, std::set<std::string>>& roots);

// The nodes hg pins against hiding: working directory parents (.hg/dirstate,
// v1 or v2), bookmark targets, local tags and the local and other sides of a
// merge state with unresolved files (.hg/merge/state2), as revisions of
// `index` (unknown nodes are skipped), ascending and unique.
std::vector<int> PinnedRevs(const std::string& repo_root, const ChangelogIndex& index);

// The working directory's parents as hex (20 bytes each at the start of a
// v1 dirstate, 32-byte fields after the marker of a v2 docket); "" for a
// missing file or field. A repository without a checkout has the null node.
std::vector<std::string> DirstateParents(const std::string& repo_root);

class RepoVisibility {
 public:
  // Reads phase roots, .hg/store/obsstore and the pinning files of
  // `repo_root`; `index` must be that repository's changelog.
  static RepoVisibility Load(const std::string& repo_root, const ChangelogIndex& index);

  // What `hg log --hidden -r 'hidden()'` lists, ascending.
  const std::vector<int>& hidden_revs() const { return hidden_revs_; }
  bool IsHidden(int rev) const { return hidden_.at(static_cast<size_t>(rev)); }
  int phase(int rev) const { return phases_.at(static_cast<size_t>(rev)); }
  // Non-public and the precursor of some marker (obsolete.getrevs 'obsolete').
  bool IsObsolete(int rev) const { return obsolete_.at(static_cast<size_t>(rev)); }

  // Precursor hex nodes of the markers naming `hex` as a successor, unique,
  // in obsstore order (whether or not the precursors are in the repository).
  std::vector<std::string> Predecessors(const std::string& hex) const;

 private:
  std::vector<int> phases_;
  std::vector<bool> obsolete_;
  std::vector<bool> hidden_;
  std::vector<int> hidden_revs_;
  std::unordered_map<std::string, std::vector<std::string>> predecessors_;
};

}  // namespace hgc
