// check-aggregator-lag end to end: the built binary against committed offsets
// of two mirror groups and the ack group in an embedded log, plus a groups
// file that is empty, missing, or names a group that never committed.
#include <gtest/gtest.h>

#include <filesystem>

#include "check_e2e_support.h"

namespace hgc::test {
namespace {

class CheckAggregatorE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    Log& log = sandbox_.log();
    log.EnsureTopic("pushdata", 8);
    for (int i = 0; i < 2; ++i) {
      sandbox_.AppendAged("pushdata", 0, 1);
      sandbox_.AppendAged("pushdata", 2, 1);
    }
    log.Commit("hgweb0", "pushdata", {{0, 2}, {2, 2}});
    log.Commit("hgweb1", "pushdata", {{0, 2}, {2, 1}});
    log.Commit("pushdataaggregator", "pushdata", {{0, 1}, {2, 1}});
    // Not listed: the aggregator does not wait for it, nor does the check.
    log.Commit("hgweb5", "pushdata", {{0, 0}, {2, 0}});
    groups_ = sandbox_.dir() / "groups";
    WriteText(groups_, "hgweb0\n\n  hgweb1  \n");
    ini_ = sandbox_.dir() / "pushdataaggregator-pending.ini";
    WriteText(ini_, "[aggregator]\nlog = " + sandbox_.url() +
                        "\nclient_id = pushdataaggregator\nmonitor_topic = pushdata\n"
                        "monitor_groups_file = " +
                        groups_ +
                        "\nack_group = pushdataaggregator\n"
                        "aggregate_topic = replicatedpushdatapending\n");
  }

  ProcessResult Check(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"check-aggregator-lag", ini_};
    args.insert(args.end(), extra.begin(), extra.end());
    return Hgcluster(args);
  }

  // The line of a partition nothing was written to.
  static std::string Idle(int p) {
    return "OK - partition " + std::to_string(p) + " is completely in sync (0/0)\n";
  }
  static std::string IdleFrom(int from) {
    std::string out;
    for (int p = from; p < 8; ++p) out += Idle(p);
    return out;
  }

  LogSandbox sandbox_;
  std::string groups_;
  std::string ini_;
};

TEST_F(CheckAggregatorE2ETest, OneMessageBehindAtEachThreshold) {
  std::string details = "partition 0 is 1 messages behind (1/2)\n" + Idle(1) +
                        "OK - partition 2 is completely in sync (1/1)\n" + IdleFrom(3) + "\n" +
                        kCheckFooter;
  for (const auto& r : {Check(), Hgcluster({"check_pushdataaggregator_lag", ini_}),
                        Hgcluster({"check_vcsreplicator_aggregator_lag", ini_})}) {
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "OK - 1 messages from 1 partitions behind\n\nOK - " + details);
  }
  auto r = Check({"--warning-count", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "WARNING - 1 messages from 1 partitions behind\n\nWARNING - " + details);
  r = Check({"--critical-count", "1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "CRITICAL - 1 messages from 1 partitions behind\n\nCRITICAL - " + details);

  // The aggregator copies the message: all caught up.
  sandbox_.log().Commit("pushdataaggregator", "pushdata", {{0, 2}});
  r = Check({"--warning-count", "1"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out,
            "OK - aggregator has copied all fully replicated messages\n\n"
            "OK - partition 0 is completely in sync (2/2)\n" +
                Idle(1) + "OK - partition 2 is completely in sync (1/1)\n" + IdleFrom(3) + "\n" +
                kCheckFooter);
}

TEST_F(CheckAggregatorE2ETest, TelegrafJson) {
  auto r = Check({"--telegraf", "--critical-count", "1"});
  EXPECT_EQ(r.exit_code, 0);
  std::string expected = "[";
  for (int p = 0; p < 8; ++p) {
    int64_t acked = (p == 0 || p == 2) ? 1 : 0;
    int64_t consumed = p == 0 ? 2 : p == 2 ? 1 : 0;
    expected += (p ? ", " : "") + std::string("{\"acked_offset\": ") + std::to_string(acked) +
                ", \"consumed_offset\": " + std::to_string(consumed) +
                ", \"partition\": " + std::to_string(p) + "}";
  }
  EXPECT_EQ(r.out, expected + "]\n");
}

TEST_F(CheckAggregatorE2ETest, ListedGroupThatNeverCommittedWarns) {
  WriteText(groups_, "hgweb0\nhgweb1\nhgweb9\n");
  auto r = Check();
  EXPECT_EQ(r.exit_code, 1) << r.out;
  auto lines = SplitLines(r.out);
  ASSERT_EQ(lines.size(), 14u) << r.out;
  EXPECT_EQ(lines[0], "WARNING - aggregator has copied all fully replicated messages");
  EXPECT_EQ(lines[2], "WARNING - group hgweb9 in " + groups_ +
                          " has never committed an offset on pushdata; aggregation waits for it");
  // hgweb9 counts as offset 0, so nothing is fully consumed.
  EXPECT_EQ(lines[3], "OK - partition 0 is completely in sync (1/0)");
  EXPECT_EQ(lines[5], "OK - partition 2 is completely in sync (1/0)");
}

TEST_F(CheckAggregatorE2ETest, FreshTopicIsInSyncBeforeAnyCommit) {
  // Stage 2 on a new cluster: nothing published yet, so no group committed.
  sandbox_.log().EnsureTopic("replicatedpushdatapending", 1);
  std::string ini = sandbox_.dir() / "pushdataaggregator.ini";
  WriteText(ini,
            "[aggregator]\nlog = " + sandbox_.url() +
                "\nmonitor_topic = replicatedpushdatapending\nmonitor_groups_file = " + groups_ +
                "\nack_group = pushdataaggregator\n"
                "aggregate_topic = replicatedpushdata\n");
  auto r = Hgcluster({"check_pushdataaggregator_lag", ini});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "OK - aggregator has copied all fully replicated messages\n\n" + Idle(0) + "\n" +
                       kCheckFooter);
}

TEST_F(CheckAggregatorE2ETest, EmptyOrMissingGroupsFile) {
  WriteText(groups_, "\n   \n");
  auto r = Check();
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "CRITICAL - no groups listed in " + groups_ + "\n\n" + kCheckFooter);

  std::filesystem::remove(groups_);
  r = Check();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.rfind("WARNING - exception fetching data: cannot read groups file " + groups_, 0),
            0u)
      << r.out;
  EXPECT_EQ(SplitLines(r.out).size(), 2u) << r.out;
}

}  // namespace
}  // namespace hgc::test
