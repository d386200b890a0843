#include "bundles/bundle_type.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace hgc {
namespace {

TEST(BundleTypeTest, TypesFollowTheZstdMaxAttribute) {
  std::vector<BundleType> plain = BundleTypesFor(ParseRepoSpec("integration/autoland"));
  ASSERT_EQ(plain.size(), 3u);
  EXPECT_EQ(plain[0], BundleType::kZstd);
  EXPECT_EQ(plain[1], BundleType::kGzipV2);
  EXPECT_EQ(plain[2], BundleType::kStreamV2);
  EXPECT_EQ(BundleTypesFor(ParseRepoSpec("mozilla-central zstd_max"))[0], BundleType::kZstdMax);
  EXPECT_EQ(BundleFileName("abc", BundleType::kZstdMax), "abc.zstd-max.hg");
  EXPECT_EQ(BundleFileName("abc", BundleType::kStreamV2), "abc.stream-v2.hg");
}

TEST(BundleTypeTest, HgArgumentsAreTheReferences) {
  auto args = BundleHgArgs(BundleType::kStreamV2, "/o");
  EXPECT_EQ(args, (std::vector<std::string>{"bundle", "-a", "-t", "none-v2;stream=v2", "/o"}));
  args = BundleHgArgs(BundleType::kZstdMax, "/o");
  EXPECT_EQ(args[1], "experimental.bundlecomplevel=20");
  EXPECT_EQ(args.back(), "/o");
}

TEST(BundleTypeTest, ValidatesSpecs) {
  EXPECT_NO_THROW(ValidateBundleSpec(BundleType::kGzipV2, "gzip-v2", "/p"));
  EXPECT_NO_THROW(ValidateBundleSpec(BundleType::kZstdMax, "zstd-v2", "/p"));
  EXPECT_NO_THROW(ValidateBundleSpec(
      BundleType::kStreamV2,
      "none-v2;stream=v2;requirements%3Dgeneraldelta%2Crevlog-compression-zstd%2Crevlogv1%2C"
      "sparserevlog%2Cfncache",
      "/p"));
  try {
    ValidateBundleSpec(BundleType::kZstd, "gzip-v2", "/p/x.hg");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "unexpected bundle spec for /p/x.hg: gzip-v2");
  }
  try {
    ValidateBundleSpec(BundleType::kStreamV2,
                       "none-v2;stream=v2;requirements%3Dgeneraldelta%2Crevlogv2%2Ctreemanifest",
                       "/p/s.hg");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "unexpected requirements for /p/s.hg: {'revlogv2', 'treemanifest'}");
  }
  EXPECT_THROW(ValidateBundleSpec(BundleType::kStreamV2, "none-packed1;requirements%3D", "/p"),
               Error);
}

TEST(RepoSpecTest, ParsesAttributes) {
  RepoSpec s = ParseRepoSpec("projects/toolchains copyfrom=mozilla-central zstd_max");
  EXPECT_EQ(s.repo, "projects/toolchains");
  EXPECT_EQ(s.copyfrom(), "mozilla-central");
  EXPECT_TRUE(s.zstd_max());
  EXPECT_THROW(ParseRepoSpec("../etc"), Error);
  EXPECT_THROW(ParseRepoSpec("/abs"), Error);
  EXPECT_THROW(ParseRepoSpec("  "), Error);
}

}  // namespace
}  // namespace hgc
