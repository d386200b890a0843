#include "bundles/manifest.h"

#include <fmt/format.h>

#include <algorithm>

namespace hgc {

std::vector<std::string> ManifestLines(const std::string& repo,
                                       std::vector<GeneratedBundle> bundles,
                                       const ManifestTargets& targets) {
  std::stable_sort(bundles.begin(), bundles.end(),
                   [](const auto& a, const auto& b) { return a.type < b.type; });
  bool sni = targets.mirror_base_url.rfind("https://", 0) == 0;
  std::vector<std::string> lines;
  for (const auto& b : bundles) {
    lines.push_back(fmt::format("{}/{}/{} BUNDLESPEC={}{} cdn=true", targets.mirror_base_url, repo,
                                b.file, b.spec, sni ? " REQUIRESNI=true" : ""));
    if (!targets.s3_base_url.empty()) {
      lines.push_back(fmt::format("{}/{}/{} BUNDLESPEC={} ec2region={}", targets.s3_base_url, repo,
                                  b.file, b.spec, targets.s3_region));
    }
  }
  return lines;
}

std::string JoinManifest(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

}  // namespace hgc
