// The lines of a repository's `.hg/clonebundles.manifest` (spec/hosting.md
// §3.2 step 6): per bundle type in manifest order, the mirrors' URL
// (`BUNDLESPEC=<spec> [REQUIRESNI=true] cdn=true`), then the S3 URL
// (`BUNDLESPEC=<spec> ec2region=<region>`) when uploads are configured.
// Joined by '\n' with no trailing newline, as the reference writes it.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "bundles/bundle_type.h"

namespace hgc {

struct GeneratedBundle {
  BundleType type;
  std::string file;  // "<tip>.<type>.hg"
  std::string spec;  // validated `hg debugbundle --spec`
  uint64_t size = 0;
};

struct ManifestTargets {
  std::string mirror_base_url;  // "http://mirror/bundles" (no trailing slash)
  std::string s3_base_url;      // "https://s3-us-west-2.amazonaws.com/<bucket>"; "" = none
  std::string s3_region;        // "us-west-2"
};

// `bundles` in any order; lines come out in manifest order.
std::vector<std::string> ManifestLines(const std::string& repo,
                                       std::vector<GeneratedBundle> bundles,
                                       const ManifestTargets& targets);

std::string JoinManifest(const std::vector<std::string>& lines);

}  // namespace hgc
