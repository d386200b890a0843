#include "pushlog/served_repo.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>

#include "common/error.h"
#include "common/ini.h"
#include "hg/replicated_data.h"
#include "hg/repo_state.h"
#include "hg/tags_cache.h"

namespace hgc {
namespace {

void AppendStat(std::string& sig, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    sig += "-|";
    return;
  }
  sig += std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + "|";
}

bool IsHex(const std::string& s) {
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return !s.empty();
}

std::string LowerHex(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Ancestors of `heads` (inclusive), as the replicatedserved view keeps them;
// heads the changelog does not have are skipped, as the view skips them.
std::vector<bool> ServedRevisions(const ChangelogIndex& index,
                                  const std::vector<std::string>& heads) {
  std::vector<bool> served(static_cast<size_t>(index.size()), false);
  for (const std::string& head : heads) {
    if (auto rev = index.RevOf(head)) served[static_cast<size_t>(*rev)] = true;
  }
  for (int r = index.tip_rev(); r >= 0; --r) {
    if (!served[static_cast<size_t>(r)]) continue;
    const auto& e = index.at(r);
    if (e.p1 >= 0) served[static_cast<size_t>(e.p1)] = true;
    if (e.p2 >= 0) served[static_cast<size_t>(e.p2)] = true;
  }
  return served;
}

}  // namespace

std::string ServedRepo::RepoConfig(const std::string& section, const std::string& key) const {
  auto it = repo_config_.find({section, key});
  return it == repo_config_.end() ? "" : it->second;
}

std::string ServedRepoSignature(const std::string& root) {
  std::string sig;
  for (const char* f :
       {"/.hg/store/00changelog.i", "/.hg/store/00changelog.d", "/.hg/store/obsstore",
        "/.hg/store/phaseroots", "/.hg/bookmarks", "/.hg/localtags", "/.hg/dirstate",
        "/.hg/replicated-data", "/.hg/hgrc", "/.hg/cache/tags2-visible"}) {
    AppendStat(sig, root + f);
  }
  return sig;
}

std::shared_ptr<const ServedRepo> ServedRepo::Load(const std::string& root,
                                                   const ServedRepo* previous) {
  std::shared_ptr<ServedRepo> repo(new ServedRepo());
  repo->root_ = root;
  repo->index_ = ChangelogIndex::Load(root);
  if (previous) {
    // Revisions are stable while the changelog only grows (no strip).
    const ChangelogIndex& old = previous->index_;
    int old_tip = old.tip_rev();
    if (old_tip >= 0 && old_tip <= repo->index_.tip_rev() &&
        old.at(old_tip).node == repo->index_.at(old_tip).node) {
      std::shared_lock lock(previous->mu_);
      repo->changesets_ = previous->changesets_;
    }
  }
  repo->visibility_ = RepoVisibility::Load(root, repo->index_);
  std::error_code ec;
  auto obs_size = std::filesystem::file_size(root + "/.hg/store/obsstore", ec);
  repo->has_obsstore_ = !ec && obs_size > 0;
  for (int r = repo->index_.tip_rev(); r >= 0; --r) {
    if (!repo->visibility_.IsHidden(r)) {
      repo->visible_tip_ = r;
      break;
    }
  }
  std::string replicated = ReadFileOrEmpty(root + "/.hg/replicated-data");
  if (std::filesystem::exists(root + "/.hg/replicated-data")) {
    repo->has_replicated_data_ = true;
    if (!replicated.empty()) {
      ReplicatedData data = DecodeReplicatedData(replicated);
      repo->replicated_last_push_id_ = data.last_push_id;
      repo->served_ = ServedRevisions(repo->index_, data.heads);
    }
  }
  try {
    IniFile hgrc = IniFile::Parse(ReadFileOrEmpty(root + "/.hg/hgrc"), root + "/.hg/hgrc");
    for (const std::string& section : hgrc.SectionNames()) {
      for (auto& [key, value] : hgrc.Items(section)) repo->repo_config_[{section, key}] = value;
    }
  } catch (const Error&) {
    // An hgrc hg itself cannot read: the settings keep their defaults.
  }
  repo->bookmarks_ = ReadBookmarks(root);
  std::string parent = DirstateParents(root)[0];
  if (auto rev = parent.empty() ? std::nullopt : repo->index_.RevOf(parent)) {
    repo->working_parent_ = *rev;
  }
  std::optional<std::map<std::string, std::string>> global;
  try {
    global = ReadGlobalTags(root, repo->index_, repo->visibility_);
  } catch (const Error&) {
    // Unknown, as when hg's cache is stale.
  }
  if (global) repo->tags_ = std::move(*global);
  for (auto& [name, hex] : ReadLocalTags(root)) {
    repo->tags_[name] = hex;
  }
  // Names in order (tags_ is sorted), so each node's list is sorted too.
  for (const auto& [name, hex] : repo->tags_) repo->tags_of_node_[hex].push_back(name);
  return repo;
}

std::shared_ptr<const Changeset> ServedRepo::ChangesetAt(int rev) const {
  {
    std::shared_lock lock(mu_);
    auto it = changesets_.find(rev);
    if (it != changesets_.end()) return it->second;
  }
  auto cs = std::make_shared<const Changeset>(ParseChangeset(index_.RevisionText(rev)));
  std::unique_lock lock(mu_);
  changesets_.emplace(rev, cs);
  return cs;
}

bool ServedRepo::HasBranch(const std::string& name) const {
  {
    std::shared_lock lock(mu_);
    if (branch_tips_) return branch_tips_->count(name) > 0;
  }
  std::map<std::string, int> tips;
  for (int r = 0; r <= index_.tip_rev(); ++r) {
    std::string branch = ChangesetAt(r)->branch();
    if (!visibility_.IsHidden(r) || !tips.count(branch)) tips[branch] = r;
  }
  std::unique_lock lock(mu_);
  if (!branch_tips_) branch_tips_ = std::move(tips);
  return branch_tips_->count(name) > 0;
}

std::optional<int> ServedRepo::LookupSymbol(const std::string& symbol) const {
  if (symbol == "tip") return visible_tip_;
  if (symbol == "null") return -1;
  if (symbol == ".") return working_parent_;
  if (!symbol.empty() && symbol.size() < 12 &&
      std::all_of(symbol.begin(), symbol.end(), [](char c) { return std::isdigit(c); })) {
    long rev = std::stol(symbol);
    if (std::to_string(rev) == symbol && rev <= index_.tip_rev()) return static_cast<int>(rev);
  }
  if (symbol.size() == 40 && IsHex(symbol)) {
    if (auto rev = index_.RevOf(LowerHex(symbol))) return rev;
  }
  if (auto it = bookmarks_.find(symbol); it != bookmarks_.end()) return index_.RevOf(it->second);
  if (auto it = tags_.find(symbol); it != tags_.end()) return index_.RevOf(it->second);
  if (HasBranch(symbol)) {
    std::shared_lock lock(mu_);
    return branch_tips_->at(symbol);
  }
  if (symbol.size() < 40 && IsHex(symbol)) {
    std::string prefix = LowerHex(symbol);
    std::optional<int> found;
    for (int r = 0; r <= index_.tip_rev(); ++r) {
      if (index_.NodeHex(r).compare(0, prefix.size(), prefix) == 0) {
        if (found) return std::nullopt;  // ambiguous
        found = r;
      }
    }
    return found;
  }
  return std::nullopt;
}

std::vector<std::string> ServedRepo::TagsAt(int rev) const {
  std::vector<std::string> tags;
  if (rev < 0 || rev > index_.tip_rev()) return tags;
  if (rev == visible_tip_) tags.emplace_back("tip");
  if (auto it = tags_of_node_.find(index_.NodeHex(rev)); it != tags_of_node_.end()) {
    tags.insert(tags.end(), it->second.begin(), it->second.end());
  }
  std::sort(tags.begin(), tags.end());
  return tags;
}

std::shared_ptr<const ServedRepo> ServedRepoCache::Get(const std::string& root) {
  std::string sig = ServedRepoSignature(root);
  Entry* entry = nullptr;
  {
    std::shared_lock lock(mu_);
    auto it = entries_.find(root);
    if (it != entries_.end()) {
      if (it->second->signature == sig) return it->second->repo;
      entry = it->second.get();
    }
  }
  if (!entry) {
    std::unique_lock lock(mu_);
    auto& slot = entries_[root];
    if (!slot) slot = std::make_unique<Entry>();
    entry = slot.get();
  }
  std::lock_guard<std::mutex> loading(entry->load_mu);
  std::shared_ptr<const ServedRepo> previous;
  {
    std::shared_lock lock(mu_);
    if (entry->signature == sig && entry->repo) return entry->repo;
    previous = entry->repo;
  }
  auto repo = ServedRepo::Load(root, previous.get());
  std::unique_lock lock(mu_);
  entry->signature = sig;
  entry->repo = repo;
  return repo;
}

}  // namespace hgc
