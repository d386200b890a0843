// check_zookeeper end to end: the built binary against a real three-node
// ZooKeeper 3.8 ensemble (tests/zk_ensemble.h), healthy, with a follower
// killed, and with quorum lost; thresholds given on the command line.
// A state change reaches every server's answers within a moment, so each
// case reruns the check until it prints the expected text (or a deadline
// passes) and then compares the whole output.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "test_support.h"
#include "zk_ensemble.h"

namespace hgc::test {
namespace {

using std::chrono::seconds;

constexpr const char kFooter[] =
    "\n"
    "See https://mozilla-version-control-tools.readthedocs.io/en/latest/hgmo/ops.html\n"
    "for more info on monitor and alerts.\n";

// Reruns check_zookeeper with `args` until `done` holds for its result or
// 30 s pass; returns the last result.
ProcessResult CheckUntil(const std::vector<std::string>& args,
                         const std::function<bool(const ProcessResult&)>& done) {
  std::vector<std::string> argv{"check_zookeeper"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult r;
  WaitFor(
      [&] {
        r = Hgcluster(argv);
        return done(r);
      },
      seconds(30));
  return r;
}

ProcessResult CheckUntilOutput(const std::vector<std::string>& args, const std::string& out) {
  return CheckUntil(args, [&](const ProcessResult& r) { return r.out == out; });
}

int AFollower(const ZkEnsemble& zk, int leader, int skip = -1) {
  for (int i = 0; i < zk.size(); ++i) {
    if (i != leader && i != skip) return i;
  }
  return -1;
}

TEST(CheckZookeeperE2ETest, HealthyEnsembleNodeAndBoth) {
  ZkEnsemble zk;
  int leader = zk.WaitLeader(ZkEnsemble::In(seconds(10)));
  ASSERT_GE(leader, 0);
  int follower = AFollower(zk, leader);

  auto r = CheckUntilOutput({"-H", zk.host_port(follower)},
                            std::string("zookeeper node OK\n") + kFooter);
  EXPECT_EQ(r.out, std::string("zookeeper node OK\n") + kFooter) << r.err;
  EXPECT_EQ(r.exit_code, 0);

  r = CheckUntilOutput({"-c", zk.config_path(follower)},
                       std::string("zookeeper ensemble OK\n") + kFooter);
  EXPECT_EQ(r.out, std::string("zookeeper ensemble OK\n") + kFooter) << r.err;
  EXPECT_EQ(r.exit_code, 0);

  // The symlinked name, as NRPE runs it.
  std::string link = std::filesystem::path(HgclusterBin()).parent_path() / "check_zookeeper";
  r = RunProcess({link, "--host", zk.host_port(leader), "--config", zk.config_path(leader)});
  EXPECT_EQ(r.out, std::string("zookeeper node and ensemble OK\n") + kFooter) << r.err;
  EXPECT_EQ(r.exit_code, 0);

  r = Hgcluster({"check-zookeeper"});
  EXPECT_EQ(r.out, "ERROR: must specify -H or -c\n");
  EXPECT_EQ(r.exit_code, 2);
}

TEST(CheckZookeeperE2ETest, KilledFollowerWarnsEnsemble) {
  ZkEnsemble zk;
  int leader = zk.WaitLeader(ZkEnsemble::In(seconds(10)));
  ASSERT_GE(leader, 0);
  int dead = AFollower(zk, leader);
  zk.Kill(dead);

  std::string expected = std::string(
                             "ENSEMBLE WARNING - only have 1/2 expected followers\n"
                             "ENSEMBLE WARNING - socket error connecting to 127.0.0.1: [Errno 111] "
                             "Connection refused\n") +
                         kFooter;
  auto r = CheckUntilOutput({"-c", zk.config_path(leader)}, expected);
  EXPECT_EQ(r.out, expected) << r.err;
  EXPECT_EQ(r.exit_code, 1);

  r = Hgcluster({"check_zookeeper", "-H", zk.host_port(dead)});
  EXPECT_EQ(r.out, std::string("socket error connecting to 127.0.0.1: [Errno 111] Connection "
                               "refused\n") +
                       kFooter);
  EXPECT_EQ(r.exit_code, 2);

  // The survivors still have a quorum: both nodes are fine on their own.
  r = CheckUntilOutput({"-H", zk.host_port(leader)}, std::string("zookeeper node OK\n") + kFooter);
  EXPECT_EQ(r.out, std::string("zookeeper node OK\n") + kFooter);
  EXPECT_EQ(r.exit_code, 0);
}

TEST(CheckZookeeperE2ETest, LostQuorumIsCritical) {
  ZkEnsemble zk;
  int leader = zk.WaitLeader(ZkEnsemble::In(seconds(10)));
  ASSERT_GE(leader, 0);
  int survivor = AFollower(zk, leader);
  zk.Kill(leader);
  zk.Kill(AFollower(zk, leader, survivor));
  // Alone, the survivor stops serving (it looks for a quorum for ever).
  ASSERT_TRUE(WaitFor([&] { return zk.Mode(survivor).empty(); }, seconds(30)));

  std::string expected =
      std::string(
          "ENSEMBLE CRITICAL - unable to find leader node; ensemble likely not writable\n"
          "ENSEMBLE WARNING - node (127.0.0.1) is alive but not available\n"
          "ENSEMBLE WARNING - socket error connecting to 127.0.0.1: [Errno 111] Connection "
          "refused\n"
          "ENSEMBLE WARNING - socket error connecting to 127.0.0.1: [Errno 111] Connection "
          "refused\n") +
      kFooter;
  auto r = CheckUntilOutput({"-c", zk.config_path(survivor)}, expected);
  EXPECT_EQ(r.out, expected) << r.err;
  EXPECT_EQ(r.exit_code, 2);

  // ruok still says imok; isro says "null"; mntr says "not currently serving".
  expected = std::string(
                 "NODE CRITICAL - not in read/write mode: null\n"
                 "NODE CRITICAL - not available: 127.0.0.1\n") +
             kFooter;
  r = CheckUntilOutput({"-H", zk.host_port(survivor)}, expected);
  EXPECT_EQ(r.out, expected) << r.err;
  EXPECT_EQ(r.exit_code, 2);

  // Both at once: the immediate lines first, then the deferred ones.
  expected = std::string(
                 "NODE CRITICAL - not in read/write mode: null\n"
                 "ENSEMBLE CRITICAL - unable to find leader node; ensemble likely not writable\n"
                 "NODE CRITICAL - not available: 127.0.0.1\n"
                 "ENSEMBLE WARNING - node (127.0.0.1) is alive but not available\n"
                 "ENSEMBLE WARNING - socket error connecting to 127.0.0.1: [Errno 111] "
                 "Connection refused\n"
                 "ENSEMBLE WARNING - socket error connecting to 127.0.0.1: [Errno 111] "
                 "Connection refused\n") +
             kFooter;
  r = Hgcluster({"check_zookeeper", "-H", zk.host_port(survivor), "-c", zk.config_path(survivor)});
  EXPECT_EQ(r.out, expected) << r.err;
  EXPECT_EQ(r.exit_code, 2);
}

TEST(CheckZookeeperE2ETest, ThresholdsFromTheCommandLine) {
  ZkEnsemble zk;
  int leader = zk.WaitLeader(ZkEnsemble::In(seconds(10)));
  ASSERT_GE(leader, 0);
  std::string node = zk.host_port(leader);

  std::regex latency(
      "NODE WARNING - average latency higher than expected: [0-9]+ > 0\n\n"
      "See https://mozilla-version-control-tools.readthedocs.io/en/latest/hgmo/ops.html\n"
      "for more info on monitor and alerts.\n");
  auto r = CheckUntil({"-H", node, "--max-average-latency", "0"},
                      [&](const ProcessResult& r) { return std::regex_match(r.out, latency); });
  EXPECT_TRUE(std::regex_match(r.out, latency)) << r.out << r.err;
  EXPECT_EQ(r.exit_code, 1);

  std::regex fds(
      "NODE WARNING - open file descriptors above percentage limit: [1-9][0-9]*\n\n"
      "See https://mozilla-version-control-tools.readthedocs.io/en/latest/hgmo/ops.html\n"
      "for more info on monitor and alerts.\n");
  r = CheckUntil({"-H", node, "--max-file-descriptor-percentage", "0.01"},
                 [&](const ProcessResult& r) { return std::regex_match(r.out, fds); });
  EXPECT_TRUE(std::regex_match(r.out, fds)) << r.out << r.err;
  EXPECT_EQ(r.exit_code, 1);

  // The defaults (5000 ms, 50 %) are far away.
  r = Hgcluster({"check_zookeeper", "-H", node, "--max-average-latency", "5000",
                 "--max-file-descriptor-percentage", "50"});
  EXPECT_EQ(r.out, std::string("zookeeper node OK\n") + kFooter);
  EXPECT_EQ(r.exit_code, 0);
}

}  // namespace
}  // namespace hgc::test
