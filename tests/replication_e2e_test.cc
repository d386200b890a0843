// End-to-end replication on a real local cluster: real hg clients push to
// the leader through `hgcluster local-ssh`, the leader's hooks write the log
// (embedded SQLite or a real 3-broker Kafka cluster, kafka_cluster.h), and two
// mirror consumers apply it. Each test waits on conditions
// with deadlines and compares the mirrors' heads, bookmarks and phases with
// the leader's.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "cluster_fixture.h"
#include "hg/repo_state.h"
#include "log/log.h"
#include "message/message.h"
#include "routing/partition_map.h"

namespace hgc::test {
namespace {

namespace fs = std::filesystem;

class ReplicationTest : public ::testing::TestWithParam<bool> {
 protected:
  ClusterOptions Options() {
    ClusterOptions o;
    o.kafka = GetParam();
    return o;
  }
};

// Pushes of 1, 100 and 5,000 changesets, bookmarks (added, moved, deleted),
// a phase-only push and a closed branch: every mirror ends identical.
TEST_P(ReplicationTest, PushesOfAllSizesConvergeOnEveryMirror) {
  Cluster c(Options());
  ScratchDir work;
  std::string client = work / "client";

  c.CreateRepo("small");
  ASSERT_TRUE(c.WaitConverged("small")) << c.Explain("small");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + client + " debugbuilddag '+1'").exit_code, 0);
  auto push1 = c.Push(client, "small");
  ASSERT_EQ(push1.exit_code, 0) << push1.out << push1.err;
  EXPECT_NE(push1.out.find("remote: recorded changegroup in replication log in"), std::string::npos)
      << push1.out;
  ASSERT_TRUE(c.WaitConverged("small")) << c.Explain("small");

