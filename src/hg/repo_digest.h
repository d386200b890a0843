// A cheap digest of what a repository serves, for a mirror to compare with
// the leader's at the same point of the replication log (`hgcluster
// verify`): the visible heads, the bookmarks, the non-public visible
// changesets (count and SHA-256 of their sorted nodes), the visible
// changeset count, the obsolescence marker count and the last push id.
// Computed natively from the changelog index, bookmarks, phase roots and
// obsstore: no hg process, milliseconds on large repositories.
// Thread-safety: pure functions of the files.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hgc {

// {"bookmarks": {name: hex}, "changesets": N, "drafts": N,
//  "drafts_sha256": hex, "heads": [hex, ...] (sorted), "last_push_id": N|null,
//  "obsmarkers": N}. Throws Error when the repository cannot be read.
nlohmann::json ComputeRepoDigest(const std::string& repo_root,
                                 std::optional<int64_t> last_push_id);

// What differs between the leader's digest and a mirror's, one line per
// field ("heads: leader has [..], mirror has [..]"); empty when they agree.
// `obsmarkers` is not compared: a mirror that never had a pruned changeset
// need not hold its marker. Fields the leader did not send are skipped
// (digests of a newer producer).
std::vector<std::string> CompareRepoDigests(const nlohmann::json& leader,
                                            const nlohmann::json& mirror);

}  // namespace hgc
