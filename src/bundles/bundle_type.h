// The clone bundle types hgcluster generates (spec/hosting.md §3.2 step 4):
// how hg makes each one, its file name and the BUNDLESPEC it must have.
// Manifest order is the enum order: zstd-max, zstd, gzip-v2, stream-v2.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "bundles/repo_spec.h"

namespace hgc {

enum class BundleType { kZstdMax, kZstd, kGzipV2, kStreamV2 };

// "zstd-max", "zstd", "gzip-v2", "stream-v2" (the file name part).
const char* BundleTypeName(BundleType type);

// The types a repo gets, in manifest order: gzip-v2 and stream-v2 always,
// zstd-max with the `zstd_max` attribute, else zstd.
std::vector<BundleType> BundleTypesFor(const RepoSpec& spec);

// hg arguments after `-R <repo>` that write the bundle to `out`.
std::vector<std::string> BundleHgArgs(BundleType type, const std::string& out);

// `<tip>.<type>.hg`
std::string BundleFileName(const std::string& tip, BundleType type);

// Checks `spec` (from `hg debugbundle --spec`) against what the type must
// produce; throws Error(kHgFailed) with the reference's message
// ("unexpected bundle spec for <path>: ..." / "unexpected requirements for
// <path>: {...}") otherwise.
void ValidateBundleSpec(BundleType type, const std::string& spec, const std::string& path);

}  // namespace hgc