  std::string client100 = work / "client100";
  c.CreateRepo("medium");
  ASSERT_EQ(c.Hg("init " + client100).exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + client100 + " debugbuilddag '+100'").exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + client100 + " bookmark -r 50 fifty").exit_code, 0);
  ASSERT_EQ(c.Push(client100, "medium", "-B fifty").exit_code, 0);
  ASSERT_EQ(c.Push(client100, "medium").exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("medium")) << c.Explain("medium");

  // Bookmark-only pushes: move, then delete.
  ASSERT_EQ(c.Hg("-R " + client100 + " bookmark -f -r 99 fifty").exit_code, 0);
  auto move = c.Push(client100, "medium", "-B fifty");
  EXPECT_NE(move.out.find("remote: recorded updates to bookmarks in replication log"),
            std::string::npos)
      << move.out << move.err;
  ASSERT_TRUE(c.WaitConverged("medium")) << c.Explain("medium");
  EXPECT_NE(ReadFileOrEmpty(c.MirrorRepo(2, "medium") + "/.hg/bookmarks").find("fifty"),
            std::string::npos);
  ASSERT_EQ(c.Hg("-R " + client100 + " bookmark -d fifty").exit_code, 0);
  c.Push(client100, "medium", "-B fifty");
  ASSERT_TRUE(c.WaitConverged("medium")) << c.Explain("medium");
  EXPECT_EQ(ReadFileOrEmpty(c.MirrorRepo(1, "medium") + "/.hg/bookmarks").find("fifty"),
            std::string::npos);

  // A bookmark deleted in the same push as new changesets: the pull alone
  // would leave it on the mirrors.
  ASSERT_EQ(c.Hg("-R " + client100 + " bookmark -r 10 doomed").exit_code, 0);
  c.Push(client100, "medium", "-B doomed");
  ASSERT_TRUE(c.WaitConverged("medium")) << c.Explain("medium");
  ASSERT_EQ(c.Hg("-R " + client100 + " update -q 99").exit_code, 0);
  WriteFileAtomic(client100 + "/more", "x\n");
  ASSERT_EQ(c.Hg("-R " + client100 + " commit -q -A -m more").exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + client100 + " bookmark -d doomed").exit_code, 0);
  auto both = c.Push(client100, "medium", "-r tip -B doomed");
  ASSERT_EQ(both.exit_code, 0) << both.out << both.err;
  ASSERT_NE(both.out.find("added 1 changesets"), std::string::npos) << both.out;
  ASSERT_TRUE(c.WaitConverged("medium")) << c.Explain("medium");
  EXPECT_EQ(ReadFileOrEmpty(c.MirrorRepo(2, "medium") + "/.hg/bookmarks").find("doomed"),
            std::string::npos);

  // 5,000 changesets into a non-publishing repo, a second head, a closed
  // branch, then a phase-only push publishing part of it.
  c.CreateRepo("big");
  ASSERT_TRUE(WaitFor([&] { return fs::exists(c.LeaderRepo("big") + "/.hg/requires"); }));
  {
    std::string hgrc = c.LeaderRepo("big") + "/.hg/hgrc";
    WriteFileAtomic(hgrc, "[phases]\npublish = False\n");
    auto r = Sh("cd " + c.LeaderRepo("big") + " && command hg replicatehgrc", {{"HGRCPATH", ""}});
    EXPECT_NE(r.out.find("recorded hgrc in replication log"), std::string::npos) << r.out << r.err;
  }
  std::string big = work / "big";
  ASSERT_EQ(c.Hg("init " + big).exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + big + " debugbuilddag '+4997'").exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + big + " phase --force --draft -r 'all()'").exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + big + " update -q 4996").exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + big + " branch -q closing").exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + big + " commit -q -m 'open branch'").exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + big + " commit -q --close-branch -m 'close branch'").exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + big + " update -q 1000").exit_code, 0);
  WriteFileAtomic(big + "/second-head", "x\n");
  ASSERT_EQ(c.Hg("-R " + big + " commit -q -A -m 'second head'").exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + big + " bookmark -r tip other-head").exit_code, 0);
  auto pushbig = c.Push(big, "big", "-f");
  ASSERT_EQ(pushbig.exit_code, 0) << pushbig.out << pushbig.err;
  EXPECT_NE(pushbig.out.find("added 5000 changesets"), std::string::npos) << pushbig.out;
  ASSERT_NE(c.Push(big, "big", "-B other-head").exit_code, 255);  // 1: no new changesets
  ASSERT_TRUE(c.WaitConverged("big", std::chrono::seconds(300))) << c.Explain("big");
  EXPECT_NE(RepoFingerprint(c.MirrorRepo(1, "big")).find("closed"), std::string::npos);

  ASSERT_EQ(c.Hg("-R " + big + " phase --public -r 3000").exit_code, 0);
  auto phase = c.Push(big, "big", "-r 3000");
  EXPECT_NE(phase.out.find("remote: recorded updates to phases in replication log"),
            std::string::npos)
      << phase.out << phase.err;
  ASSERT_TRUE(c.WaitConverged("big")) << c.Explain("big");
  auto draft1 = Sh("hg -R " + c.MirrorRepo(1, "big") + " log -r 'draft() and ::3000' -T x",
                   {{"HGRCPATH", ""}});
  EXPECT_EQ(draft1.out, "") << "revisions up to 3000 must be public on the mirror";
}

// The leader refuses a push when the log cannot be written, with the
// reference's message, and its repository is left unchanged. On the embedded
// log here; on Kafka, KafkaFailoverE2E (kafka_e2e_test.cc) proves the same
// with two of three brokers killed.
TEST(UnwritableLogE2E, TheEmbeddedLogRefusesAPushAndLeavesTheLeaderUnchanged) {
  Cluster c{ClusterOptions()};
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("repo");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + client + " debugbuilddag '+3'").exit_code, 0);
  std::string before = RepoFingerprint(c.LeaderRepo("repo"));

  std::string db = c.root() + "/log/log.db";
  ASSERT_EQ(Sh("chattr +i " + db).exit_code, 0);
  // The producer agent holds the log open and appends to its WAL file:
  // make that unwritable too.
  Sh("test -e " + db + "-wal && chattr +i " + db + "-wal");
  auto refused = c.Push(client, "repo");
  Sh("chattr -i " + db);
  Sh("test -e " + db + "-wal && chattr -i " + db + "-wal");
  EXPECT_EQ(refused.exit_code, 255) << refused.out << refused.err;
  std::string all = refused.out + refused.err;
  EXPECT_NE(all.find("remote: replication log not available; all writes disabled"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("pretxnopen.hgcluster hook exited with status 1"), std::string::npos) << all;
  EXPECT_EQ(RepoFingerprint(c.LeaderRepo("repo")), before);

  // Once the log is back, the same push goes through and replicates.
  ASSERT_TRUE(
      WaitFor([&] { return c.Push(client, "repo").exit_code == 0; }, std::chrono::seconds(60)));
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
}

