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

TEST_F(RepoPathTest, SymlinksAndStagingDirectoriesAreNotServed) {
  fs::create_directories(dir_ / "outside/victim/.hg");
  fs::create_directory_symlink(dir_ / "outside", dir_ / "repos/link");
  fs::create_directory_symlink(dir_ / "outside/victim", dir_ / "repos/projects/victim");
  fs::create_directories(dir_ / "repos/.hgcluster-deleting-gone.1/.hg");
  fs::create_directories(dir_ / "repos/projects/b.hgcluster-reclone/.hg");
  EXPECT_EQ(Resolve("/link/victim/json-pushes").kind, RepoPath::Kind::kNotFound);
  EXPECT_EQ(Resolve("/link").kind, RepoPath::Kind::kNotFound);
  EXPECT_EQ(Resolve("/projects/victim").kind, RepoPath::Kind::kNotFound);
  EXPECT_EQ(Resolve("/.hgcluster-deleting-gone.1").kind, RepoPath::Kind::kNotFound);
  EXPECT_EQ(Resolve("/projects/b.hgcluster-reclone/json-pushes").kind,
            RepoPath::Kind::kNotFound);
  // A file path inside a repository may start with '.' (raw-file/tip/.hgtags).
  EXPECT_EQ(Resolve("/mozilla-central/raw-file/tip/.hgtags").path_arg, "tip/.hgtags");
  // An operator who links repositories in on purpose can allow it.
  RepoPath p = ResolveRepoPath(dir_ / "repos", "/link/victim/json-pushes", true);
  ASSERT_EQ(p.kind, RepoPath::Kind::kRepo);
  EXPECT_EQ(p.repo_name, "link/victim");
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
