#include "bundles/bundles_config.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "common/error.h"
#include "common/ini.h"
#include "common/text.h"
#include "layout/cluster_layout.h"

namespace hgc {
namespace {}  // namespace

BundlesConfig BundlesConfig::Load(const std::string& path) {
  IniFile ini = IniFile::Load(path);
  const std::string s = "bundles";
  BundlesConfig c;
  auto abs = [](const std::string& p) {
    return p.empty() ? p : std::filesystem::absolute(p).lexically_normal().string();
  };
  c.repos_root = TrimTrailingSlashes(abs(ini.Require(s, "repos")));
  c.bundle_dir = TrimTrailingSlashes(abs(ini.Require(s, "bundle_dir")));
  c.base_url = TrimTrailingSlashes(ini.Require(s, "base_url"));
  c.leader_hgrc = abs(ini.GetOr(s, "leader_hgrc", ""));
  c.repos_file = abs(ini.GetOr(s, "repos_file", ""));
  c.hg = ini.GetOr(s, "hg", "hg");
  std::string threads = ini.GetOr(s, "threads", "4");
  try {
    c.threads = std::stoi(threads);
  } catch (const std::exception&) {
    c.threads = 0;
  }
  if (c.threads < 1) {
    throw Error(ErrorKind::kConfig,
                fmt::format("{}: [bundles] threads: '{}' is not an integer >= 1", path, threads));
  }
  c.s3_endpoint = TrimTrailingSlashes(ini.GetOr(s, "s3_endpoint", ""));
  c.s3_bucket = ini.GetOr(s, "s3_bucket", "");
  c.s3_region = ini.GetOr(s, "s3_region", "us-east-1");
  if (!c.s3_endpoint.empty() && c.s3_bucket.empty()) {
    throw Error(ErrorKind::kConfig,
                fmt::format("{}: [bundles] s3_bucket: required with s3_endpoint", path));
  }
  return c;
}

BundlesConfig BundlesConfig::ForCluster(const ClusterLayout& layout) {
  ClusterState state = layout.LoadState();
  BundlesConfig c;
  c.repos_root = layout.leader_repos();
  c.bundle_dir = layout.bundles_dir();
  c.leader_hgrc = layout.leader_hgrc();
  c.repos_file = layout.bundles_dir() + "/repos";
  if (state.mirrors.empty() || state.mirrors[0].http.empty()) {
    throw Error(ErrorKind::kNotFound,
                fmt::format("cluster at {} has no mirror web front to serve bundles", layout.root));
  }
  c.base_url = TrimTrailingSlashes(state.mirrors[0].http) + "/bundles";
  if (const char* single = std::getenv("SINGLE_THREADED"); single && *single) c.threads = 1;
  return c;
}

}  // namespace hgc
