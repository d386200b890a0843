// A repository that keeps failing on a mirror repairs itself: once parked,
// the consumer re-clones it from the leader (keeping what it replicated:
// hgrc, pushlog, replicated heads) and retries the event, which then
// applies. Nothing stays parked and nothing replicated before is lost.
#include <gtest/gtest.h>

#include <filesystem>

#include "cluster_fixture.h"
#include "hg/repo_state.h"
#include "pushlog/pushlog_db.h"

namespace hgc::test {
namespace {

namespace fs = std::filesystem;

TEST(RepairE2E, DamagedMirrorRepoIsReclonedKeepingWhatItReplicated) {
  ClusterOptions o;
  o.env = {{"VCSREPLICATOR_RETRY_MAX_RETRIES", "1"},
           {"VCSREPLICATOR_RETRY_BASE_DELAY", "0.05"},
           {"HGCLUSTER_PARKED_RETRY", "600"}};  // only the repair can release it in time
  Cluster c(o);
  ScratchDir work;
  c.CreateRepo("repo");
  ASSERT_TRUE(WaitFor([&] { return fs::exists(c.LeaderRepo("repo") + "/.hg/requires"); }));
  WriteFileAtomic(c.LeaderRepo("repo") + "/.hg/hgrc", "[web]\ndescription = repaired repo\n");
  auto hgrc = Sh("cd " + c.LeaderRepo("repo") + " && command hg replicatehgrc", {{"HGRCPATH", ""}});
  ASSERT_EQ(hgrc.exit_code, 0) << hgrc.out << hgrc.err;

  std::string client = work / "client";
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(CommitChange(client, "a"), 0);
  ASSERT_EQ(c.Push(client, "repo").exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  std::string mirror = c.MirrorRepo(1, "repo");
  ASSERT_EQ(PushlogOf(mirror).size(), 1u);

  // Damage mirror1's copy: hg refuses a repository with an unknown requirement.
  WriteFileAtomic(mirror + "/.hg/requires",
                  ReadFileOrEmpty(mirror + "/.hg/requires") + "hgcluster-test-broken\n");
  ASSERT_EQ(CommitChange(client, "a"), 0);
  ASSERT_EQ(c.Push(client, "repo").exit_code, 0);

  ASSERT_TRUE(c.WaitConverged("repo", std::chrono::seconds(60))) << c.Explain("repo");
  std::string log = c.MirrorLog(1);
  EXPECT_NE(log.find("repairing parked {moz}/repo"), std::string::npos) << log;
  EXPECT_NE(log.find("repaired " + mirror), std::string::npos) << log;
  EXPECT_EQ(ReadFileOrEmpty(mirror + "/.hg/requires").find("hgcluster-test-broken"),
            std::string::npos);
  EXPECT_EQ(ReadFileOrEmpty(mirror + "/.hg/hgrc"), "[web]\ndescription = repaired repo\n");
  // The re-clone brings the changesets; the retried event then records the push.
  ASSERT_TRUE(WaitFor([&] { return PushlogOf(mirror).size() == 2u; })) << c.Explain("repo");
  EXPECT_EQ(PushlogOf(mirror), PushlogOf(c.LeaderRepo("repo")));
  ASSERT_TRUE(WaitFor([&] { return c.Status()["mirrors"][0]["parked"].empty(); }))
      << c.Status().dump(2);
}

}  // namespace
}  // namespace hgc::test
