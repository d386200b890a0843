// The leader host's producer agent (src/leader/producer_agent.h) in a real
// cluster: pushes go through it on the embedded log and on real Kafka
// brokers; with the agent dead or hung a push is refused with the
// reference's message and the leader repository is unchanged; the
// supervisor restarts it and the next push flows; nothing lost or doubled.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <regex>

#include "cluster_fixture.h"
#include "common/subprocess.h"
#include "hg/repo_state.h"
#include "layout/cluster_layout.h"
#include "log/log.h"
#include "message/message.h"
#include "routing/partition_map.h"

namespace hgc::test {
namespace {

using namespace std::chrono_literals;
using std::chrono::steady_clock;

const char* kRefusal = "remote: replication log not available; all writes disabled";

std::string PushCount(const std::string& repo) {
  return Sh("sqlite3 " + repo + "/.hg/pushlog2.db 'select count(*) from pushlog'").out;
}

ClusterState State(Cluster& c) { return ClusterLayout::At(c.root()).LoadState(); }

int AgentPid(Cluster& c) {
  try {
    ClusterState state = State(c);
    return state.leader.hosts.empty() ? 0 : state.leader.hosts[0].agent_pid;
  } catch (const std::exception&) {
    return 0;  // cluster.json being rewritten
  }
}

// Changegroup events of `repo` in the log: exactly one per accepted push.
int ChangegroupEvents(Cluster& c, const std::string& repo) {
  auto status = c.Status();
  auto log = OpenLog(status["log"]["url"].get<std::string>(), "test-reader");
  int partition = Md5Mod("{moz}/" + repo, 8);
  int64_t high = log->GetWatermarks("pushdata", partition).high;
  auto cursor = log->OpenCursor({{"pushdata", partition, 0}});
  int count = 0;
  int64_t seen = 0;
  auto deadline = steady_clock::now() + 60s;
  while (seen < high && steady_clock::now() < deadline) {
    for (const auto& r : cursor->Poll(1000, 1000ms)) {
      seen = r.offset + 1;
      auto m = DecodeMessage(r.value);
      if (m.name == "hg-changegroup-2" && m.body.value("path", "") == "{moz}/" + repo) ++count;
    }
  }
  return count;
}

void SetAgentTimeout(Cluster& c, const std::string& seconds) {
  std::string hgrc = c.root() + "/leader/hgrc";
  std::string text = ReadFileOrEmpty(hgrc);
  text =
      std::regex_replace(text, std::regex("agenttimeout = [0-9.]+"), "agenttimeout = " + seconds);
  WriteFileAtomic(hgrc, text);
}

TEST(ProducerAgentE2E, DeadOrHungAgentRefusesPushesAndTheSupervisorRestartsIt) {
  Cluster c;
  ScratchDir work;
  std::string client = work / "client";
  auto status = c.Status();
  const auto& host = status["leader"]["hosts"][0];
  ASSERT_TRUE(host.value("agent_running", false)) << status.dump(2);
  std::string socket = host["agent_socket"];
  EXPECT_EQ(socket, c.root() + "/leader/hosts/leader/producer.sock");
  EXPECT_NE(ReadFileOrEmpty(c.root() + "/leader/hgrc")
                .find("agentsocket = " + c.root() + "/leader/hosts/{host}/producer.sock"),
            std::string::npos);
  c.CreateRepo("repo");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(CommitChange(client), 0);
  ASSERT_EQ(c.Push(client, "repo").exit_code, 0);
  int pushes = 1;
  std::string agent_log = ReadFileOrEmpty(c.root() + "/leader/hosts/leader/producer-agent.log");
  EXPECT_NE(agent_log.find("serving " + socket), std::string::npos) << agent_log;

  // Dead: the supervisor is held so it cannot restart the agent yet.
  int supervisor = State(c).supervisor_pid;
  int agent = AgentPid(c);
  ASSERT_GT(agent, 0);
  ASSERT_EQ(kill(supervisor, SIGSTOP), 0);
  ASSERT_EQ(kill(agent, SIGKILL), 0);
  ASSERT_EQ(CommitChange(client), 0);
  std::string before = RepoFingerprint(c.LeaderRepo("repo"));
  auto refused = c.Push(client, "repo");
  ASSERT_EQ(kill(supervisor, SIGCONT), 0);
  EXPECT_EQ(refused.exit_code, 255) << refused.out << refused.err;
  EXPECT_NE((refused.out + refused.err).find(kRefusal), std::string::npos)
      << refused.out << refused.err;
  EXPECT_NE((refused.out + refused.err).find("producer agent not reachable at " + socket),
            std::string::npos)
      << refused.out << refused.err;
  EXPECT_EQ(RepoFingerprint(c.LeaderRepo("repo")), before) << "the leader repository changed";

  // Restarted by the supervisor: the same push now flows.
  ASSERT_TRUE(WaitFor([&] { return AgentPid(c) != agent && AgentPid(c) > 0; }, 30s));
  ASSERT_TRUE(WaitFor([&] { return c.Push(client, "repo").exit_code == 0; }, 30s));
  ++pushes;

  // Hung (stopped, socket still there): refused once the hook's deadline passes.
  SetAgentTimeout(c, "1.5");
  int hung = AgentPid(c);
  ASSERT_EQ(kill(hung, SIGSTOP), 0);
  ASSERT_EQ(CommitChange(client), 0);
  before = RepoFingerprint(c.LeaderRepo("repo"));
  auto t = steady_clock::now();
  auto timed_out = c.Push(client, "repo");
  auto took = steady_clock::now() - t;
  kill(hung, SIGKILL);  // the supervisor reaps it and starts a new one
  kill(hung, SIGCONT);
  EXPECT_EQ(timed_out.exit_code, 255) << timed_out.out << timed_out.err;
  EXPECT_NE((timed_out.out + timed_out.err).find(kRefusal), std::string::npos)
      << timed_out.out << timed_out.err;
  EXPECT_NE((timed_out.out + timed_out.err).find("did not confirm the append within 1.5 s"),
            std::string::npos)
      << timed_out.out << timed_out.err;
  EXPECT_LT(took, 20s) << "a hung agent must not hang the push";
  EXPECT_EQ(RepoFingerprint(c.LeaderRepo("repo")), before);
  ASSERT_TRUE(WaitFor([&] { return AgentPid(c) != hung && AgentPid(c) > 0; }, 30s));
  SetAgentTimeout(c, "30");
  ASSERT_TRUE(WaitFor([&] { return c.Push(client, "repo").exit_code == 0; }, 30s));
  ++pushes;

  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  std::string count = std::to_string(pushes) + "\n";
  EXPECT_EQ(PushCount(c.LeaderRepo("repo")), count);
  for (int m = 1; m <= 2; ++m) EXPECT_EQ(PushCount(c.MirrorRepo(m, "repo")), count) << m;
  EXPECT_EQ(ChangegroupEvents(c, "repo"), pushes) << "one changegroup event per accepted push";

  // `down` stops the agent and removes its socket.
  int last = AgentPid(c);
  auto down = Hgcluster({"down", "--root", c.root()});
  ASSERT_EQ(down.exit_code, 0) << down.out << down.err;
  EXPECT_FALSE(ProcessAlive(last));
  EXPECT_FALSE(std::filesystem::exists(socket));
}

TEST(ProducerAgentKafkaE2E, PushesFlowThroughOneProducerOnRealBrokersAndSurviveItsDeath) {
  ClusterOptions o;
  o.kafka = true;
  o.kafka_brokers = 1;  // the agent's death is the point, not a broker's
  Cluster c(o);
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("repo");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  int pushes = 0;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(CommitChange(client), 0);
    auto r = c.Push(client, "repo");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    ++pushes;
  }
  std::string agent_log = ReadFileOrEmpty(c.root() + "/leader/hosts/leader/producer-agent.log");
  EXPECT_NE(agent_log.find("kafka log ready: topic pushdata has 8 partitions"), std::string::npos)
      << agent_log;
  // SIGKILL mid-stream: pushes are refused until the restart, then flow.
  int agent = AgentPid(c);
  ASSERT_EQ(kill(agent, SIGKILL), 0);
  ASSERT_EQ(CommitChange(client), 0);
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = c.Push(client, "repo");
        if (r.exit_code != 0) {
          EXPECT_NE((r.out + r.err).find(kRefusal), std::string::npos) << r.out << r.err;
        }
        return r.exit_code == 0;
      },
      60s));
  ++pushes;
  EXPECT_NE(AgentPid(c), agent);
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  std::string count = std::to_string(pushes) + "\n";
  EXPECT_EQ(PushCount(c.LeaderRepo("repo")), count);
  for (int m = 1; m <= 2; ++m) EXPECT_EQ(PushCount(c.MirrorRepo(m, "repo")), count) << m;
  EXPECT_EQ(ChangegroupEvents(c, "repo"), pushes) << "one changegroup event per accepted push";
}

}  // namespace
}  // namespace hgc::test
