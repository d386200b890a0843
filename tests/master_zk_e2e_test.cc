// The master role through ZooKeeper, against a real 3-node ensemble on
// loopback: two leader hosts race for the ephemeral master node, the winner
// runs the master-only services; SIGKILL of the master's monitor (its session
// dies with it) hands the role to the standby within the session timeout,
// with no fixed wait; pushes keep replicating through the new master, and the
// event log shows one writer per epoch and epochs that only grow.
#include <gtest/gtest.h>
#include <signal.h>

#include "cluster_fixture.h"
#include "common/clock.h"
#include "hg/repo_state.h"
#include "master/master_state.h"
#include "master_support.h"
#include "zk_ensemble.h"

namespace hgc::test {
namespace {

using SteadyClock = std::chrono::steady_clock;

// The host whose monitor says it is master, or "".
std::string MasterHost(Cluster& c) {
  nlohmann::json status = c.Status();
  for (const auto& h : status["leader"]["hosts"]) {
    auto st = ReadMasterState(h["master_state"].get<std::string>());
    if (st && st->Holds(WallNow())) return h["name"];
  }
  return "";
}

int MonitorPid(Cluster& c, const std::string& host) {
  nlohmann::json status = c.Status();
  for (const auto& h : status["leader"]["hosts"]) {
    if (h["name"] == host) return h.value("monitor_pid", 0);
  }
  return 0;
}

TEST(MasterZooKeeperE2E, KilledMasterIsReplacedWithinTheSessionTimeout) {
  ZkEnsemble zk;
  constexpr int kSessionMs = 2000;
  ClusterOptions o;
  o.up_args = {"--standby", "--zookeeper", zk.connect_string(), "--session-timeout",
               std::to_string(kSessionMs)};
  Cluster c(o);
  std::string log_url = c.Status()["log"]["url"];
  std::string first = MasterHost(c);
  ASSERT_TRUE(first == "leader" || first == "standby")
      << ReadFileOrEmpty(c.root() + "/leader/hosts/leader/monitor.log")
      << ReadFileOrEmpty(c.root() + "/leader/hosts/standby/monitor.log")
      << c.Status()["leader"]["hosts"].dump(1);
  std::string second = first == "leader" ? "standby" : "leader";
  ASSERT_TRUE(WaitFor([&] { return AggregatorsOn(c.root(), first); }));

  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("z");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(CommitChange(client), 0);
  auto p1 = c.PushVia(first, client, "z");
  ASSERT_EQ(p1.exit_code, 0) << p1.out << p1.err;
  ASSERT_EQ(CommitChange(client), 0);
  auto refused = c.PushVia(second, client, "z");
  EXPECT_NE(
      (refused.out + refused.err).find("remote: this host (" + second + ") is not the master"),
      std::string::npos)
      << refused.out << refused.err;

  // The master host dies: its monitor (and with it its ZooKeeper session and
  // its services) is killed outright.
  int pid = MonitorPid(c, first);
  ASSERT_GT(pid, 0);
  auto killed_at = SteadyClock::now();
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  ASSERT_TRUE(WaitFor([&] { return MasterHost(c) == second; }, std::chrono::seconds(30)));
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - killed_at);
  // The session ends on the servers after the timeout (rounded to ticks);
  // the standby is woken by its watch at once.
  EXPECT_LT(took.count(), 2 * kSessionMs) << "took " << took.count() << " ms";
  RecordProperty("failover_ms", static_cast<int>(took.count()));
  ASSERT_TRUE(WaitFor([&] { return AggregatorsOn(c.root(), second); }))
      << testing::PrintToString(RunningServiceHosts({" aggregate ", c.root()}));

  auto p2 = c.PushVia(second, client, "z");
  ASSERT_EQ(p2.exit_code, 0) << p2.out << p2.err;
  ASSERT_TRUE(c.WaitConverged("z")) << c.Explain("z");
  // The supervisor restarted the dead host's monitor: it is a standby now.
  ASSERT_TRUE(WaitFor([&] {
    auto st = ReadMasterState(c.root() + "/leader/master-state/" + first + ".json");
    return st && !st->master && st->monitor_pid != pid && MonitorPid(c, first) != pid;
  }));
  EXPECT_EQ(MasterHost(c), second);

  auto events = ReadEvents(log_url, "pushdata");
  EXPECT_EQ(SingleMasterViolation(events), "");
  std::map<std::string, int64_t> changegroup_epoch;
  for (const auto& e : events) {
    if (e.name == "hg-changegroup-2") changegroup_epoch[e.host] = e.epoch;
  }
  ASSERT_EQ(changegroup_epoch.size(), 2u);
  EXPECT_LT(changegroup_epoch[first], changegroup_epoch[second]);
}

TEST(MasterZooKeeperE2E, PlannedFailoverIsImmediate) {
  ZkEnsemble zk;
  ClusterOptions o;
  o.up_args = {"--standby", "--zookeeper", zk.connect_string(), "--session-timeout", "10000"};
  Cluster c(o);
  std::string first = MasterHost(c);
  std::string second = first == "leader" ? "standby" : "leader";
  auto start = SteadyClock::now();
  auto r = Hgcluster({"master", "failover", "--root", c.root(), "--to", second});
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(second + " is the master (epoch "), std::string::npos) << r.out;
  // The old master resigned (deleted its node) instead of letting a
  // 10-second session run out.
  EXPECT_LT(took.count(), 5000);
  ASSERT_TRUE(WaitFor([&] { return AggregatorsOn(c.root(), second); }));
}

}  // namespace
}  // namespace hgc::test
