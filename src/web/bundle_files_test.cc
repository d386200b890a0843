#include "web/bundle_files.h"

#include <gtest/gtest.h>

namespace hgc {
namespace {

TEST(BundleFilesTest, NamesFilesUnderThePrefix) {
  auto r = ResolveBundleFile("/srv/b", "/bundles/", "/bundles/mozilla-central/abc.zstd.hg");
  EXPECT_TRUE(r.matched);
  EXPECT_EQ(r.file, "/srv/b/mozilla-central/abc.zstd.hg");
  r = ResolveBundleFile("/srv/b", "/bundles/", "/bundles/integration/autoland/x.gzip-v2.hg");
  EXPECT_EQ(r.file, "/srv/b/integration/autoland/x.gzip-v2.hg");
  EXPECT_EQ(ResolveBundleFile("/srv/b", "/bundles/", "/bundles/").file, "/srv/b/index.html");
  EXPECT_EQ(ResolveBundleFile("/srv/b", "/bundles/", "/bundles").file, "/srv/b/index.html");
}

TEST(BundleFilesTest, OtherPathsAreNotMatched) {
  EXPECT_FALSE(ResolveBundleFile("/srv/b", "/bundles/", "/bundlesx/a").matched);
  EXPECT_FALSE(ResolveBundleFile("/srv/b", "/bundles/", "/repo/bundles/a").matched);
  EXPECT_FALSE(ResolveBundleFile("/srv/b", "/bundles/", "/").matched);
}

TEST(BundleFilesTest, RefusesEscapesHiddenAndUnfinishedFiles) {
  for (const char* p :
       {"/bundles/../etc/passwd", "/bundles/a/../../x", "/bundles/./x", "/bundles/.hidden",
        "/bundles/a//b", "/bundles/a/", "/bundles/r/t.zstd.hg.tmp"}) {
    auto r = ResolveBundleFile("/srv/b", "/bundles/", p);
    EXPECT_TRUE(r.matched) << p;
    EXPECT_EQ(r.file, "") << p;
  }
}

TEST(BundleFilesTest, ContentTypes) {
  EXPECT_STREQ(BundleContentType("/b/index.html"), "text/html; charset=utf-8");
  EXPECT_STREQ(BundleContentType("/b/bundles.json"), "application/json");
  EXPECT_STREQ(BundleContentType("/b/r/x.stream-v2.hg"), "application/octet-stream");
}

}  // namespace
}  // namespace hgc
