#include "aggregator/aggregator.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <random>
#include <thread>

#include "common/clock.h"
#include "common/error.h"
#include "hg/repo_state.h"
#include "log/faulty_log.h"
#include "message/message.h"
#include "routing/partition_map.h"
#include "test_support.h"

namespace hgc {
namespace {

using std::chrono::milliseconds;

struct Fixture {
  test::ScratchDir dir;
  std::string db = dir / "log.db";
  std::unique_ptr<Log> log = OpenLog("sqlite://" + db);
  AggregatorConfig config;
  Fixture() {
    log->EnsureTopic("pushdata", 8);
    log->EnsureTopic("replicatedpushdatapending", 1);
    log->EnsureTopic("replicatedpushdata", 1);
    WriteFileAtomic(dir / "groups", "mirror1\n  mirror2  \n\n");
    config.log_url = "sqlite://" + db;
    config.monitor_topic = "pushdata";
    config.monitor_groups_file = dir / "groups";
    config.ack_group = "pushdataaggregator";
    config.aggregate_topic = "replicatedpushdatapending";
    WriteFileAtomic(dir / "agg.ini",
                    "[aggregator]\nlog = sqlite://" + db +
                        "\nclient_id = agg\nmonitor_topic = pushdata\nmonitor_groups_file = " +
                        (dir / "groups") +
                        "\nack_group = pushdataaggregator\naggregate_topic = "
                        "replicatedpushdatapending\n");
  }
  std::vector<Message> Aggregated(const std::string& topic = "replicatedpushdatapending") {
    std::vector<Message> out;
    auto high = log->GetWatermarks(topic, 0).high;
    auto cursor = log->OpenCursor({{topic, 0, 0}});
    while (static_cast<int64_t>(out.size()) < high) {
      auto recs = cursor->Poll(10000, milliseconds(1000));
      if (recs.empty()) break;
      for (auto& r : recs) out.push_back(DecodeMessage(r.value));
    }
    return out;
  }
};

TEST(AggregatorTest, CopiesOnlyWhatEveryGroupAppliedKeepingTheTrueOrigin) {
  Fixture f;
  for (int i = 0; i < 3; ++i) {
    f.log->Append(
        "pushdata", 2,
        EncodeMessage(MakeChangegroup("{moz}/a", "serve", 1,
                                      {std::string(40, static_cast<char>('a' + i))}, 1000.0 + i)));
  }
  Aggregator agg(f.config, *f.log);
  f.log->Commit("mirror1", "pushdata", {{2, 3}});
  EXPECT_EQ(agg.Iterate(), 0) << "mirror2 has applied nothing yet";
  EXPECT_EQ(agg.never_committed(), (std::set<std::string>{"mirror2"}));
  f.log->Commit("mirror2", "pushdata", {{2, 2}});
  EXPECT_EQ(agg.Iterate(), 2);
  EXPECT_TRUE(agg.never_committed().empty());
  f.log->Commit("mirror2", "pushdata", {{2, 3}});
  EXPECT_EQ(agg.Iterate(), 1);
  EXPECT_EQ(agg.Iterate(), 0);
  auto copied = f.Aggregated();
  ASSERT_EQ(copied.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(copied[i].heads[0][0], 'a' + i);
    EXPECT_EQ(copied[i].body["_original_created"], 1000.0 + i);
    EXPECT_EQ(copied[i].body["_original_partition"], 2);
    EXPECT_EQ(copied[i].body["_aggregated_from"]["offset"], i);
    EXPECT_GT(copied[i].created, 1700000000.0);
  }
  // Second stage keeps the first stage's origin (the reference lost it).
  AggregatorConfig second = f.config;
  second.monitor_topic = "replicatedpushdatapending";
  second.aggregate_topic = "replicatedpushdata";
  f.log->Commit("mirror1", "replicatedpushdatapending", {{0, 3}});
  f.log->Commit("mirror2", "replicatedpushdatapending", {{0, 3}});
  Aggregator stage2(second, *f.log);
  EXPECT_EQ(stage2.Iterate(), 3);
  auto final_msgs = f.Aggregated("replicatedpushdata");
  ASSERT_EQ(final_msgs.size(), 3u);
  EXPECT_EQ(final_msgs[1].body["_original_created"], 1001.0);
  EXPECT_EQ(final_msgs[1].body["_original_partition"], 2);
  EXPECT_EQ(final_msgs[1].body["_aggregated_from"]["topic"], "replicatedpushdatapending");
}

TEST(AggregatorTest, AChangegroupWaitsForItsHeadsMessage) {
  Fixture f;
  std::string node(40, 'c');
  f.log->AppendBatch("pushdata", 3,
                     {EncodeMessage(MakeChangegroup("{moz}/a", "serve", 1, {node}, 5.0)),
                      EncodeMessage(MakeHeads("{moz}/a", {node}, 1, 5.0))});
  Aggregator agg(f.config, *f.log);
  f.log->Commit("mirror1", "pushdata", {{3, 1}});
  f.log->Commit("mirror2", "pushdata", {{3, 1}});
  EXPECT_EQ(agg.Iterate(), 0) << "the changegroup must not go ahead of its heads";
  f.log->Commit("mirror1", "pushdata", {{3, 2}});
  f.log->Commit("mirror2", "pushdata", {{3, 2}});
  EXPECT_EQ(agg.Iterate(), 2);
  auto copied = f.Aggregated();
  ASSERT_EQ(copied.size(), 2u);
  EXPECT_EQ(copied[0].type, MessageType::kChangegroup);
  EXPECT_EQ(copied[1].type, MessageType::kHeads);
}

TEST(AggregatorTest, RecoverCommitsPastACopyWhoseCommitWasLost) {
  Fixture f;
  for (int i = 0; i < 5; ++i) {
    f.log->Append("pushdata", 1, EncodeMessage(MakeHeartbeat(1.0 + i)));
  }
  f.log->Commit("mirror1", "pushdata", {{1, 5}});
  f.log->Commit("mirror2", "pushdata", {{1, 5}});
  Aggregator agg(f.config, *f.log);
  EXPECT_EQ(agg.Iterate(), 5);
  // As if the process died after the append and before the commit.
  f.log->Commit("pushdataaggregator", "pushdata", {{1, 2}});
  Aggregator restarted(f.config, *f.log);
  restarted.Recover();
  EXPECT_EQ(f.log->Committed("pushdataaggregator", "pushdata", {1})[1], 5);
  EXPECT_EQ(restarted.Iterate(), 0);
  EXPECT_EQ(f.Aggregated().size(), 5u);
}

TEST(AggregatorTest, EmptyGroupsFileIsAnErrorNotASilentStall) {
  Fixture f;
  WriteFileAtomic(f.dir / "groups", "\n");
  Aggregator agg(f.config, *f.log);
  try {
    agg.Iterate();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no groups listed in"), std::string::npos);
  }
}

// The real daemon, killed with SIGKILL at random moments while mirrors keep
// committing: every event reaches the aggregate topic exactly once, and each
// repository's events stay in order.
TEST(AggregatorTest, KilledAtRandomPointsCopiesEveryEventExactlyOnce) {
  Fixture f;
  constexpr int kRepos = 20, kEvents = 1000;
  std::vector<std::string> repos;
  for (int i = 0; i < kRepos; ++i) repos.push_back("{moz}/repo" + std::to_string(i));
  std::mt19937 rng(42);
  std::map<int, int64_t> appended;
  std::map<std::string, int> seq;
  for (int i = 0; i < kEvents; ++i) {
    const std::string& repo = repos[rng() % kRepos];
    int p = Md5Mod(repo, 8);
    nlohmann::json m = MakeChangegroup(repo, "serve", 1, {std::string(40, 'a')}, 1.0 + i);
    m["seq"] = seq[repo]++;
    f.log->Append("pushdata", p, EncodeMessage(m));
    appended[p]++;
  }
  // Some kills land exactly between a copy and its commit: the crash point
  // is armed before every third restart.
  std::string flag = f.dir / "crash-armed";
  ProcessOptions env;
  env.env_set = {{"HGCLUSTER_CRASH_AT", "aggregator-after-append:" + flag}};
  int restarts = 0;
  auto start = [&](bool may_arm) {
    if (may_arm && ++restarts % 3 == 0) WriteFileAtomic(flag, "armed\n");
    return SpawnDaemon({test::HgclusterBin(), "aggregate", f.dir / "agg.ini"}, f.dir / "agg.log",
                       env);
  };
  int pid = start(true);
  std::map<int, int64_t> committed;
  int kills = 0;
  while (true) {
    // Mirrors progress in random steps.
    bool done = true;
    for (auto& [p, n] : appended) {
      committed[p] = std::min(n, committed[p] + static_cast<int64_t>(rng() % 40));
      if (committed[p] < n) done = false;
    }
    int64_t before = f.log->GetWatermarks("replicatedpushdatapending", 0).high;
    f.log->Commit("mirror1", "pushdata", committed);
    f.log->Commit("mirror2", "pushdata", committed);
    // Kill only once this daemon copied something (or crashed at the armed
    // point by itself), then at a random moment of its next steps.
    int status = 0;
    bool exited = false;
    test::WaitFor(
        [&] {
          if (waitpid(pid, &status, WNOHANG) == pid) exited = true;
          return exited || f.log->GetWatermarks("replicatedpushdatapending", 0).high > before;
        },
        std::chrono::seconds(10));
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));  // where, not when
    if (!exited) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    ++kills;
    if (done) break;
    pid = start(true);
  }
  std::filesystem::remove(flag);
  pid = start(false);
  ASSERT_TRUE(test::WaitFor(
      [&] { return f.log->GetWatermarks("replicatedpushdatapending", 0).high >= kEvents; },
      std::chrono::seconds(60)))
      << test::Sh("tail -20 " + (f.dir / "agg.log")).out;
  // Let it settle: nothing more may arrive.
  ASSERT_TRUE(test::WaitFor(
      [&] {
        auto acked = f.log->Committed("pushdataaggregator", "pushdata", {0, 1, 2, 3, 4, 5, 6, 7});
        for (auto& [p, n] : appended) {
          if (acked[p] != n) return false;
        }
        return true;
      },
      std::chrono::seconds(60)));
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  auto copied = f.Aggregated();
  EXPECT_EQ(copied.size(), static_cast<size_t>(kEvents)) << "after " << kills << " kills";
  std::set<std::pair<int, int64_t>> seen;
  std::map<std::string, int> next;
  for (const auto& m : copied) {
    auto from = m.body["_aggregated_from"];
    EXPECT_TRUE(seen.insert({from["partition"].get<int>(), from["offset"].get<int64_t>()}).second)
        << "duplicate " << from.dump();
    EXPECT_EQ(m.body["seq"].get<int>(), next[m.path]++) << m.path << " out of order";
  }
  EXPECT_GT(kills, 5);
  std::string agg_log = ReadFileOrEmpty(f.dir / "agg.log");
  EXPECT_NE(agg_log.find("was already copied to replicatedpushdatapending before a restart"),
            std::string::npos)
      << "no kill hit the copy/commit window; the test proved nothing";
}

