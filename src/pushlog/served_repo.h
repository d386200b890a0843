// What the mirror's web front knows about one repository to answer pushlog
// queries without hg: its changelog (nodes, parents, changeset texts), which
// changesets are hidden, bookmarks, and the last push id that is fully
// replicated (.hg/replicated-data). Built once per change of the files it
// comes from; ServedRepoCache hands out the current one and rebuilds it when
// a stat of those files shows a change, so a request never sees data older
// than the files on disk at its start.
// Thread-safety: ServedRepo is immutable except for its internal caches,
// which are locked; ServedRepoCache is safe from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "hg/changeset.h"
#include "hg/repo_visibility.h"
#include "hg/revlog_index.h"

namespace hgc {

class ServedRepo {
 public:
  // `previous`, when given, is the same repository's older snapshot: parsed
  // changesets it cached are kept when the changelog only grew.
  static std::shared_ptr<const ServedRepo> Load(const std::string& root,
                                                const ServedRepo* previous = nullptr);

  const std::string& root() const { return root_; }
  const ChangelogIndex& index() const { return index_; }
  bool IsHidden(int rev) const { return visibility_.IsHidden(rev); }
  bool has_obsstore() const { return has_obsstore_; }
  const RepoVisibility& visibility() const { return visibility_; }
  // Highest visible revision, -1 for an empty repository.
  int visible_tip() const { return visible_tip_; }
  // From .hg/replicated-data; nullopt when the file is absent or has null.
  std::optional<int64_t> replicated_last_push_id() const { return replicated_last_push_id_; }
  bool has_replicated_data() const { return has_replicated_data_; }
  // Whether the mirror may show revision `rev`: an ancestor of the heads in
  // .hg/replicated-data (what the replicatedserved view keeps), or any
  // revision when that file is absent or empty. Hidden changesets count.
  bool IsServed(int rev) const {
    return served_.empty() || (rev >= 0 && rev < static_cast<int>(served_.size()) && served_[rev]);
  }
  // The repository's own .hg/hgrc value, "" when unset (the web API's
  // per-repository settings: [mozilla] treeherder_repo, ...).
  std::string RepoConfig(const std::string& section, const std::string& key) const;

  // Parsed changelog entry, cached. Throws Error on unreadable data.
  std::shared_ptr<const Changeset> ChangesetAt(int rev) const;
  // Every branch name in the repository (first call reads every changeset).
  bool HasBranch(const std::string& name) const;

  // A revision symbol as hg's revsymbol resolves it on the unfiltered repo:
  // "tip", "null", "." (the working directory's parent: null on a mirror
  // without a checkout), a revision number, a full or unique-prefix hex node, a
  // bookmark, a tag (local, or global from hg's cache: hg/tags_cache.h), a
  // branch name (its tip-most visible changeset). nullopt when unknown; -1
  // for null.
  std::optional<int> LookupSymbol(const std::string& symbol) const;
  // The tags of revision `rev` as hg's ctx.tags() lists them, sorted: "tip"
  // on the highest visible revision, then local and global tags naming it.
  std::vector<std::string> TagsAt(int rev) const;

 private:
  ServedRepo() = default;

  std::string root_;
  ChangelogIndex index_;
  RepoVisibility visibility_;
  bool has_obsstore_ = false;
  int visible_tip_ = -1;
  bool has_replicated_data_ = false;
  std::optional<int64_t> replicated_last_push_id_;
  std::vector<bool> served_;  // empty: every revision
  std::map<std::pair<std::string, std::string>, std::string> repo_config_;
  std::map<std::string, std::string> bookmarks_;
  // name -> hex node: global tags, local ones (.hg/localtags) over them.
  // Without a current cache of the global tags (hg/tags_cache.h) only
  // local tags and "tip" resolve, until the consumer refreshes it.
  std::map<std::string, std::string> tags_;
  // hex node -> its tag names, sorted: json-pushes asks for every changeset.
  std::unordered_map<std::string, std::vector<std::string>> tags_of_node_;
  int working_parent_ = -1;

  mutable std::shared_mutex mu_;
  mutable std::unordered_map<int, std::shared_ptr<const Changeset>> changesets_;
  mutable std::optional<std::map<std::string, int>> branch_tips_;
};

class ServedRepoCache {
 public:
  // The ServedRepo for the repository at `root` (absolute, containing .hg),
  // reloaded when its files changed since the cached copy was built.
  std::shared_ptr<const ServedRepo> Get(const std::string& root);

 private:
  struct Entry {
    std::mutex load_mu;  // one thread rebuilds; the others wait for it
    std::string signature;
    std::shared_ptr<const ServedRepo> repo;
  };
  std::shared_mutex mu_;  // guards entries_ and each entry's signature/repo
  std::unordered_map<std::string, std::unique_ptr<Entry>> entries_;
};

// Stat-based fingerprint of the files a ServedRepo is built from.
std::string ServedRepoSignature(const std::string& root);

}  // namespace hgc
