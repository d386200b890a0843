#include "bundles/manifest.h"

#include <gtest/gtest.h>

#include "bundles/bundle_index.h"

namespace hgc {
namespace {

const char* kStream =
    "none-v2;stream=v2;requirements%3Dgeneraldelta%2Crevlog-compression-zstd%2Crevlogv1%2C"
    "sparserevlog";

TEST(ManifestTest, LinesInManifestOrderWithAttributes) {
  std::vector<GeneratedBundle> b{{BundleType::kStreamV2, "t.stream-v2.hg", kStream, 3},
                                 {BundleType::kGzipV2, "t.gzip-v2.hg", "gzip-v2", 2},
                                 {BundleType::kZstd, "t.zstd.hg", "zstd-v2", 1}};
  auto lines = ManifestLines("integration/autoland", b, {"http://127.0.0.1:8000/bundles", "", ""});
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0],
            "http://127.0.0.1:8000/bundles/integration/autoland/t.zstd.hg BUNDLESPEC=zstd-v2 "
            "cdn=true");
  EXPECT_EQ(lines[1],
            "http://127.0.0.1:8000/bundles/integration/autoland/t.gzip-v2.hg BUNDLESPEC=gzip-v2 "
            "cdn=true");
  EXPECT_EQ(lines[2], std::string("http://127.0.0.1:8000/bundles/integration/autoland/"
                                  "t.stream-v2.hg BUNDLESPEC=") +
                          kStream + " cdn=true");
  EXPECT_EQ(JoinManifest({"a", "b"}), "a\nb");
}

TEST(ManifestTest, HttpsNeedsSniAndS3FollowsEachMirrorLine) {
  std::vector<GeneratedBundle> b{{BundleType::kZstdMax, "t.zstd-max.hg", "zstd-v2", 1}};
  auto lines = ManifestLines(
      "mozilla-central", b,
      {"https://hg.example/bundles", "https://s3-us-west-2.amazonaws.com/bkt", "us-west-2"});
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "https://hg.example/bundles/mozilla-central/t.zstd-max.hg BUNDLESPEC=zstd-v2 "
            "REQUIRESNI=true cdn=true");
  EXPECT_EQ(lines[1],
            "https://s3-us-west-2.amazonaws.com/bkt/mozilla-central/t.zstd-max.hg "
            "BUNDLESPEC=zstd-v2 ec2region=us-west-2");
}

TEST(BundleIndexTest, JsonAndHtml) {
  BundleIndex index;
  index["b"]["gzip-v2"] = {"b/t.gzip-v2.hg", 1234567};
  index["b"]["zstd"] = {"b/t.zstd.hg", 999};
  index["a"]["zstd"] = {"a/t.zstd.hg", 5};  // no gzip: not in the page
  EXPECT_EQ(RenderBundlesJson(index),
            "{\n    \"a\": {\n        \"zstd\": {\n            \"path\": \"a/t.zstd.hg\",\n"
            "            \"size\": 5\n        }\n    },\n    \"b\": {\n        \"gzip-v2\": {\n"
            "            \"path\": \"b/t.gzip-v2.hg\",\n            \"size\": 1234567\n        },\n"
            "        \"zstd\": {\n            \"path\": \"b/t.zstd.hg\",\n"
            "            \"size\": 999\n        }\n    }\n}");
  std::string html = RenderIndexHtml(index, std::chrono::system_clock::from_time_t(1700000000));
  EXPECT_NE(html.find("<a href=\"b/t.gzip-v2.hg\">1,234,567</a>"), std::string::npos) << html;
  EXPECT_NE(html.find("2023-11-14T22:13:20Z"), std::string::npos);
  EXPECT_EQ(html.find("<td>a</td>"), std::string::npos);
  EXPECT_EQ(WithThousands(0), "0");
  EXPECT_EQ(WithThousands(1000), "1,000");
  EXPECT_EQ(LastRunText(std::chrono::system_clock::from_time_t(1700000000) +
                        std::chrono::microseconds(5)),
            "2023-11-14T22:13:20.000005Z\n");
}

}  // namespace
}  // namespace hgc
