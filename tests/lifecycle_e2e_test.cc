// Repository lifecycle commands on a real local cluster: strip, reclone,
// retire and delete each end with every mirror matching the leader (heads,
// bookmarks, phases and pushlog), checked here.
#include <gtest/gtest.h>

#include <filesystem>

#include "cluster_fixture.h"
#include "pushlog/pushlog_db.h"

namespace hgc::test {
namespace {

namespace fs = std::filesystem;

bool MirrorsMatchLeader(Cluster& c, const std::string& name) {
  if (!c.WaitConverged(name, std::chrono::seconds(60))) return false;
  auto want = PushlogOf(c.LeaderRepo(name));
  for (int m = 1; m <= 2; ++m) {
    if (PushlogOf(c.MirrorRepo(m, name)) != want) return false;
  }
  return true;
}

TEST(LifecycleE2E, StripRecloneRetireAndDeleteLeaveMirrorsMatchingTheLeader) {
  Cluster c;
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("life");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + client + " debugbuilddag '+5'").exit_code, 0);
  ASSERT_EQ(c.Push(client, "life", "-r 2").exit_code, 0);
  ASSERT_EQ(c.Push(client, "life").exit_code, 0);
  ASSERT_TRUE(MirrorsMatchLeader(c, "life")) << c.Explain("life");
  ASSERT_EQ(PushlogOf(c.LeaderRepo("life")).size(), 2u);

  // strip: revisions 3 and 4 go everywhere; push 2 is left empty.
  auto strip = Hgcluster({"repo", "strip", "--root", c.root(), "life", "-r", "3"});
  ASSERT_EQ(strip.exit_code, 0) << strip.out << strip.err;
  EXPECT_NE(strip.out.find("stripping 2 changesets from life on the leader"), std::string::npos)
      << strip.out;
  EXPECT_NE(strip.out.find("changeset will be deleted from pushlog: "), std::string::npos);
  EXPECT_NE(strip.out.find("  mirror1: stripped"), std::string::npos) << strip.out;
  EXPECT_NE(strip.out.find("  mirror2: stripped"), std::string::npos) << strip.out;
  auto leader_log = PushlogOf(c.LeaderRepo("life"));
  ASSERT_EQ(leader_log.size(), 2u);
  EXPECT_EQ(leader_log[0].nodes.size(), 3u);
  EXPECT_TRUE(leader_log[1].nodes.empty());
  EXPECT_TRUE(MirrorsMatchLeader(c, "life")) << c.Explain("life");
  auto verify = Hgcluster({"verifypushlog", "--repo", c.MirrorRepo(1, "life")});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

  // reclone: a fresh repository on every mirror, same content.
  std::string marker = c.MirrorRepo(1, "life") + "/.hg/hgcluster-recloned";
  EXPECT_FALSE(fs::exists(marker));
  auto reclone = Hgcluster({"repo", "reclone", "--root", c.root(), "life"});
  ASSERT_EQ(reclone.exit_code, 0) << reclone.out << reclone.err;
  EXPECT_NE(reclone.out.find("  mirror2: recloned life"), std::string::npos) << reclone.out;
  EXPECT_TRUE(fs::exists(marker));
  EXPECT_FALSE(fs::exists(c.MirrorRepo(1, "life") + ".hgcluster-reclone"));
  EXPECT_TRUE(MirrorsMatchLeader(c, "life")) << c.Explain("life");

  // retire: out of the served area on the leader, gone from mirrors.
  auto retire = Hgcluster({"repo", "retire", "--root", c.root(), "life"});
  ASSERT_EQ(retire.exit_code, 0) << retire.out << retire.err;
  EXPECT_FALSE(fs::exists(c.LeaderRepo("life")));
  bool kept = false;
  for (const auto& e : fs::directory_iterator(c.root() + "/leader/retired")) {
    kept |= e.path().filename().string().rfind("life.", 0) == 0 && fs::exists(e.path() / ".hg");
  }
  EXPECT_TRUE(kept);
  for (int m = 1; m <= 2; ++m) EXPECT_FALSE(fs::exists(c.MirrorRepo(m, "life")));

  // delete: gone everywhere.
  c.CreateRepo("gone");
  ASSERT_EQ(c.Push(client, "gone").exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("gone"));
  auto del = Hgcluster({"repo", "delete", "--root", c.root(), "gone"});
  ASSERT_EQ(del.exit_code, 0) << del.out << del.err;
  EXPECT_FALSE(fs::exists(c.LeaderRepo("gone")));
  for (int m = 1; m <= 2; ++m) EXPECT_FALSE(fs::exists(c.MirrorRepo(m, "gone")));
  EXPECT_NE(
      Hgcluster({"repo", "delete", "--root", c.root(), "gone"}).err.find("no repository gone"),
      std::string::npos);
}

}  // namespace
}  // namespace hgc::test
