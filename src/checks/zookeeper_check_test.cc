// check_zookeeper against played servers (the ZkAsk seam): every line, the
// order of immediate lines, the OK line, deferred warnings and notices, and
// the exit codes. The same states on a real ensemble:
// check_zookeeper_e2e_test.cc.
#include "checks/zookeeper_check.h"

#include <gtest/gtest.h>

#include <sstream>

#include "common/error.h"
#include "hg/repo_state.h"
#include "test_support.h"

namespace hgc {
namespace {

constexpr const char kFooter[] =
    "\n"
    "See https://mozilla-version-control-tools.readthedocs.io/en/latest/hgmo/ops.html\n"
    "for more info on monitor and alerts.\n";
constexpr const char kNotServing[] = "This ZooKeeper instance is not currently serving requests\n";

struct ScriptedZkServer {
  bool down = false;
  bool serving = true;
  std::string ruok = "imok";
  std::string isro = "rw";
  std::map<std::string, std::string> mntr = {{"zk_version", "3.8.0-x, built on 2024-12-29"},
                                             {"zk_server_state", "follower"},
                                             {"zk_avg_latency", "0.0"},
                                             {"zk_open_file_descriptor_count", "60"},
                                             {"zk_max_file_descriptor_count", "20000"}};
};

ZookeeperCheckOptions Opts(const std::string& host, const std::string& config = "",
                           double max_latency = 5000, double max_fd_percentage = 50) {
  ZookeeperCheckOptions o;
  o.host = host;
  o.config = config;
  o.max_average_latency = max_latency;
  o.max_file_descriptor_percentage = max_fd_percentage;
  return o;
}

class ZookeeperCheckTest : public ::testing::Test {
 protected:
  // "host:port" -> server; asks are recorded as "host:port word".
  std::map<std::string, ScriptedZkServer> servers_;
  std::vector<std::string> asked_;
  test::ScratchDir dir_;

  std::string Reply(const std::string& host, int port, std::string_view word) {
    std::string key = host + ":" + std::to_string(port);
    asked_.push_back(key + " " + std::string(word));
    auto it = servers_.find(key);
    if (it == servers_.end() || it->second.down) {
      throw Error(ErrorKind::kIo, "[Errno 111] Connection refused");
    }
    const ScriptedZkServer& s = it->second;
    if (word == "ruok") return s.ruok;
    if (word == "isro") return s.serving ? s.isro : "null";
    if (!s.serving) return kNotServing;
    if (word == "srst") return "Server stats reset.\n";
    std::string out;
    for (const auto& [k, v] : s.mntr) out += k + "\t" + v + "\n";
    return out;
  }

  int Run(ZookeeperCheckOptions o, std::string* out) {
    std::ostringstream s;
    int code = RunZookeeperCheck(
        o, [this](const std::string& h, int p, std::string_view w) { return Reply(h, p, w); }, s);
    *out = s.str();
    return code;
  }

