// hgcluster on a real Apache Kafka cluster (kafka_cluster.h): `kafka-local`
// and `kafka-topics` themselves, `up --log kafka-local:N`, and pushes while
// brokers die. Every test starts its own brokers (JVMs): keep them few.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <random>
#include <thread>
#include <vector>

#include "cluster_fixture.h"
#include "common/error.h"
#include "common/subprocess.h"
#include "hg/repo_state.h"
#include "kafka_cluster.h"
#include "log/kafka_admin.h"
#include "log/kafka_class_archive.h"
#include "log/kafka_local.h"
#include "log/log.h"
#include "message/message.h"
#include "routing/partition_map.h"

namespace hgc::test {
namespace {

namespace fs = std::filesystem;
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
  // Every node maps the class archive, written by the first start of this install.
  std::string java = Sh("command -v java").out;
  java.erase(java.find_last_not_of('\n') + 1);
  std::string archive = KafkaClassArchivePath(java, DefaultKafkaLibs());
  EXPECT_TRUE(std::filesystem::exists(archive)) << archive;
  for (int n = 1; n <= 3; ++n) {
    std::string cmdline = ReadFileOrEmpty("/proc/" + std::to_string(k.Pid(n)) + "/cmdline");
    EXPECT_NE(cmdline.find("-XX:SharedArchiveFile=" + archive), std::string::npos) << n;
  }

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
  auto more =
      Hgcluster({"kafka-topics", "--bootstrap-server", k.bootstrap(), "--partitions", "16"});
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

// `up --log kafka-local:N` runs the whole local cluster on brokers it starts
// under ROOT/kafka, with the topics created (replication factor min(3, N):
// 2 here, one JVM fewer than 3); `down` stops them too.
TEST(KafkaLocalE2E, UpRunsTheClusterOnItsOwnKafkaAndDownStopsIt) {
  auto start = steady_clock::now();
  ClusterOptions o;
  o.up_args = {"--log", "kafka-local:2"};
  Cluster c(o);
  std::cout << "[ timing ] cluster on kafka-local ready after " << SecondsSince(start) << " s\n";
  std::string kafka_dir = c.root() + "/kafka";
  auto status = c.Status();
  EXPECT_EQ(status["log"]["backend"], "kafka");
  EXPECT_EQ(status["log"]["url"], "kafka://" + KafkaLocalBootstrap(kafka_dir));
  auto topics = Hgcluster({"kafka-topics", "--bootstrap-server", KafkaLocalBootstrap(kafka_dir)});
  EXPECT_NE(topics.out.find("exists  pushdata: 8 partition(s), replication factor 2"),
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
  EXPECT_NE(down.out.find("kafka-local at " + kafka_dir + " stopped (2 nodes)"), std::string::npos)
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
  EXPECT_NE((refused.out + refused.err)
                .find("remote: replication log not available; all writes "
                      "disabled"),
            std::string::npos)
      << refused.out << refused.err;
  EXPECT_NE((refused.out + refused.err).find("pretxnopen.hgcluster hook exited with status 1"),
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

// A mirror's consumer (here a second group, "late", with its own
// repositories) offline for longer than the log's retention never skips
// silently: when it starts it finds the deleted range, stops applying that
// partition (the others flow), says what was lost and how to recover, and
// check_vcsreplicator_lag is CRITICAL naming it. `hg replicatesync` on the
// leader plus `consume --accept-lost` recovers it.
//
// The log's limits, on one cluster shared by the tests of this suite (its
// JVMs start once): retention of 6 s with segments rolled every second, and
// records of at most 64 KiB compressed (topics and leader alike).
class KafkaLimitsE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ClusterOptions o;
    o.kafka = true;
    o.kafka_brokers = 1;  // retention and record size are per topic, not per broker
    o.mirrors = 1;
    o.up_args = {"--kafka-retention-ms",      "6000", "--kafka-segment-ms", "1000",
                 "--kafka-max-message-bytes", "65536"};
    cluster_ = new Cluster(o);
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  static Cluster* cluster_;
};

Cluster* KafkaLimitsE2E::cluster_ = nullptr;

TEST_F(KafkaLimitsE2E, AConsumerOfflineLongerThanRetentionStopsThePartitionAndSaysHowToRecover) {
  Cluster& c = *cluster_;
  ScratchDir work;
  c.CreateRepo("repo");
  int partition = Md5Mod("{moz}/repo", 8);
  std::string other;
  for (int i = 0; other.empty(); ++i) {
    std::string name = "other" + std::to_string(i);
    if (Md5Mod("{moz}/" + name, 8) != partition) other = name;
  }
  c.CreateRepo(other);
  std::string client = work / "client";
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(CommitChange(client), 0);
  ASSERT_EQ(c.Push(client, "repo").exit_code, 0);

  std::string ini = work / "late/consumer.ini";
  fs::create_directories(work / "late/repos");
  WriteFileAtomic(ini, "[consumer]\nlog = kafka://" + c.kafka()->bootstrap() +
                           "\nclient_id = late\ntopic = pushdata\ngroup = late\n"
                           "poll_timeout = 0.1\nworkers = 2\n\n[path_rewrites]\n{moz} = " +
                           (work / "late/repos") + "\n\n[pull_url_rewrites]\n{moz} = " + c.root() +
                           "/leader/repos\n");
  std::string late_repo = work / "late/repos/repo";
  std::string late_log = work / "late/consumer.log";
  int pid = 0;
  auto start = [&] { pid = SpawnDaemon({HgclusterBin(), "consume", ini}, late_log); };
  auto stop = [&] {
    if (pid <= 0) return;
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
    pid = 0;
  };
  struct Reaper {
    std::function<void()> stop;
    ~Reaper() { stop(); }
  } reaper{stop};
  auto same = [&](const std::string& name) {
    return RepoFingerprint(c.LeaderRepo(name)) == RepoFingerprint(work / ("late/repos/" + name));
  };
  start();
  ASSERT_TRUE(WaitFor([&] { return same("repo") && same(other); }, std::chrono::seconds(60)))
      << ReadFileOrEmpty(late_log);
  stop();

  // Offline: pushes land, and the log deletes them (segments roll on each
  // append older than 1 s; what is older than 6 s goes).
  auto log = OpenLog("kafka://" + c.kafka()->bootstrap(), "test");
  int64_t committed = log->Committed("late", "pushdata", {partition})[partition];
  bool deleted = false;
  for (int i = 0; i < 40 && !deleted; ++i) {
    ASSERT_EQ(CommitChange(client), 0);
    ASSERT_EQ(c.Push(client, "repo").exit_code, 0);
    deleted = WaitFor([&] { return log->GetWatermarks("pushdata", partition).low > committed; },
                      std::chrono::seconds(2));
  }
  ASSERT_TRUE(deleted) << "retention never deleted offset " << committed;
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");  // mirror1 kept up all along

  start();
  std::string lost = fmt::format("partition {} of pushdata: offsets {} to ", partition, committed);
  ASSERT_TRUE(WaitFor([&] { return ReadFileOrEmpty(late_log).find(lost) != std::string::npos; },
                      std::chrono::seconds(30)))
      << ReadFileOrEmpty(late_log);
  std::string line = ReadFileOrEmpty(late_log);
  EXPECT_NE(line.find("were deleted by the log's retention before this consumer applied them; "
                      "it stopped applying partition " +
                      std::to_string(partition)),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("`hgcluster bootstrap hgweb " + ini + " DOC`"), std::string::npos) << line;
  // The other partitions flow.
  ASSERT_EQ(CommitChange(client, "g"), 0);
  ASSERT_EQ(c.Push(client, other, "-f").exit_code, 0);
  EXPECT_TRUE(WaitFor([&] { return same(other); }, std::chrono::seconds(60)))
      << ReadFileOrEmpty(late_log);
  EXPECT_FALSE(same("repo")) << "nothing of the stopped partition is applied";
  auto check = Hgcluster({"check_vcsreplicator_lag", ini});
  EXPECT_EQ(check.exit_code, 2) << check.out;
  EXPECT_NE(check.out.find("CRITICAL - " + lost), std::string::npos) << check.out;

  // Recover: a sync per repository of the partition, then accept the loss.
  auto sync = Sh("command hg -R " + c.LeaderRepo("repo") + " replicatesync", {{"HGRCPATH", ""}});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  stop();
  auto accept = Hgcluster({"consume", ini, "--accept-lost"});
  EXPECT_EQ(accept.exit_code, 0) << accept.out << accept.err;
  EXPECT_NE(accept.out.find(fmt::format("partition {} of pushdata: accepted the loss of offsets {} "
                                        "to ",
                                        partition, committed)),
            std::string::npos)
      << accept.out;
  start();
  EXPECT_TRUE(WaitFor([&] { return same("repo"); }, std::chrono::seconds(60)))
      << ReadFileOrEmpty(late_log);
  EXPECT_TRUE(WaitFor(
      [&] {
        return Hgcluster({"check_vcsreplicator_lag", ini}).exit_code == 0;
      },
      std::chrono::seconds(30)))
      << Hgcluster({"check_vcsreplicator_lag", ini}).out;
}

// Events bigger than a record of the log: a push is refused before its
// transaction commits (the leader unchanged, nothing logged), a sync before
// anything is written; the Kafka producer compresses, and a record the
// broker refuses fails at once with a clear error, not a 10 s timeout.
TEST_F(KafkaLimitsE2E, OversizedEventsAreRefusedWholeAndCompressedOnesFit) {
  Cluster& c = *cluster_;
  ScratchDir work;
  auto log = OpenLog("kafka://" + c.kafka()->bootstrap(), "test");

  // The producer against the broker itself, on a topic of its own.
  KafkaTopicOptions topic;
  topic.max_message_bytes = 65536;
  CreateKafkaTopics(c.kafka()->bootstrap(), {{"limits", 1}}, topic);
  std::string compressible;
  while (compressible.size() < 300'000) compressible += "{\"pushid\": 1, \"user\": \"alice\"}, ";
  EXPECT_GE(log->Append("limits", 0, compressible), 0) << "300 KB that compress below 64 KiB";
  std::string noise(100'000, '\0');
  std::mt19937 rng(1);
  for (char& ch : noise) ch = static_cast<char>(rng());
  auto t = steady_clock::now();
  try {
    log->Append("limits", 0, noise);
    ADD_FAILURE() << "100 KB of noise were accepted by a topic of 64 KiB records";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kTooLarge) << e.what();
    EXPECT_NE(std::string(e.what()).find("refused a record as too large"), std::string::npos)
        << e.what();
  }
  EXPECT_LE(SecondsSince(t), 5) << "a refusal is an answer, not a delivery timeout";
  EXPECT_GE(log->Append("limits", 0, "after"), 0) << "the producer still works";

  // A repository with 2,000 heads, pushed 200 at a time: each push's events fit.
  c.CreateRepo("wide");
  std::string client = work / "client";
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  std::string dag;
  for (int i = 0; i < 3500; ++i) dag += "+1$";
  ASSERT_EQ(c.Hg("-R " + client + " debugbuilddag '" + dag + "'").exit_code, 0);
  for (int round = 0; round < 10; ++round) {
    auto r = c.Push(client, "wide", fmt::format("-f -r {}:{}", round * 200, round * 200 + 199));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  ASSERT_TRUE(c.WaitConverged("wide")) << c.Explain("wide");

  // 1,500 new heads at once: the changegroup event would not fit.
  int partition = Md5Mod("{moz}/wide", 8);
  int64_t high = log->GetWatermarks("pushdata", partition).high;
  std::string before = RepoFingerprint(c.LeaderRepo("wide"));
  auto refused = c.Push(client, "wide", "-f -r 2000:3499");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE((refused.out + refused.err)
                .find("remote: push refused: the changegroup and heads events of this push would "
                      "be "),
            std::string::npos)
      << refused.out << refused.err;
  EXPECT_NE((refused.out + refused.err)
                .find("more than the log accepts ([replicationproducer] "
                      "maxmessagebytes = 65536); nothing was written"),
            std::string::npos)
      << refused.out << refused.err;
  EXPECT_EQ(RepoFingerprint(c.LeaderRepo("wide")), before);
  // Only the heartbeats of the refused transaction reached the log.
  for (const auto& r :
       log->OpenCursor({{"pushdata", partition, high}})->Poll(100, std::chrono::seconds(1))) {
    EXPECT_EQ(DecodeMessage(r.value).type, MessageType::kHeartbeat) << r.offset;
  }

  // A sync carries every head and the whole pushlog: 2,000 of each do not fit.
  auto sync = Sh("command hg -R " + c.LeaderRepo("wide") + " replicatesync", {{"HGRCPATH", ""}});
  EXPECT_EQ(sync.exit_code, 255) << sync.out << sync.err;
  EXPECT_NE(sync.err.find("abort: the synchronization events of {moz}/wide would be "),
            std::string::npos)
      << sync.err;
  for (const auto& r :
       log->OpenCursor({{"pushdata", partition, high}})->Poll(100, std::chrono::seconds(1))) {
    EXPECT_EQ(DecodeMessage(r.value).type, MessageType::kHeartbeat) << r.offset;
  }

  // A push of ordinary size still goes through and replicates.
  ASSERT_EQ(CommitChange(client), 0);
  auto ok = c.Push(client, "wide", "-f -r .");
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_TRUE(c.WaitConverged("wide")) << c.Explain("wide");
}

}  // namespace
}  // namespace hgc::test

namespace hgc::test {
namespace {

// Runs `hgcluster kafka reassign-partitions ARGS` (Kafka's own tool).
ProcessResult Reassign(const std::string& bootstrap, std::vector<std::string> args) {
  std::vector<std::string> argv{"kafka", "reassign-partitions", "--bootstrap-server", bootstrap};
  argv.insert(argv.end(), args.begin(), args.end());
  return Hgcluster(argv);
}

// The runbook's three steps: --generate a plan for `brokers`, --execute it,
// --verify until every partition's reassignment is completed.
void Rebalance(const std::string& bootstrap, const std::string& topics, const std::string& brokers,
               const std::string& plan) {
  auto generated = Reassign(
      bootstrap, {"--topics-to-move-json-file", topics, "--broker-list", brokers, "--generate"});
  ASSERT_EQ(generated.exit_code, 0) << generated.out << generated.err;
  auto at = generated.out.find("Proposed partition reassignment configuration\n");
  ASSERT_NE(at, std::string::npos) << generated.out;
  std::string proposal = generated.out.substr(at + 46);
  proposal = proposal.substr(0, proposal.find('\n'));
  WriteFileAtomic(plan, proposal + "\n");
  auto executed = Reassign(bootstrap, {"--reassignment-json-file", plan, "--execute"});
  ASSERT_EQ(executed.exit_code, 0) << executed.out << executed.err;
  EXPECT_NE(executed.out.find("Successfully started partition reassignments"), std::string::npos)
      << executed.out;
  ProcessResult verified;
  ASSERT_TRUE(WaitFor(
      [&] {
        verified = Reassign(bootstrap, {"--reassignment-json-file", plan, "--verify"});
        return verified.exit_code == 0 &&
               verified.out.find("is still in progress") == std::string::npos;
      },
      std::chrono::seconds(120)))
      << verified.out << verified.err;
  EXPECT_NE(verified.out.find("Reassignment of partition pushdata-0 is completed."),
            std::string::npos)
      << verified.out;
}

// The runbook's Kafka procedures on a real cluster while a client keeps
// pushing: "Adding a new server" (a 4th broker), "Rebalancing Kafka Data"
// onto it and off it again with kafka-reassign-partitions and the runbook's
// topics file, "Removing an old Kafka Node" — then the "Kafka Nuclear
// Option": every broker wiped and re-formatted, `bootstrap cluster
// --log-already-wiped`. No push is refused, lost or applied twice.
TEST(KafkaRunbookE2E, BrokersAddedRebalancedAndRemovedWhilePushingThenTheNuclearOption) {
  Cluster c([] {
    ClusterOptions o;
    o.kafka = true;
    return o;
  }());
  KafkaCluster& k = *c.kafka();
  ScratchDir work;
  c.CreateRepo("repo");
  std::string client = work / "client";
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);

  std::atomic<bool> stop{false};
  std::atomic<int> pushed{0};
  std::atomic<bool> refused{false};
  std::string refusal;  // written by the pusher before it sets `refused`
  std::thread pusher([&] {
    while (!stop && pushed < 200) {
      if (CommitChange(client) != 0) break;
      auto r = c.Push(client, "repo");
      if (r.exit_code != 0) {
        refusal = r.out + r.err;
        refused = true;
        break;
      }
      ++pushed;
    }
  });
  struct Joiner {
    std::atomic<bool>& stop;
    std::thread& t;
    ~Joiner() {
      stop = true;
      if (t.joinable()) t.join();
    }
  } joiner{stop, pusher};

  // Adding a new server.
  auto added = Hgcluster({"kafka-local", "--dir", k.dir(), "--add-broker"});
  ASSERT_EQ(added.exit_code, 0) << added.out << added.err;
  EXPECT_NE(added.out.find("kafka-local: broker 4 joined"), std::string::npos) << added.out;
  const std::string& bootstrap = k.bootstrap();  // the first three nodes
  EXPECT_TRUE(KafkaReplicasOn(bootstrap, 4, std::chrono::seconds(10)).empty());

  // Rebalancing onto it, with the runbook's topics file.
  std::string topics = work / "topics.json";
  WriteFileAtomic(topics,
                  R"({"topics": [{"topic": "pushdata"}, {"topic": "replicatedpushdatapending"},)"
                  R"( {"topic": "replicatedpushdata"}, {"topic": "__consumer_offsets"}],)"
                  R"( "version": 1})"
                  "\n");
  ASSERT_NO_FATAL_FAILURE(Rebalance(bootstrap, topics, "1,2,3,4", work / "onto.json"));
  EXPECT_FALSE(KafkaReplicasOn(bootstrap, 4, std::chrono::seconds(10)).empty());
  int before_removal = pushed;

  // A broker that still holds data is not removed.
  auto early = Hgcluster({"kafka-local", "--dir", k.dir(), "--remove-node", "4"});
  EXPECT_EQ(early.exit_code, 1);
  EXPECT_NE(early.err.find("broker 4 still holds replicas of "), std::string::npos) << early.err;

  // Moving the data off it, then removing it.
  ASSERT_NO_FATAL_FAILURE(Rebalance(bootstrap, topics, "1,2,3", work / "off.json"));
  EXPECT_TRUE(KafkaReplicasOn(bootstrap, 4, std::chrono::seconds(10)).empty());
  auto removed = Hgcluster({"kafka-local", "--dir", k.dir(), "--remove-node", "4"});
  ASSERT_EQ(removed.exit_code, 0) << removed.out << removed.err;
  EXPECT_EQ(KafkaBrokerCount(bootstrap, std::chrono::seconds(10)), 3);
  // Pushes went on through all of it.
  int target = pushed + 3;
  EXPECT_TRUE(WaitFor([&] { return pushed >= target || refused; }, std::chrono::seconds(60)));
  stop = true;
  pusher.join();
  ASSERT_FALSE(refused) << refusal;
  std::cout << "[ timing ] " << pushed << " pushes during the broker operations (" << before_removal
            << " before broker 4 was emptied)\n";
  EXPECT_GT(before_removal, 0);
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  std::string count = std::to_string(pushed.load()) + "\n";
  EXPECT_EQ(PushCount(c.LeaderRepo("repo")), count);
  for (int m = 1; m <= 2; ++m) EXPECT_EQ(PushCount(c.MirrorRepo(m, "repo")), count) << m;

  // The nuclear option: the runbook's steps, then bootstrap cluster.
  auto readonly =
      Hgcluster({"readonly", "--root", c.root(), "--all", "--reason", "replication log reset"});
  ASSERT_EQ(readonly.exit_code, 0) << readonly.out << readonly.err;
  ASSERT_EQ(Hgcluster({"down", "--root", c.root()}).exit_code, 0);
  ASSERT_EQ(Hgcluster({"kafka-local", "--dir", k.dir(), "--stop"}).exit_code, 0);
  for (int n = 1; n <= 3; ++n) fs::remove_all(k.dir() + "/node" + std::to_string(n) + "/data");
  k.Restart();  // formats the wiped storage
  auto created = Hgcluster({"kafka-topics", "--bootstrap-server", bootstrap});
  ASSERT_EQ(created.exit_code, 0) << created.out << created.err;
  EXPECT_NE(created.out.find("created pushdata: 8 partition(s)"), std::string::npos) << created.out;
  auto reset = Hgcluster({"bootstrap", "cluster", "--root", c.root(), "--log-already-wiped"});
  ASSERT_EQ(reset.exit_code, 0) << reset.out << reset.err;
  auto writable = Hgcluster({"readonly", "--root", c.root(), "--all", "--off"});
  EXPECT_EQ(writable.exit_code, 0) << writable.out << writable.err;
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  for (int m = 1; m <= 2; ++m) EXPECT_EQ(PushCount(c.MirrorRepo(m, "repo")), count) << m;
  ASSERT_EQ(CommitChange(client), 0);
  auto after = c.Push(client, "repo");
  ASSERT_EQ(after.exit_code, 0) << after.out << after.err;
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  count = std::to_string(pushed.load() + 1) + "\n";
  for (int m = 1; m <= 2; ++m) EXPECT_EQ(PushCount(c.MirrorRepo(m, "repo")), count) << m;
}

}  // namespace
}  // namespace hgc::test
