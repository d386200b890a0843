#include "web/clonebundles_manifest.h"

namespace hgc {

bool IsCloneBundlesCommand(std::string_view cmd) {
  return cmd == "clonebundles" || cmd == "clonebundles_manifest";
}

std::string RebaseCloneBundlesManifest(const std::string& manifest, std::string_view from,
                                       std::string_view to) {
  if (from.empty()) return manifest;
  std::string prefix = std::string(from) + "/";
  std::string out;
  out.reserve(manifest.size());
  size_t at = 0;
  while (at <= manifest.size()) {
    size_t end = manifest.find('\n', at);
    std::string_view line(manifest.data() + at,
                          (end == std::string::npos ? manifest.size() : end) - at);
    if (line.starts_with(prefix)) {
      out += to;
      out += '/';
      out += line.substr(prefix.size());
    } else {
      out += line;
    }
    if (end == std::string::npos) break;
    out += '\n';
    at = end + 1;
  }
  return out;
}

}  // namespace hgc
