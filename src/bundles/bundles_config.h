// Where `hgcluster bundles` finds repositories and puts bundles: either the
// [bundles] section of an INI file (a production leader) or derived from a
// local cluster's layout (`--root`). Thread-safety: a plain value.
//
//   [bundles]
//   repos = /repo/hg/mozilla            ; leader repositories (required)
//   bundle_dir = /repo/hg/bundles       ; output directory (required)
//   base_url = https://hg.example/bundles  ; where mirrors serve bundle_dir (required)
//   leader_hgrc = /etc/hgcluster/leader.hgrc  ; replicatesync after writing ("" = skip)
//   repos_file = /repo/hg/bundles/repos ; default for -f
//   threads = 4
//   s3_endpoint = https://s3-us-west-2.amazonaws.com  ; uploads off when empty
//   s3_bucket = moz-hg-bundles-us-west-2
//   s3_region = us-west-2
#pragma once

#include <string>

namespace hgc {

struct ClusterLayout;

struct BundlesConfig {
  std::string repos_root;
  std::string bundle_dir;
  std::string base_url;  // no trailing slash
  std::string leader_hgrc;
  std::string repos_file;
  std::string hg = "hg";
  int threads = 4;
  std::string s3_endpoint;  // no trailing slash; "" = no uploads
  std::string s3_bucket;
  std::string s3_region;

  // Throws Error(kConfig) naming the file and key.
  static BundlesConfig Load(const std::string& path);
  // A local cluster: ROOT/leader/repos, ROOT/bundles, the first mirror's web
  // front at /bundles, ROOT/leader/hgrc. Throws Error(kNotFound) without one.
  static BundlesConfig ForCluster(const ClusterLayout& layout);
};

}  // namespace hgc