  // zk1..zk3 on port 2181, zk2 leading with both followers in sync (3.8 mntr).
  std::string Ensemble() {
    for (int i = 1; i <= 3; ++i) servers_["zk" + std::to_string(i) + ":2181"] = {};
    auto& leader = servers_["zk2:2181"].mntr;
    leader["zk_server_state"] = "leader";
    leader["zk_learners"] = "2";
    leader["zk_synced_followers"] = "2";
    std::string path = dir_ / "zoo.cfg";
    WriteFileAtomic(path,
                    "tickTime=2000\nserver.1=zk1:2888:3888\nserver.2=zk2:2888:3888\n"
                    "server.3=zk3:2888:3888\n");
    return path;
  }
};

TEST_F(ZookeeperCheckTest, NeedsHostOrConfig) {
  std::string out;
  EXPECT_EQ(Run({}, &out), 2);
  EXPECT_EQ(out, "ERROR: must specify -H or -c\n");
  EXPECT_TRUE(asked_.empty());
}

TEST_F(ZookeeperCheckTest, BadHostOrUnreadableConfigIsAnError) {
  std::string out;
  EXPECT_EQ(Run(Opts("zk1"), &out), 2);
  EXPECT_EQ(out, "ERROR: -H wants host:port, not zk1\n");
  EXPECT_EQ(Run(Opts("", dir_ / "missing.cfg"), &out), 2);
  EXPECT_EQ(out, "ERROR: cannot read " + (dir_ / "missing.cfg") + "\n");
  EXPECT_TRUE(asked_.empty());
}

TEST_F(ZookeeperCheckTest, HealthyNodeThenResetsStats) {
  servers_["zk1:2181"] = {};
  std::string out;
  EXPECT_EQ(Run(Opts("zk1:2181"), &out), 0);
  EXPECT_EQ(out, std::string("zookeeper node OK\n") + kFooter);
  EXPECT_EQ(asked_, (std::vector<std::string>{"zk1:2181 ruok", "zk1:2181 isro", "zk1:2181 mntr",
                                              "zk1:2181 srst"}));
}

TEST_F(ZookeeperCheckTest, BadRepliesAreImmediateAndDoNotStopTheNextSteps) {
  servers_["zk1:2181"] = {};
  servers_["zk1:2181"].ruok = "";
  servers_["zk1:2181"].isro = "ro\n";
  servers_["zk1:2181"].mntr["zk_avg_latency"] = "7000";
  std::string out;
  EXPECT_EQ(Run(Opts("zk1:2181"), &out), 2);
  EXPECT_EQ(out, std::string("NODE CRITICAL - not responding \"imok\": \n"
                             "NODE CRITICAL - not in read/write mode: ro\n"
                             "NODE WARNING - average latency higher than expected: 7000 > 5000\n") +
                     kFooter);
}

TEST_F(ZookeeperCheckTest, LatencyThresholdIsANumberAndInclusive) {
  servers_["zk1:2181"] = {};
  servers_["zk1:2181"].mntr["zk_avg_latency"] = "12.75";
  std::string out;
  EXPECT_EQ(Run(Opts("zk1:2181", "", 13), &out), 0);
  EXPECT_EQ(Run(Opts("zk1:2181", "", 12.75), &out), 1);
  EXPECT_EQ(
      out, std::string("NODE WARNING - average latency higher than expected: 12 > 12\n") + kFooter);
  servers_["zk1:2181"].mntr["zk_avg_latency"] = "0.0";
  EXPECT_EQ(Run(Opts("zk1:2181", "", 0), &out), 1);
  EXPECT_EQ(out,
            std::string("NODE WARNING - average latency higher than expected: 0 > 0\n") + kFooter);
}

TEST_F(ZookeeperCheckTest, FileDescriptorsComparedAsAPercentage) {
  servers_["zk1:2181"] = {};
  auto& mntr = servers_["zk1:2181"].mntr;
  mntr["zk_open_file_descriptor_count"] = "9999";
  std::string out;
  EXPECT_EQ(Run(Opts("zk1:2181"), &out), 0) << out;  // 49.995 %
  mntr["zk_open_file_descriptor_count"] = "10000";
  EXPECT_EQ(Run(Opts("zk1:2181"), &out), 1);
  EXPECT_EQ(out,
            std::string("NODE WARNING - open file descriptors above percentage limit: 10000\n") +
                kFooter);
  mntr["zk_open_file_descriptor_count"] = "60";
  EXPECT_EQ(Run(Opts("zk1:2181", "", 5000, 0.3), &out), 1);
  EXPECT_EQ(out, std::string("NODE WARNING - open file descriptors above percentage limit: 60\n") +
                     kFooter);
}

TEST_F(ZookeeperCheckTest, SocketErrorStopsTheNodeSteps) {
  std::string out;
  EXPECT_EQ(Run(Opts("zk1:2181"), &out), 2);
  EXPECT_EQ(out, std::string("socket error connecting to zk1: [Errno 111] Connection refused\n") +
                     kFooter);
  EXPECT_EQ(asked_, (std::vector<std::string>{"zk1:2181 ruok", "zk1:2181 srst"}));
}

TEST_F(ZookeeperCheckTest, NotServingNodeIsDeferredCritical) {
  servers_["zk1:2181"] = {};
  servers_["zk1:2181"].serving = false;
  std::string out;
  EXPECT_EQ(Run(Opts("zk1:2181"), &out), 2);
  // srst answers "not serving" too; the reference died there with a traceback.
  EXPECT_EQ(out, std::string("NODE CRITICAL - not in read/write mode: null\n"
                             "NODE CRITICAL - not available: zk1\n") +
                     kFooter);
}

TEST_F(ZookeeperCheckTest, HealthyEnsemble) {
  std::string cfg = Ensemble();
  std::string out;
  EXPECT_EQ(Run(Opts("", cfg), &out), 0);
  EXPECT_EQ(out, std::string("zookeeper ensemble OK\n") + kFooter);
  EXPECT_EQ(asked_, (std::vector<std::string>{"zk1:2181 ruok", "zk1:2181 mntr", "zk2:2181 ruok",
                                              "zk2:2181 mntr", "zk3:2181 ruok", "zk3:2181 mntr"}));
}

TEST_F(ZookeeperCheckTest, ZooKeeper34CountsFollowersAsZkFollowers) {
  std::string cfg = Ensemble();
  auto& leader = servers_["zk2:2181"].mntr;
  leader.erase("zk_learners");
  leader["zk_followers"] = "1";
  leader["zk_synced_followers"] = "1";
  std::string out;
  EXPECT_EQ(Run(Opts("", cfg), &out), 1);
  EXPECT_EQ(out, std::string("ENSEMBLE WARNING - only have 1/2 expected followers\n") + kFooter);
}

TEST_F(ZookeeperCheckTest, DeadFollowerIsAWarningAndANotice) {
  std::string cfg = Ensemble();
  servers_["zk3:2181"].down = true;
  servers_["zk2:2181"].mntr["zk_learners"] = "1";
  servers_["zk2:2181"].mntr["zk_synced_followers"] = "1";
  std::string out;
  EXPECT_EQ(Run(Opts("", cfg), &out), 1);
  EXPECT_EQ(out, std::string("ENSEMBLE WARNING - only have 1/2 expected followers\n"
                             "ENSEMBLE WARNING - socket error connecting to zk3: [Errno 111] "
                             "Connection refused\n") +
                     kFooter);
}

TEST_F(ZookeeperCheckTest, UnsyncedFollower) {
  std::string cfg = Ensemble();
  servers_["zk2:2181"].mntr["zk_synced_followers"] = "1";
  std::string out;
  EXPECT_EQ(Run(Opts("", cfg), &out), 1);
  EXPECT_EQ(out, std::string("ENSEMBLE WARNING - only have 1/2 in sync followers\n") + kFooter);
}

TEST_F(ZookeeperCheckTest, NoLeaderIsImmediateCritical) {
  std::string cfg = Ensemble();
  servers_["zk1:2181"].down = true;
  servers_["zk2:2181"].down = true;
  servers_["zk3:2181"].serving = false;
  std::string out;
  EXPECT_EQ(Run(Opts("", cfg), &out), 2);
  EXPECT_EQ(
      out,
      std::string("ENSEMBLE CRITICAL - unable to find leader node; ensemble likely not writable\n"
                  "ENSEMBLE WARNING - node (zk3) is alive but not available\n"
                  "ENSEMBLE WARNING - socket error connecting to zk1: [Errno 111] Connection "
                  "refused\n"
                  "ENSEMBLE WARNING - socket error connecting to zk2: [Errno 111] Connection "
                  "refused\n") +
          kFooter);
}

TEST_F(ZookeeperCheckTest, NotImokAndOddStatesAreDeferredWarnings) {
  std::string cfg = Ensemble();
  servers_["zk1:2181"].ruok = "";
  servers_["zk3:2181"].mntr["zk_server_state"] = "observer";
  std::string out;
  EXPECT_EQ(Run(Opts("", cfg), &out), 1);
  EXPECT_EQ(out, std::string("ENSEMBLE WARNING - node (zk1) not OK: \n"
                             "invalid server state on zk3: observer\n") +
                     kFooter);
}

TEST_F(ZookeeperCheckTest, NodeAndEnsemble) {
  std::string cfg = Ensemble();
  std::string out;
  EXPECT_EQ(Run(Opts("zk2:2181", cfg), &out), 0);
  EXPECT_EQ(out, std::string("zookeeper node and ensemble OK\n") + kFooter);
  EXPECT_EQ(asked_.back(), "zk2:2181 srst");

  // Immediate lines in the order found (node, then ensemble); deferred after.
  servers_["zk1:2181"].isro = "ro";
  servers_["zk1:2181"].mntr["zk_avg_latency"] = "6000";
  servers_["zk2:2181"].down = true;
  asked_.clear();
  EXPECT_EQ(Run(Opts("zk1:2181", cfg), &out), 2);
  EXPECT_EQ(
      out,
      std::string("NODE CRITICAL - not in read/write mode: ro\n"
                  "NODE WARNING - average latency higher than expected: 6000 > 5000\n"
                  "ENSEMBLE CRITICAL - unable to find leader node; ensemble likely not writable\n"
                  "ENSEMBLE WARNING - socket error connecting to zk2: [Errno 111] Connection "
                  "refused\n") +
          kFooter);
}

TEST(ZookeeperMntrTest, ParsesTabSeparatedLines) {
  auto m = ParseMntr(
      "zk_version\t3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\n"
      "zk_server_state\tleader\nzk_avg_latency\t0.1667\r\nno tab here\n"
      "zk_learners\t2\n");
  EXPECT_EQ(m.size(), 4u);
  EXPECT_EQ(m["zk_version"], "3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC");
  EXPECT_EQ(m["zk_avg_latency"], "0.1667");
  EXPECT_EQ(m["zk_learners"], "2");
}

}  // namespace
}  // namespace hgc
