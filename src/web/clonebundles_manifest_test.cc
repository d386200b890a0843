#include "web/clonebundles_manifest.h"

#include <gtest/gtest.h>

namespace hgc {
namespace {

TEST(CloneBundlesManifestTest, URLsUnderTheGeneratorsBaseMoveToThisMirror) {
  const std::string manifest =
      "http://m1:8001/bundles/repo/abc.zstd.hg BUNDLESPEC=zstd-v2 cdn=true\n"
      "https://s3.example/bucket/repo/abc.zstd.hg BUNDLESPEC=zstd-v2 ec2region=us-west-2\n"
      "http://m1:8001/bundlesX/repo/abc.gzip-v2.hg BUNDLESPEC=gzip-v2\n"
      "http://m1:8001/bundles/repo/abc.stream-v2.hg BUNDLESPEC=none-v2;stream=v2";
  EXPECT_EQ(
      RebaseCloneBundlesManifest(manifest, "http://m1:8001/bundles", "http://m2:8002/bundles"),
      "http://m2:8002/bundles/repo/abc.zstd.hg BUNDLESPEC=zstd-v2 cdn=true\n"
      "https://s3.example/bucket/repo/abc.zstd.hg BUNDLESPEC=zstd-v2 ec2region=us-west-2\n"
      "http://m1:8001/bundlesX/repo/abc.gzip-v2.hg BUNDLESPEC=gzip-v2\n"
      "http://m2:8002/bundles/repo/abc.stream-v2.hg BUNDLESPEC=none-v2;stream=v2");
  // A trailing newline, an empty manifest and no base are kept as they are.
  EXPECT_EQ(RebaseCloneBundlesManifest("http://a/b/x.hg A=1\n", "http://a/b", "http://c"),
            "http://c/x.hg A=1\n");
  EXPECT_EQ(RebaseCloneBundlesManifest("", "http://a/b", "http://c"), "");
  EXPECT_EQ(RebaseCloneBundlesManifest("http://a/b/x.hg\n", "", "http://c"), "http://a/b/x.hg\n");
}

TEST(CloneBundlesManifestTest, BothNamesOfTheWireCommand) {
  EXPECT_TRUE(IsCloneBundlesCommand("clonebundles"));
  EXPECT_TRUE(IsCloneBundlesCommand("clonebundles_manifest"));
  EXPECT_FALSE(IsCloneBundlesCommand("capabilities"));
  EXPECT_FALSE(IsCloneBundlesCommand(""));
}

}  // namespace
}  // namespace hgc
