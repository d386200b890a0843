// The master role with the reference's method (master.<host> files) on a real
// local cluster with two leader hosts sharing the repositories: the master-only
// services run on exactly one host and move with `hgcluster master failover`,
// pushes are accepted only by the master and keep replicating after the
// move, no event in the log was written by two masters, and events written
// late by a deposed master (old epoch) are dropped by every consumer and the
// aggregator — except its changegroup, whose changesets are applied so that
// no push is lost.
#include <gtest/gtest.h>

#include "cluster_fixture.h"
#include "hg/repo_state.h"
#include "master_support.h"

namespace hgc::test {
namespace {

// hg shows `node` (visible) in `repo`.
bool HgShows(const std::string& repo, const std::string& node) {
  return Sh("hg -R " + repo + " log -r " + node + " -T x", {{"HGRCPATH", ""}}).out == "x";
}

int Count(const std::vector<WrittenEvent>& events, const std::string& name) {
  int n = 0;
  for (const auto& e : events) n += e.name == name;
  return n;
}

TEST(MasterFileE2E, FailoverMovesServicesAndPushesWithoutTwoMasters) {
  ClusterOptions o;
  o.up_args = {"--standby"};
  Cluster c(o);
  std::string log_url = c.Status()["log"]["url"];
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("m");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + client + " debugbuilddag '+2'").exit_code, 0);
  auto first = c.PushVia("leader", client, "m");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  ASSERT_TRUE(c.WaitConverged("m")) << c.Explain("m");
  ASSERT_TRUE(WaitFor([&] { return AggregatorsOn(c.root(), "leader"); }))
      << testing::PrintToString(AggregatorHosts(c.root()));

  // The standby refuses writes while it is not master.
  ASSERT_EQ(CommitChange(client), 0);
  auto refused = c.PushVia("standby", client, "m");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE((refused.out + refused.err).find("remote: this host (standby) is not the master"),
            std::string::npos)
      << refused.out << refused.err;

  auto failover = Hgcluster({"master", "failover", "--root", c.root(), "--to", "standby"});
  ASSERT_EQ(failover.exit_code, 0) << failover.out << failover.err;
  EXPECT_NE(failover.out.find("standby is the master (epoch 2)"), std::string::npos)
      << failover.out;
  ASSERT_TRUE(WaitFor([&] { return AggregatorsOn(c.root(), "standby"); }))
      << testing::PrintToString(AggregatorHosts(c.root()));
  std::string leader_log = ReadFileOrEmpty(c.root() + "/leader/hosts/leader/monitor.log");
  EXPECT_NE(leader_log.find("hg-master.target is active; stopping \n"), std::string::npos)
      << leader_log;
  std::string standby_log = ReadFileOrEmpty(c.root() + "/leader/hosts/standby/monitor.log");
  EXPECT_NE(standby_log.find("hg-master.target not active; starting after 2s sleep..."),
            std::string::npos)
      << standby_log;

  // Now the old master refuses and the new one takes the push.
  auto old = c.PushVia("leader", client, "m");
  EXPECT_NE(old.exit_code, 0);
  EXPECT_NE((old.out + old.err).find("remote: this host (leader) is not the master"),
            std::string::npos)
      << old.err;
  auto second = c.PushVia("standby", client, "m");
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  ASSERT_TRUE(c.WaitConverged("m")) << c.Explain("m");
  // Both pushes went all the way through the aggregators (on both hosts).
  ASSERT_TRUE(WaitFor([&] {
    return Count(ReadEvents(log_url, "replicatedpushdata"), "hg-changegroup-2") == 2;
  })) << "aggregated changegroups never reached 2";

  auto events = ReadEvents(log_url, "pushdata");
  EXPECT_EQ(SingleMasterViolation(events), "");
  std::set<std::string> changegroup_hosts;
  for (const auto& e : events) {
    if (e.name == "hg-changegroup-2")
      changegroup_hosts.insert(e.host + "@" + std::to_string(e.epoch));
  }
  EXPECT_EQ(changegroup_hosts, (std::set<std::string>{"leader@1", "standby@2"}));
}

TEST(MasterFileE2E, LateWriteOfDeposedMasterKeepsThePushAndDropsTheStaleView) {
  ClusterOptions o;
  o.up_args = {"--standby"};
  Cluster c(o);
  std::string log_url = c.Status()["log"]["url"];
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("f");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(CommitChange(client), 0);
  ASSERT_EQ(c.PushVia("leader", client, "f").exit_code, 0);
  ASSERT_EQ(Hgcluster({"master", "failover", "--root", c.root(), "--to", "standby"}).exit_code, 0);
  ASSERT_EQ(CommitChange(client), 0);
  ASSERT_EQ(c.PushVia("standby", client, "f").exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("f")) << c.Explain("f");

  // The old master, paused since before the failover, finishes a push: its
  // hooks still believe they hold epoch 1.
  std::string forged = work / "paused-leader.json";
  WriteFileAtomic(forged, R"({"host": "leader", "master": true, "epoch": 1})");
  ASSERT_EQ(CommitChange(client), 0);
  auto late = c.PushVia("leader", client, "f", "", {{"HGCLUSTER_MASTER_STATE", forged}});
  ASSERT_EQ(late.exit_code, 0) << late.out << late.err;
  std::string late_node = TipNode(c.LeaderRepo("f"));

  // Its changegroup is applied (the changesets are in the shared store:
  // nothing is lost), its stale heads view is not.
  for (int m = 1; m <= 2; ++m) {
    ASSERT_TRUE(WaitFor([&] {
      return c.MirrorLog(m).find(
                 "applying hg-changegroup-2 from deposed master leader (epoch 1;") !=
                 std::string::npos &&
             c.MirrorLog(m).find("dropping heartbeat-1 from deposed master leader (epoch 1;") !=
                 std::string::npos;
    })) << c.MirrorLog(m);
    EXPECT_TRUE(WaitFor([&] { return HgShows(c.MirrorRepo(m, "f"), late_node); }));
  }
  ASSERT_TRUE(WaitFor([&] {
    return ReadFileOrEmpty(c.root() + "/leader/aggregator-pending.log")
               .find("dropping hg-heads-1 from deposed master leader") != std::string::npos;
  })) << ReadFileOrEmpty(c.root() + "/leader/aggregator-pending.log");
  for (const auto& e : ReadEvents(log_url, "replicatedpushdatapending")) {
    EXPECT_FALSE(e.epoch == 1 && e.name == "hg-heads-1" &&
                 std::find(e.heads.begin(), e.heads.end(), late_node) != e.heads.end())
        << "the deposed master's heads view was aggregated";
  }

  // The changesets are in the shared store: the master's replicatesync
  // brings every mirror to it.
  auto sync = Sh("cd " + c.LeaderRepo("f") + " && command hg replicatesync",
                 {{"HGRCPATH", c.Status()["leader"]["hgrcpath"].get<std::string>()},
                  {"HGCLUSTER_HOST", "standby"}});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  ASSERT_TRUE(c.WaitConverged("f")) << c.Explain("f");
}

}  // namespace
}  // namespace hgc::test
