#include "bundles/bundle_type.h"

#include <fmt/format.h>

#include <set>

#include "common/error.h"

namespace hgc {

const char* BundleTypeName(BundleType type) {
  switch (type) {
    case BundleType::kZstdMax:
      return "zstd-max";
    case BundleType::kZstd:
      return "zstd";
    case BundleType::kGzipV2:
      return "gzip-v2";
    case BundleType::kStreamV2:
      return "stream-v2";
  }
  return "?";
}

std::vector<BundleType> BundleTypesFor(const RepoSpec& spec) {
  return {spec.zstd_max() ? BundleType::kZstdMax : BundleType::kZstd, BundleType::kGzipV2,
          BundleType::kStreamV2};
}

std::vector<std::string> BundleHgArgs(BundleType type, const std::string& out) {
  switch (type) {
    case BundleType::kZstdMax:
      return {"--config", "experimental.bundlecomplevel=20",
              "--config", "experimental.bundlecompthreads=4",
              "bundle",   "-a",
              "-t",       "zstd-v2",
              out};
    case BundleType::kZstd:
      return {"bundle", "-a", "-t", "zstd-v2", out};
    case BundleType::kGzipV2:
      return {"bundle", "-a", "-t", "gzip-v2", out};
    case BundleType::kStreamV2:
      return {"bundle", "-a", "-t", "none-v2;stream=v2", out};
  }
  return {};
}

std::string BundleFileName(const std::string& tip, BundleType type) {
  return fmt::format("{}.{}.hg", tip, BundleTypeName(type));
}

void ValidateBundleSpec(BundleType type, const std::string& spec, const std::string& path) {
  if (type != BundleType::kStreamV2) {
    std::string expected = type == BundleType::kGzipV2 ? "gzip-v2" : "zstd-v2";
    if (spec != expected) {
      throw Error(ErrorKind::kHgFailed,
                  fmt::format("unexpected bundle spec for {}: {}", path, spec));
    }
    return;
  }
  const std::string prefix = "none-v2;stream=v2;requirements%3D";
  if (spec.rfind(prefix, 0) != 0) {
    throw Error(ErrorKind::kHgFailed, fmt::format("unexpected bundle spec for {}: {}", path, spec));
  }
  static const std::set<std::string> kIgnored{"dotencode", "fncache", "store"};
  static const std::set<std::string> kAllowed{"generaldelta", "revlog-compression-zstd", "revlogv1",
                                              "sparserevlog"};
  std::string reqs = spec.substr(prefix.size());
  std::set<std::string> unexpected;
  for (size_t start = 0; start <= reqs.size();) {
    size_t sep = reqs.find("%2C", start);
    std::string req =
        reqs.substr(start, sep == std::string::npos ? std::string::npos : sep - start);
    if (!kIgnored.count(req) && !kAllowed.count(req)) unexpected.insert(req);
    if (sep == std::string::npos) break;
    start = sep + 3;
  }
  if (!unexpected.empty()) {
    std::string list;
    for (const auto& r : unexpected) list += (list.empty() ? "'" : ", '") + r + "'";
    throw Error(ErrorKind::kHgFailed,
                fmt::format("unexpected requirements for {}: {{{}}}", path, list));
  }
}

}  // namespace hgc
