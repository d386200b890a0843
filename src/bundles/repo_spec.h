// One line of the bundle repo list (`/repo/hg/bundles/repos`, spec/hosting.md
// §3.1): `<relative repo path> [attr ...]`, attributes `key=value` or a bare
// flag. Known: `zstd_max` (flag) and `copyfrom=<repo>`.
// Thread-safety: plain values and pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace hgc {

struct RepoSpec {
  std::string repo;                          // "integration/autoland"
  std::map<std::string, std::string> attrs;  // flag -> "true"
  bool zstd_max() const { return attrs.count("zstd_max") > 0; }
  std::string copyfrom() const {
    auto it = attrs.find("copyfrom");
    return it == attrs.end() ? "" : it->second;
  }
};

// Throws Error(kUsage) for an empty spec, an absolute path or `..`.
RepoSpec ParseRepoSpec(const std::string& line);

// Every non-blank line not starting with '#'. Throws Error(kNotFound) when
// the file cannot be read.
std::vector<RepoSpec> ReadRepoSpecs(const std::string& path);

}  // namespace hgc
