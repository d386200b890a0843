// hgcluster on a real Apache Kafka cluster (kafka_cluster.h): `kafka-local`
// and `kafka-topics` themselves, `up --log kafka-local:N`, and pushes while
// brokers die. Every test starts its own brokers (JVMs): keep them few.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "cluster_fixture.h"
#include "hg/repo_state.h"
#include "kafka_cluster.h"
#include "log/kafka_local.h"
#include "log/log.h"
#include "routing/partition_map.h"

namespace hgc::test {
namespace {

using std::chrono::steady_clock;

long SecondsSince(steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(steady_clock::now() - t).count();
}

std::string PushCount(const std::string& repo) {
  return Sh("sqlite3 " + repo + "/.hg/pushlog2.db 'select count(*) from pushlog'").out;
}

TEST(KafkaLocalE2E, MissingJarsSayHowToInstallThem) {
  ScratchDir dir;
  auto r = Hgcluster({"kafka-local", "--dir", dir / "k", "--libs", dir / "nojars", "--detach"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("Apache Kafka's jars are not in " + (dir / "nojars")), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("run scripts/install-kafka.sh"), std::string::npos) << r.err;
}

// Three KRaft nodes serve, topics come out as the reference lays them out
// (idempotently), the log survives a node's clean stop and a SIGKILL, and a
// restart reuses the ports and the data.
TEST(KafkaLocalE2E, ServesCreatesTopicsAndKeepsDataAcrossNodeRestarts) {
  auto start = steady_clock::now();
  KafkaCluster k;
  std::cout << "[ timing ] 3 Kafka brokers serving after " << SecondsSince(start) << " s\n";
  EXPECT_EQ(ReadFileOrEmpty(k.dir() + "/bootstrap"), k.bootstrap() + "\n");
  for (int n = 1; n <= 3; ++n) EXPECT_TRUE(k.running(n)) << n;

  auto create = Hgcluster({"kafka-topics", "--bootstrap-server", k.bootstrap()});
  ASSERT_EQ(create.exit_code, 0) << create.out << create.err;
  EXPECT_NE(create.out.find("created pushdata: 8 partition(s), replication factor 3"),
            std::string::npos)
      << create.out;
  EXPECT_NE(create.out.find("created replicatedpushdatapending: 1 partition(s), replication "
                            "factor 3"),
            std::string::npos)
      << create.out;
  EXPECT_NE(create.out.find("created replicatedpushdata: 1 partition(s)"), std::string::npos)
      << create.out;
  auto again = Hgcluster({"kafka-topics", "--bootstrap-server", k.bootstrap()});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("exists  pushdata: 8 partition(s), replication factor 3"),
            std::string::npos)
      << again.out;
  auto more = Hgcluster({"kafka-topics", "--bootstrap-server", k.bootstrap(), "--partitions", "16"});
  EXPECT_EQ(more.exit_code, 1);
  EXPECT_NE(more.err.find("Kafka topic 'pushdata' on " + k.bootstrap() +
                          " has 8 partition(s) but 16 are wanted"),
            std::string::npos)
      << more.err;

  auto log = OpenLog("kafka://" + k.bootstrap(), "kafka-local-test");
  log->EnsureTopic("pushdata", 8);
  int64_t first = log->Append("pushdata", 3, "one");

  k.Stop(1);
  EXPECT_FALSE(k.running(1));
  EXPECT_EQ(log->Append("pushdata", 3, "two"), first + 1) << "2 of 3 brokers keep accepting";
  k.Restart();
  EXPECT_TRUE(k.running(1));
  EXPECT_EQ(KafkaLocalBootstrap(k.dir()), k.bootstrap()) << "a restart keeps the ports";

  k.Kill(2);
  EXPECT_FALSE(k.running(2));
  EXPECT_EQ(log->Append("pushdata", 3, "three"), first + 2);
  k.Restart();
  EXPECT_TRUE(k.running(2));
  EXPECT_EQ(log->GetWatermarks("pushdata", 3).high, first + 3);
  auto cursor = log->OpenCursor({{"pushdata", 3, first}});
  std::vector<std::string> values;
  ASSERT_TRUE(WaitFor([&] {
    for (auto& r : cursor->Poll(10, std::chrono::milliseconds(200))) values.push_back(r.value);
    return values.size() >= 3;
  }));
  EXPECT_EQ(values, (std::vector<std::string>{"one", "two", "three"}));
  std::cout << "[ timing ] whole test " << SecondsSince(start) << " s\n";
}

// `up --log kafka-local:3` runs the whole local cluster on brokers it starts
// under ROOT/kafka, with the topics created; `down` stops them too.
TEST(KafkaLocalE2E, UpRunsTheClusterOnItsOwnKafkaAndDownStopsIt) {
  auto start = steady_clock::now();
  ClusterOptions o;
  o.up_args = {"--log", "kafka-local:3"};
  Cluster c(o);
  std::cout << "[ timing ] cluster on kafka-local ready after " << SecondsSince(start) << " s\n";
  std::string kafka_dir = c.root() + "/kafka";
  auto status = c.Status();
  EXPECT_EQ(status["log"]["backend"], "kafka");
  EXPECT_EQ(status["log"]["url"], "kafka://" + KafkaLocalBootstrap(kafka_dir));
  auto topics = Hgcluster({"kafka-topics", "--bootstrap-server", KafkaLocalBootstrap(kafka_dir)});
  EXPECT_NE(topics.out.find("exists  pushdata: 8 partition(s), replication factor 3"),
            std::string::npos)
      << topics.out << topics.err;

  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("repo");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + client + " debugbuilddag '+3'").exit_code, 0);
  auto push = c.Push(client, "repo");
  ASSERT_EQ(push.exit_code, 0) << push.out << push.err;
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");

