// Try head management on a real local cluster: a repository with 500 draft
// heads is pruned to one head whose files are exactly the target's, the
// merges are pushed through the leader and replicated, and check_try_heads
// reports the counts with the reference's lines and exit codes.
#include <gtest/gtest.h>

#include <fstream>

#include "cluster_fixture.h"

namespace hgc::test {
namespace {

TEST(TryHeadsE2E, PruneMergesFiveHundredHeadsIntoTheTargetAndReplicates) {
  Cluster c;
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("try");
  // Try is non-publishing: pushed heads stay draft.
  {
    std::ofstream hgrc(c.LeaderRepo("try") + "/.hg/hgrc", std::ios::app);
    hgrc << "[phases]\npublish = false\n";
  }
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  std::string dag = "+1:base";
  for (int i = 0; i < 500; ++i) dag += " <base +1";
  ASSERT_EQ(c.Hg("-R " + client + " debugbuilddag -n '" + dag + "'").exit_code, 0);
  auto push = c.Push(client, "try", "-f");
  ASSERT_EQ(push.exit_code, 0) << push.out << push.err;
  std::string leader = c.LeaderRepo("try");

  auto count = Hgcluster({"try-heads", "count", "--root", c.root(), "try"});
  EXPECT_EQ(count.out, "500\n") << count.err;
  auto warn = Hgcluster({"check_try_heads", "-w", "400", "-c", "600", "-r", leader});
  EXPECT_EQ(warn.exit_code, 1);
  EXPECT_EQ(warn.out, "WARNING - " + leader + " has 500 heads\n");
  auto crit = Hgcluster({"check_try_heads", "-w", "100", "-c", "500", "-r", leader});
  EXPECT_EQ(crit.exit_code, 2);
  EXPECT_EQ(crit.out, "CRITICAL - " + leader + " has 500 heads\n");
  auto bad = Hgcluster({"check_try_heads", "--bogus"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err, "check_try_heads: unknown option\n");

  auto prune = Hgcluster({"try-heads", "prune", "--root", c.root(), "try", "--into", "0"});
  ASSERT_EQ(prune.exit_code, 0) << prune.out << prune.err;
  EXPECT_NE(prune.out.find("500 heads to merge into"), std::string::npos) << prune.out;
  EXPECT_NE(prune.out.find("try now has 1 heads"), std::string::npos) << prune.out;
  auto ok = Hgcluster({"check_try_heads", "-r", leader});
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_EQ(ok.out, "OK - " + leader + " has 1 heads\n");
  // The one head has exactly the target's files.
  auto files = [&](const std::string& rev) {
    return Sh("cd " + leader + " && hg files -r " + rev + " && hg cat -r " + rev + " nf0",
              {{"HGRCPATH", ""}})
        .out;
  };
  EXPECT_EQ(files("tip"), files("0"));
  EXPECT_EQ(Sh("hg -R " + leader + " log -r tip -T '{desc}'", {{"HGRCPATH", ""}}).out,
            "Merge try head");
  EXPECT_TRUE(c.WaitConverged("try")) << c.Explain("try");
}

}  // namespace
}  // namespace hgc::test
