// fncache check and rebuild on a real repository: a healthy one passes, one
// with an entry removed (the runbook's corruption) is reported with the
// missing path, and rebuild restores it through hg, keeping a backup.
#include "cluster/fncache.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "hg/repo_state.h"
#include "test_support.h"

namespace hgc {
namespace {

using test::Hgcluster;
using test::ScratchDir;
using test::Sh;

TEST(Fncache, CheckFindsAMissingEntryAndRebuildRestoresIt) {
  ScratchDir dir;
  std::string repo = dir / "repo";
  std::map<std::string, std::string> env{{"HGRCPATH", ""}, {"HGUSER", "t <t@example.com>"}};
  ASSERT_TRUE(Sh("hg init " + repo + " && cd " + repo +
                     " && mkdir -p Dir && echo a > Dir/File.txt && echo b > b && hg commit -qAm one"
                     " && hg rm -q b && hg commit -qm two",
                 env)
                  .ok());
  EXPECT_TRUE(MissingFncacheEntries(repo).empty());
  auto ok = Hgcluster({"fncache", "check", "--repo", repo});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find(": fncache OK"), std::string::npos);

  std::string fncache = repo + "/.hg/store/fncache";
  std::string text = ReadFileOrEmpty(fncache);
  auto pos = text.find("data/Dir/File.txt.i\n");
  ASSERT_NE(pos, std::string::npos) << text;
  WriteFileAtomic(fncache, text.erase(pos, std::string("data/Dir/File.txt.i\n").size()));
  EXPECT_EQ(MissingFncacheEntries(repo), std::vector<std::string>{"data/Dir/File.txt.i"});
  auto bad = Hgcluster({"fncache", "check", "--repo", repo});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("fncache is missing 1 entries (corrupt):\n  data/Dir/File.txt.i\n"),
            std::string::npos)
      << bad.out;

  auto rebuild = Hgcluster({"fncache", "rebuild", "--repo", repo});
  EXPECT_EQ(rebuild.exit_code, 0) << rebuild.out << rebuild.err;
  EXPECT_NE(rebuild.out.find("fncache rebuilt"), std::string::npos) << rebuild.out;
  EXPECT_TRUE(MissingFncacheEntries(repo).empty());
  bool backup = false;
  for (const auto& e : std::filesystem::directory_iterator(repo + "/.hg/store")) {
    backup |= e.path().filename().string().rfind("fncache.bak-", 0) == 0;
  }
  EXPECT_TRUE(backup);
}

}  // namespace
}  // namespace hgc
