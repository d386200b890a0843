// BundleGenerator on a real hg repository with uploads to a local S3-like
// receiver: what is PUT (signed), the manifest's S3 lines, the run-level
// files, and the credential error. No cluster (leader_hgrc empty: no
// replicatesync).
#include "bundles/bundle_generator.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <sstream>

#include "common/error.h"
#include "hg/repo_state.h"
#include "notify/test_http_receiver.h"
#include "notify/test_sigv4_verify.h"
#include "test_support.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;

const SigV4Credentials kCreds{"AKIDBUNDLES", "bundle-secret"};

struct Env {
  Env() {
    setenv("AWS_ACCESS_KEY_ID", kCreds.access_key_id.c_str(), 1);
    setenv("AWS_SECRET_ACCESS_KEY", kCreds.secret_access_key.c_str(), 1);
  }
  ~Env() {
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
  }
};

BundlesConfig MakeRepo(const test::ScratchDir& dir, const std::string& s3) {
  std::string repo = dir / "repos/mozilla-central";
  fs::create_directories(repo);
  auto hg = [](const std::string& args) {
    return test::Sh("hg " + args, {{"HGRCPATH", ""}, {"HGUSER", "t"}, {"HGPLAIN", "1"}});
  };
  EXPECT_TRUE(hg("init " + repo).ok());
  EXPECT_TRUE(hg("-R " + repo + " debugbuilddag --new-file +4").ok());
  BundlesConfig c;
  c.repos_root = dir / "repos";
  c.bundle_dir = dir / "bundles";
  c.base_url = "https://hg.example/bundles";
  c.s3_endpoint = s3;
  c.s3_bucket = "moz-hg-bundles-us-west-2";
  c.s3_region = "us-west-2";
  return c;
}

TEST(BundleGeneratorTest, UploadsSignedObjectsAndAdvertisesThem) {
  test::ScratchDir dir;
  test::TestHttpReceiver s3;
  Env env;
  BundlesConfig c = MakeRepo(dir, s3.url());
  std::ostringstream out;
  BundleGenerator(c, /*upload=*/true, out).Run({ParseRepoSpec("mozilla-central zstd_max")});
  auto puts = s3.accepted();
  ASSERT_EQ(puts.size(), 5u) << out.str();  // 3 bundles, index.html, bundles.json
  EXPECT_TRUE(fs::exists(c.bundle_dir + "/lastrun"));
  for (const auto& r : puts) {
    EXPECT_EQ(r.method, "PUT");
    EXPECT_EQ(test::VerifySigV4(r, kCreds, "us-west-2", "s3"), "") << r.target;
  }
  EXPECT_EQ(puts[3].target, "/moz-hg-bundles-us-west-2/index.html");
  EXPECT_EQ(puts[3].Header("Cache-Control"), "max-age=60");
  EXPECT_EQ(puts[4].target, "/moz-hg-bundles-us-west-2/bundles.json");
  std::string manifest =
      ReadFileOrEmpty(c.repos_root + "/mozilla-central/.hg/clonebundles.manifest");
  std::vector<std::string> lines;
  std::istringstream in(manifest);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 6u) << manifest;
  EXPECT_NE(lines[0].find(".zstd-max.hg BUNDLESPEC=zstd-v2 REQUIRESNI=true cdn=true"),
            std::string::npos)
      << lines[0];
  EXPECT_EQ(lines[1].rfind(s3.url() + "/moz-hg-bundles-us-west-2/mozilla-central/", 0), 0u);
  EXPECT_NE(lines[1].find(".zstd-max.hg BUNDLESPEC=zstd-v2 ec2region=us-west-2"),
            std::string::npos);
  EXPECT_NE(lines[5].find(".stream-v2.hg BUNDLESPEC=none-v2;stream=v2;"), std::string::npos);
  // Each uploaded body is the bundle file.
  std::string key = puts[0].target.substr(std::string("/moz-hg-bundles-us-west-2/").size());
  EXPECT_EQ(puts[0].body, ReadFileOrEmpty(c.bundle_dir + "/" + key));
  EXPECT_NE(out.str().find("uploading moz-hg-bundles-us-west-2:" + key + " completed"),
            std::string::npos)
      << out.str();
}

TEST(BundleGeneratorTest, NoCredentialsStopsBeforeTheManifest) {
  test::ScratchDir dir;
  test::TestHttpReceiver s3;
  BundlesConfig c = MakeRepo(dir, s3.url());
  unsetenv("AWS_ACCESS_KEY_ID");
  std::ostringstream out;
  try {
    BundleGenerator(c, true, out).Run({ParseRepoSpec("mozilla-central")});
    FAIL() << "expected NoCredentialsError";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "NoCredentialsError: Unable to locate credentials");
  }
  EXPECT_FALSE(fs::exists(c.repos_root + "/mozilla-central/.hg/clonebundles.manifest"));
  EXPECT_FALSE(fs::exists(c.bundle_dir + "/lastrun"));
  EXPECT_TRUE(s3.requests().empty());
}

TEST(BundleGeneratorTest, NoUploadSecondRunKeepsOldAndReusesBundles) {
  test::ScratchDir dir;
  BundlesConfig c = MakeRepo(dir, "");
  std::ostringstream first, second;
  BundleGenerator(c, false, first).Run({ParseRepoSpec("mozilla-central")});
  std::string m = c.repos_root + "/mozilla-central/.hg/clonebundles.manifest";
  std::string before = ReadFileOrEmpty(m);
  BundleGenerator(c, false, second).Run({ParseRepoSpec("mozilla-central")});
  EXPECT_EQ(ReadFileOrEmpty(m + ".old"), before);
  EXPECT_EQ(ReadFileOrEmpty(m), before);  // same tip, same files
  EXPECT_NE(second.str().find("bundle already exists, skipping: "), std::string::npos)
      << second.str();
  std::ostringstream restored;
  RestoreOldManifest(c, "mozilla-central", restored);
  EXPECT_EQ(restored.str(), "restored " + m + " from " + m + ".old\n");
  EXPECT_THROW(RestoreOldManifest(c, "nope", restored), Error);
}

}  // namespace
}  // namespace hgc
