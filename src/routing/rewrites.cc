// Path and pull-URL rewrites (spec §2.4, §2.5). Thread-safety: pure functions.
#include "routing/rewrites.h"

#include <cctype>

namespace hgc {

std::optional<std::string> LeaderRootToWirePath(const RewriteRules& rules,
                                                const std::string& root) {
  // ASCII lower-casing keeps byte offsets, so the remainder can be cut from
  // the original-case root at the source's length.
  std::string lower = root;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [source, dest] : rules) {
    if (lower.starts_with(source)) return dest + root.substr(source.size());
  }
  return std::nullopt;
}

std::string WirePathToLocal(const RewriteRules& rules, const std::string& wire_path) {
  for (const auto& [source, dest] : rules) {
    if (wire_path.starts_with(source)) return dest + wire_path.substr(source.size());
  }
  return wire_path;
}

std::optional<std::string> WirePathToPullUrl(const RewriteRules& rules,
                                             const std::string& wire_path) {
  for (const auto& [source, dest] : rules) {
    if (wire_path.starts_with(source)) return dest + wire_path.substr(source.size());
  }
  return std::nullopt;
}

}  // namespace hgc
