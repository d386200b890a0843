#include "hg/repo_visibility.h"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <unordered_set>

#include "common/error.h"
#include "hg/obsstore.h"
#include "hg/repo_state.h"
#include "hg/tags_cache.h"

namespace hgc {
namespace {

constexpr std::string_view kDirstateV2Marker = "dirstate-v2\n";
constexpr size_t kDirstateV2NodeField = 32;  // nodes are padded to 32 bytes

std::string NodeHexAt(const std::string& data, size_t pos) {
  if (data.size() < pos + 20) return "";
  return HexEncode(reinterpret_cast<const uint8_t*>(data.data()) + pos, 20);
}

}  // namespace

std::vector<std::string> DirstateParents(const std::string& repo_root) {
  std::string data = ReadFileOrEmpty(repo_root + "/.hg/dirstate");
  if (data.compare(0, kDirstateV2Marker.size(), kDirstateV2Marker) == 0) {
    size_t p1 = kDirstateV2Marker.size();
    return {NodeHexAt(data, p1), NodeHexAt(data, p1 + kDirstateV2NodeField)};
  }
  return {NodeHexAt(data, 0), NodeHexAt(data, 20)};
}

namespace {

// mergestate.read on .hg/merge/state2 (records: type byte, big-endian
// length, data): the local and other nodes of a merge, graft or rebase
// interrupted with unresolved files, which hg pins (the other side is often
// not a working directory parent).
std::vector<std::string> UnresolvedMergeNodes(const std::string& repo_root) {
  std::string data = ReadFileOrEmpty(repo_root + "/.hg/merge/state2");
  std::vector<std::string> nodes;
  bool unresolved = false;
  size_t pos = 0;
  while (data.size() - pos >= 5) {
    char type = data[pos];
    const auto* len = reinterpret_cast<const unsigned char*>(data.data() + pos + 1);
    size_t size = (size_t{len[0]} << 24) | (size_t{len[1]} << 16) | (size_t{len[2]} << 8) | len[3];
    pos += 5;
    if (data.size() - pos < size) break;  // truncated: hg would not trust it either
    std::string record = data.substr(pos, size);
    pos += size;
    if (type == 'L' || type == 'O') {
      nodes.push_back(record);
    } else if (type == 'F' || type == 'C' || type == 'P' || type == 'D' || type == 'R') {
      size_t nul = record.find('\0');
      if (nul == std::string::npos) continue;
      std::string state = record.substr(nul + 1, record.find('\0', nul + 1) - nul - 1);
      unresolved = unresolved || state == "u" || state == "pu";
    }
  }
  if (!unresolved) return {};
  return nodes;
}

}  // namespace

std::vector<int> RevisionPhases(const ChangelogIndex& index,
                                const std::map<int, std::set<std::string>>& roots) {
  std::vector<int> phases(static_cast<size_t>(index.size()), kPhasePublic);
  for (const auto& [phase, nodes] : roots) {
    for (const auto& hex : nodes) {
      if (auto rev = index.RevOf(hex)) {
        phases[static_cast<size_t>(*rev)] = std::max(phases[static_cast<size_t>(*rev)], phase);
      }
    }
  }
  // Parents come before children, so one ascending pass propagates phases.
  for (int r = 0; r < index.size(); ++r) {
    int& p = phases[static_cast<size_t>(r)];
    const auto& e = index.at(r);
    if (e.p1 >= 0) p = std::max(p, phases[static_cast<size_t>(e.p1)]);
    if (e.p2 >= 0) p = std::max(p, phases[static_cast<size_t>(e.p2)]);
  }
  return phases;
}

std::vector<int> PinnedRevs(const std::string& repo_root, const ChangelogIndex& index) {
  std::vector<std::string> nodes = DirstateParents(repo_root);
  for (const auto& [name, node] : ReadBookmarks(repo_root)) nodes.push_back(node);
  for (const auto& [name, node] : ReadLocalTags(repo_root)) nodes.push_back(node);
  for (const auto& node : UnresolvedMergeNodes(repo_root)) nodes.push_back(node);
  std::set<int> revs;
  for (const auto& node : nodes) {
    if (auto rev = index.RevOf(node)) revs.insert(*rev);
  }
  return {revs.begin(), revs.end()};
}

RepoVisibility RepoVisibility::Load(const std::string& repo_root, const ChangelogIndex& index) {
  RepoVisibility v;
  auto n = static_cast<size_t>(index.size());
  v.phases_ = RevisionPhases(index, ReadPhaseRoots(repo_root));
  v.obsolete_.assign(n, false);
  v.hidden_.assign(n, false);

  std::vector<ObsMarker> markers = ReadObsStore(repo_root);
  std::unordered_set<std::string> precursors;
  for (const auto& m : markers) {
    precursors.insert(m.precursor);
    for (const auto& s : m.successors) {
      auto& list = v.predecessors_[s];
      if (std::find(list.begin(), list.end(), m.precursor) == list.end()) {
        list.push_back(m.precursor);
      }
    }
  }

  bool any_hideable = false;
  for (size_t r = 0; r < n; ++r) {
    if (v.phases_[r] == kPhasePublic) continue;
    v.obsolete_[r] = precursors.count(index.NodeHex(static_cast<int>(r))) > 0;
    v.hidden_[r] = v.obsolete_[r] || v.phases_[r] >= kPhaseArchived;
    any_hideable = any_hideable || v.hidden_[r];
  }
  if (!any_hideable) return v;

  for (int rev : PinnedRevs(repo_root, index)) v.hidden_[static_cast<size_t>(rev)] = false;
  // repoview._revealancestors: hidden ancestors of visible mutable
  // changesets stay visible.
  std::vector<int> stack;
  for (size_t r = 0; r < n; ++r) {
    if (v.phases_[r] != kPhasePublic && !v.hidden_[r]) stack.push_back(static_cast<int>(r));
  }
  while (!stack.empty()) {
    const auto& e = index.at(stack.back());
    stack.pop_back();
    for (int p : {e.p1, e.p2}) {
      if (p >= 0 && v.hidden_[static_cast<size_t>(p)]) {
        v.hidden_[static_cast<size_t>(p)] = false;
        stack.push_back(p);
      }
    }
  }
  for (size_t r = 0; r < n; ++r) {
    if (v.hidden_[r]) v.hidden_revs_.push_back(static_cast<int>(r));
  }
  return v;
}

std::vector<std::string> RepoVisibility::Predecessors(const std::string& hex) const {
  auto it = predecessors_.find(hex);
  if (it == predecessors_.end()) return {};
  return it->second;
}

}  // namespace hgc
