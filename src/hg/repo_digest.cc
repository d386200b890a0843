#include "hg/repo_digest.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>

#include "common/error.h"
#include "hg/obsstore.h"
#include "hg/repo_state.h"
#include "hg/repo_visibility.h"
#include "hg/revlog_index.h"

namespace hgc {
namespace {

std::string Sha256Hex(const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr) != 1) {
    throw Error(ErrorKind::kIo, "SHA-256 failed (OpenSSL)");
  }
  return HexEncode(out, len);
}

std::string Shown(const nlohmann::json& value) {
  std::string s = value.dump();
  constexpr size_t kMax = 300;
  if (s.size() > kMax) s = s.substr(0, kMax) + "...";
  return s;
}

}  // namespace

nlohmann::json ComputeRepoDigest(const std::string& repo_root,
                                 std::optional<int64_t> last_push_id) {
  ChangelogIndex index = ChangelogIndex::Load(repo_root);
  RepoVisibility visibility = RepoVisibility::Load(repo_root, index);
  // The visible set is closed under ancestors (hg unhides the hidden
  // ancestors of visible changesets), so a visible head is a visible
  // changeset without a visible child.
  std::vector<bool> has_visible_child(static_cast<size_t>(index.size()), false);
  int64_t changesets = 0;
  std::vector<std::string> drafts;
  for (int rev = 0; rev < index.size(); ++rev) {
    if (visibility.IsHidden(rev)) continue;
    ++changesets;
    const auto& e = index.at(rev);
    for (int p : {e.p1, e.p2}) {
      if (p >= 0) has_visible_child[static_cast<size_t>(p)] = true;
    }
    if (visibility.phase(rev) != kPhasePublic) drafts.push_back(index.NodeHex(rev));
  }
  std::vector<std::string> heads;
  for (int rev = 0; rev < index.size(); ++rev) {
    if (!visibility.IsHidden(rev) && !has_visible_child[static_cast<size_t>(rev)]) {
      heads.push_back(index.NodeHex(rev));
    }
  }
  std::sort(heads.begin(), heads.end());
  std::sort(drafts.begin(), drafts.end());
  std::string joined;
  for (const auto& d : drafts) joined += d + "\n";
  nlohmann::json bookmarks = nlohmann::json::object();
  for (const auto& [name, node] : ReadBookmarks(repo_root)) bookmarks[name] = node;
  return {{"bookmarks", bookmarks},
          {"changesets", changesets},
          {"drafts", static_cast<int64_t>(drafts.size())},
          {"drafts_sha256", Sha256Hex(joined)},
          {"heads", heads},
          {"last_push_id", last_push_id ? nlohmann::json(*last_push_id) : nlohmann::json(nullptr)},
          {"obsmarkers", static_cast<int64_t>(ReadObsStore(repo_root).size())}};
}

std::vector<std::string> CompareRepoDigests(const nlohmann::json& leader,
                                            const nlohmann::json& mirror) {
  std::vector<std::string> differences;
  for (const char* field :
       {"heads", "bookmarks", "changesets", "drafts", "drafts_sha256", "last_push_id"}) {
    if (!leader.contains(field)) continue;
    nlohmann::json ours = mirror.contains(field) ? mirror.at(field) : nlohmann::json(nullptr);
    if (leader.at(field) != ours) {
      differences.push_back(fmt::format("{}: leader has {}, mirror has {}", field,
                                        Shown(leader.at(field)), Shown(ours)));
    }
  }
  return differences;
}

}  // namespace hgc