// A log that reports at most `partitions` partitions of any topic, however
// many it has, and counts how often it was asked.
class PartitionsSeen : public FaultyLog {
 public:
  using FaultyLog::FaultyLog;
  int PartitionCount(const std::string& topic) override {
    ++asked;
    return std::min(partitions, FaultyLog::PartitionCount(topic));
  }
  int partitions = 4;
  int asked = 0;
};

// In the aggregator's own time (a ManualClock, no waiting): a partition
// added to the monitored topic is found when the count is next read, 30 s
// after the last read and not a pass sooner (each read is a metadata
// request on Kafka); each copy is stamped with the clock's time.
TEST(AggregatorClockTest, ReadsThePartitionCountAgainEvery30SecondsAndStampsCopiesWithTheClock) {
  Fixture f;
  PartitionsSeen log(*f.log);
  ManualClock clock(1800000000.0);
  f.log->Append("pushdata", 6,
                EncodeMessage(MakeChangegroup("{moz}/a", "serve", 1, {std::string(40, 'a')},
                                              1000.0)));
  f.log->Commit("mirror1", "pushdata", {{6, 1}});
  f.log->Commit("mirror2", "pushdata", {{6, 1}});
  Aggregator agg(f.config, log, clock);
  EXPECT_EQ(agg.Iterate(), 0) << "partition 6 is not among the 4 the log reported";
  EXPECT_EQ(log.asked, 1);

  log.partitions = 8;  // the topic grew
  clock.Advance(Aggregator::kPartitionsReadEvery - std::chrono::milliseconds(1));
  EXPECT_EQ(agg.Iterate(), 0) << "the count is not read again before 30 s";
  EXPECT_EQ(log.asked, 1);
  clock.Advance(std::chrono::milliseconds(1));
  EXPECT_EQ(agg.Iterate(), 1);
  EXPECT_EQ(log.asked, 2);
  EXPECT_EQ(agg.Iterate(), 0);
  EXPECT_EQ(log.asked, 2);

  auto copied = f.Aggregated();
  ASSERT_EQ(copied.size(), 1u);
  EXPECT_DOUBLE_EQ(copied[0].body["_created"].get<double>(), 1800000030.0);
  EXPECT_DOUBLE_EQ(copied[0].created, 1800000030.0);
  EXPECT_EQ(copied[0].body["_original_created"], 1000.0);
  EXPECT_EQ(copied[0].body["_original_partition"], 6);
}

}  // namespace
}  // namespace hgc
