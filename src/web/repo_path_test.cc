#include "web/repo_path.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "test_support.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;

class RepoPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "repos/integration/autoland/.hg");
    fs::create_directories(dir_ / "repos/mozilla-central/.hg");
    fs::create_directories(dir_ / "repos/mozilla-central/nested/.hg");
    fs::create_directories(dir_ / "repos/projects");
  }
  RepoPath Resolve(const std::string& path) { return ResolveRepoPath(dir_ / "repos", path); }
  test::ScratchDir dir_;
};

TEST_F(RepoPathTest, LongestRepositoryPrefixWinsAndTheRestIsCommandAndArgument) {
  RepoPath p = Resolve("/integration/autoland/json-pushes/2");
  ASSERT_EQ(p.kind, RepoPath::Kind::kRepo);
  EXPECT_EQ(p.repo_name, "integration/autoland");
  EXPECT_EQ(p.repo_root, dir_ / "repos/integration/autoland");
  EXPECT_EQ(p.command, "json-pushes");
  EXPECT_EQ(p.path_arg, "2");

  p = Resolve("/mozilla-central/nested/raw-file/tip/a/b.txt");
  EXPECT_EQ(p.repo_name, "mozilla-central/nested");
  EXPECT_EQ(p.command, "raw-file");
  EXPECT_EQ(p.path_arg, "tip/a/b.txt");

  p = Resolve("/mozilla-central/raw-file/tip/nested");
  EXPECT_EQ(p.repo_name, "mozilla-central");
  EXPECT_EQ(p.path_arg, "tip/nested");

  p = Resolve("/mozilla-central");
  EXPECT_EQ(p.kind, RepoPath::Kind::kRepo);
  EXPECT_EQ(p.command, "");
  EXPECT_EQ(p.path_arg, "");
}

TEST_F(RepoPathTest, CollectionsUnknownPathsAndDotSegments) {
  EXPECT_EQ(Resolve("/").kind, RepoPath::Kind::kCollection);
  EXPECT_EQ(Resolve("/projects/").kind, RepoPath::Kind::kCollection);
  EXPECT_EQ(Resolve("/integration").kind, RepoPath::Kind::kCollection);
  EXPECT_EQ(Resolve("/nope/json-pushes").kind, RepoPath::Kind::kNotFound);
  EXPECT_EQ(Resolve("/projects/nope").kind, RepoPath::Kind::kNotFound);
  EXPECT_EQ(Resolve("/../repos/mozilla-central").kind, RepoPath::Kind::kNotFound);
  EXPECT_EQ(Resolve("/mozilla-central/./json-pushes").kind, RepoPath::Kind::kNotFound);
}

TEST(QueryStringTest, KeepsOrderAndRepeatsAndDecodes) {
  auto q = ParseQueryString("node=abc&b=x%20y+z&node=def&flag&e=%zz&=v");
  std::vector<std::pair<std::string, std::string>> want = {
      {"node", "abc"}, {"b", "x y z"}, {"node", "def"}, {"flag", ""}, {"e", "%zz"}, {"", "v"}};
  EXPECT_EQ(q, want);
  EXPECT_TRUE(ParseQueryString("").empty());
  EXPECT_EQ(PercentDecode("a%2Fb+c", false), "a/b+c");
}

}  // namespace
}  // namespace hgc
