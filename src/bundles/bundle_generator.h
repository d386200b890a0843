// `hgcluster bundles generate`: the reference's generate-hg-s3-bundles
// (spec/hosting.md §3.2-3.3). Per repository: bundles of every type made by
// hg itself, optional S3 upload, `.hg/clonebundles.manifest` (previous one
// kept as `.old`) and `hg replicatesync` so mirrors get the manifest. Per
// run: bundles.json, index.html, lastrun. The first failure stops the run.
// Thread-safety: one generator per thread; bundle types of a repo are made
// concurrently inside GenerateRepo.
#pragma once

#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "bundles/bundle_index.h"
#include "bundles/bundles_config.h"
#include "bundles/repo_spec.h"
#include "common/subprocess.h"

namespace hgc {

class BundleGenerator {
 public:
  BundleGenerator(BundlesConfig config, bool upload, std::ostream& out);

  // Returns the repo's bundles by type name (empty for `copyfrom=` repos).
  // Throws Error on any failure (hg, validation, upload, replication).
  std::map<std::string, IndexedBundle> GenerateRepo(const RepoSpec& spec);

  // Every repo in order, then bundles.json, index.html (uploaded too unless
  // upload is off) and lastrun.
  void Run(const std::vector<RepoSpec>& specs);

 private:
  std::string RepoRoot(const std::string& repo) const;
  ProcessResult Hg(const std::string& root, const std::vector<std::string>& args) const;
  std::string HgChecked(const std::string& root, const std::vector<std::string>& args) const;
  void CopyFrom(const RepoSpec& spec);
  void Replicate(const std::string& root);
  void Print(const std::string& line);

  BundlesConfig config_;
  bool upload_;
  std::ostream& out_;
  std::mutex out_mu_;
};

// The runbook's "restore from backup": `.hg/clonebundles.manifest.old` over
// the manifest, then replicatesync. Throws Error(kNotFound) without a backup.
void RestoreOldManifest(const BundlesConfig& config, const std::string& repo, std::ostream& out);

}  // namespace hgc
