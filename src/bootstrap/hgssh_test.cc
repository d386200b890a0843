// Which directories the hgssh step treats as the leader's repositories.
#include "bootstrap/hgssh.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

namespace hgc {
namespace {

namespace fs = std::filesystem;

TEST(FindRepositoriesTest, SortedNestedAndNeverInsideHgOrThroughSymlinks) {
  char tmpl[] = "/tmp/hgssh-walk-XXXXXX";
  fs::path root = mkdtemp(tmpl);
  for (const char* dir : {"b/.hg", "a/.hg", "a/nested/.hg", "a/.hg/store/data/x/.hg",
                          "group/one/.hg", "group/two/.hg", "plain/dir", "elsewhere/r/.hg"}) {
    fs::create_directories(root / "repos" / dir);
  }
  fs::create_directory_symlink(root / "repos/elsewhere", root / "repos/link");
  auto found = FindRepositories((root / "repos").string());
  std::string r = (root / "repos").string();
  EXPECT_EQ(found,
            (std::vector<std::string>{r + "/a", r + "/a/nested", r + "/b", r + "/elsewhere/r",
                                      r + "/group/one", r + "/group/two"}));
  fs::remove_all(root);
}

}  // namespace
}  // namespace hgc