INSTANTIATE_TEST_SUITE_P(Backends, ReplicationTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Kafka" : "Embedded"; });

// One repository whose apply keeps failing on a mirror is parked and named in
// `status`; pushes to 20 other repositories on the same partition still
// replicate; fixing the repository releases it with nothing lost.
TEST(ReplicationStuckRepoTest, OtherReposOnThePartitionKeepFlowing) {
  ClusterOptions o;
  o.env = {{"VCSREPLICATOR_RETRY_MAX_RETRIES", "1"},
           {"VCSREPLICATOR_RETRY_BASE_DELAY", "0.05"},
           {"HGCLUSTER_PARKED_RETRY", "1"},
           // Parked means parked here (repair_e2e_test.cc covers the repair).
           {"HGCLUSTER_REPAIR_PARKED", "0"}};
  Cluster c(o);
  ScratchDir work;
  // Names that hash to the same partition as "stuck" (8 partitions).
  int target = Md5Mod("{moz}/stuck", 8);
  std::vector<std::string> others;
  for (int i = 0; others.size() < 5; ++i) {
    std::string name = "repo" + std::to_string(i);
    if (Md5Mod("{moz}/" + name, 8) == target) others.push_back(name);
  }
  c.CreateRepo("stuck");
  for (const auto& n : others) c.CreateRepo(n);
  ASSERT_TRUE(c.WaitConverged("stuck")) << c.Explain("stuck");
  ASSERT_TRUE(c.WaitConverged(others.back())) << c.Explain(others.back());

  // Break mirror1's copy: hg refuses repositories with unknown requirements.
  std::string requires_path = c.MirrorRepo(1, "stuck") + "/.hg/requires";
  std::string good_requires = ReadFileOrEmpty(requires_path);
  WriteFileAtomic(requires_path, good_requires + "hgcluster-test-broken\n");

  std::string client = work / "client";
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + client + " debugbuilddag '+2'").exit_code, 0);
  ASSERT_EQ(c.Push(client, "stuck").exit_code, 0);
  for (const auto& n : others) ASSERT_EQ(c.Push(client, n).exit_code, 0) << n;
  for (const auto& n : others) ASSERT_TRUE(c.WaitConverged(n)) << c.Explain(n);

  ASSERT_TRUE(WaitFor([&] { return !c.Status()["mirrors"][0]["parked"].empty(); }))
      << c.MirrorLog(1);
  auto status = Hgcluster({"status", "--root", c.root()});
  EXPECT_NE(status.out.find("STUCK {moz}/stuck parked at partition " + std::to_string(target)),
            std::string::npos)
      << status.out;
  EXPECT_TRUE(WaitFor([&] {
    return RepoFingerprint(c.MirrorRepo(2, "stuck")) == RepoFingerprint(c.LeaderRepo("stuck"));
  })) << "mirror2's copy is healthy and must not be held back by mirror1's problem";

  WriteFileAtomic(requires_path, good_requires);
  ASSERT_TRUE(c.WaitConverged("stuck", std::chrono::seconds(90))) << c.Explain("stuck");
  ASSERT_TRUE(WaitFor([&] { return c.Status()["mirrors"][0]["parked"].empty(); },
                      std::chrono::seconds(60)));
}

}  // namespace
}  // namespace hgc::test
