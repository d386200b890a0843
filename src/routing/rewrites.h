// Path and URL rewrites between leader paths, wire paths, mirror paths and
// pull URLs (spec/replication.md §2.4, §2.5). Rules are (key, value) pairs in
// file order. Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hgc {

using RewriteRules = std::vector<std::pair<std::string, std::string>>;

// Leader: local repo root -> wire path ([replicationpathrewrites]). The root
// is lower-cased for matching, the remainder keeps its case. nullopt when no
// rule matches.
std::optional<std::string> LeaderRootToWirePath(const RewriteRules& rules, const std::string& root);

// Mirror: wire path -> local path ([path_rewrites]). First rule whose key is
// a prefix of the wire path; the key is replaced at the start only (the
// reference replaces every occurrence — a bug we fix). No match: verbatim.
std::string WirePathToLocal(const RewriteRules& rules, const std::string& wire_path);

// Mirror: wire path -> pull URL ([pull_url_rewrites]); value + remainder.
// nullopt when nothing matches (pull from the repo's "default").
std::optional<std::string> WirePathToPullUrl(const RewriteRules& rules,
                                             const std::string& wire_path);

}  // namespace hgc