  auto down = Hgcluster({"down", "--root", c.root()});
  EXPECT_EQ(down.exit_code, 0) << down.out << down.err;
  EXPECT_NE(down.out.find("kafka-local at " + kafka_dir + " stopped (3 nodes)"), std::string::npos)
      << down.out;
  for (int n : KafkaLocalNodes(kafka_dir)) EXPECT_EQ(KafkaLocalNodePid(kafka_dir, n), 0) << n;
  std::cout << "[ timing ] whole test " << SecondsSince(start) << " s\n";
}

// A broker SIGKILLed during a stream of pushes, the leader of the
// repository's partition first: every push is accepted and replicated once.
// Two of three down: pushes are refused with the reference's message and the
// leader repository is unchanged. After the restart everything flows.
TEST(KafkaFailoverE2E, BrokerDeathsDuringPushesLoseNothingAndTwoDownRefuses) {
  auto start = steady_clock::now();
  ClusterOptions o;
  o.kafka = true;
  Cluster c(o);
  KafkaCluster& k = *c.kafka();
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("repo");
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + client + " debugbuilddag '+1'").exit_code, 0);
  ASSERT_EQ(c.Push(client, "repo").exit_code, 0);
  int pushes = 1;

  int partition = Md5Mod("{moz}/repo", 8);
  int leader = k.PartitionLeader("pushdata", partition);
  ASSERT_GE(leader, 1) << "pushdata/" << partition << " has no leader";
  for (int i = 0; i < 6; ++i) {
    if (i == 2) k.Kill(leader);  // between two pushes of the stream
    ASSERT_EQ(CommitChange(client), 0);
    auto t = steady_clock::now();
    auto r = c.Push(client, "repo");
    ASSERT_EQ(r.exit_code, 0) << "push " << i << " refused:\n" << r.out << r.err;
    ++pushes;
    if (i == 2) {
      std::cout << "[ timing ] first push after the partition leader's death: " << SecondsSince(t)
                << " s\n";
    }
  }
  int new_leader = k.PartitionLeader("pushdata", partition);
  EXPECT_NE(new_leader, leader);
  EXPECT_GE(new_leader, 1);
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  std::string count = std::to_string(pushes) + "\n";
  EXPECT_EQ(PushCount(c.LeaderRepo("repo")), count);
  for (int m = 1; m <= 2; ++m) EXPECT_EQ(PushCount(c.MirrorRepo(m, "repo")), count) << m;

  // A second broker down: no quorum, no min.insync.replicas.
  k.Kill(new_leader);
  ASSERT_EQ(CommitChange(client), 0);
  std::string before = RepoFingerprint(c.LeaderRepo("repo"));
  auto t = steady_clock::now();
  auto refused = c.Push(client, "repo");
  std::cout << "[ timing ] push refused after " << SecondsSince(t) << " s\n";
  EXPECT_EQ(refused.exit_code, 255) << refused.out << refused.err;
  EXPECT_NE((refused.out + refused.err).find("remote: replication log not available; all writes "
                                             "disabled"),
            std::string::npos)
      << refused.out << refused.err;
  EXPECT_EQ(RepoFingerprint(c.LeaderRepo("repo")), before);
  EXPECT_LE(SecondsSince(t), 40) << "a refusal must be prompt, not a hang";

  k.Restart();
  ASSERT_TRUE(
      WaitFor([&] { return c.Push(client, "repo").exit_code == 0; }, std::chrono::seconds(60)));
  ++pushes;
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  count = std::to_string(pushes) + "\n";
  EXPECT_EQ(PushCount(c.LeaderRepo("repo")), count);
  for (int m = 1; m <= 2; ++m) EXPECT_EQ(PushCount(c.MirrorRepo(m, "repo")), count) << m;
  std::cout << "[ timing ] whole test " << SecondsSince(start) << " s\n";
}

}  // namespace
}  // namespace hgc::test
