// The heartbeat check in-process: its report text and the configuration
// errors that stop it before any log is touched (spec/hosting.md §6.2).
#include "checks/heartbeat_check.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "log/log.h"
#include "message/message.h"
#include "test_support.h"

namespace hgc {
namespace {

constexpr const char* kExplanation =
    "\n"
    "We were unable to write a heartbeat message into the replication\n"
    "log. This likely means incoming pushes will not complete since they\n"
    "will not be able to write to the replication log.\n"
    "\n"
    "Please report this failure to #vcs or notify oncall ASAP.\n";

TEST(CheckHeartbeatTest, AllPartitionsWritten) {
  std::ostringstream out;
  EXPECT_EQ(ReportHeartbeats(8, {}, out), 0);
  EXPECT_EQ(out.str(), "OK - heartbeat message sent to 8/8 partitions successfully\n");
}

TEST(CheckHeartbeatTest, FailedPartitionsAreCritical) {
  std::ostringstream out;
  EXPECT_EQ(ReportHeartbeats(4, {{1, "disk full"}, {3, "a\nb"}}, out), 2);
  EXPECT_EQ(out.str(), std::string("CRITICAL - error writing to partition 1: disk full\n"
                                   "CRITICAL - error writing to partition 3: a\\nb\n") +
                           kExplanation);
}

TEST(CheckHeartbeatTest, MissingHgrc) {
  test::ScratchDir dir;
  std::ostringstream out;
  EXPECT_EQ(RunHeartbeatCheck(dir / "nope", out), 2);
  EXPECT_EQ(out.str(), "CRITICAL - unable to load hgrc\n");
  std::ostringstream none;
  EXPECT_EQ(RunHeartbeatCheck("", none), 2);
  EXPECT_EQ(none.str().rfind("CRITICAL - unable to load hgrc\n\npass the leader's hgrc", 0), 0u);
}

TEST(CheckHeartbeatTest, NoReplicationSection) {
  test::ScratchDir dir;
  std::ofstream(dir / "hgrc") << "[ui]\nusername = x\n";
  std::ostringstream out;
  EXPECT_EQ(RunHeartbeatCheck(dir / "hgrc", out), 2);
  EXPECT_EQ(out.str(), "CRITICAL - replication configuration not present\n");
}

TEST(CheckHeartbeatTest, IncompleteReplicationSection) {
  test::ScratchDir dir;
  std::ofstream(dir / "hgrc") << "[replicationproducer]\nlog = sqlite://" << (dir / "log.db")
                              << "\nclientid = leader\n";
  std::ostringstream out;
  EXPECT_EQ(RunHeartbeatCheck(dir / "hgrc", out), 2);
  EXPECT_EQ(out.str().rfind("CRITICAL - replication configuration not present\n\n"
                            "replicationproducer.topic config option not set",
                            0),
            0u)
      << out.str();
}

TEST(CheckHeartbeatTest, MissingTopicCannotConnect) {
  test::ScratchDir dir;
  std::ofstream(dir / "hgrc") << "[replicationproducer]\nlog = sqlite://" << (dir / "log.db")
                              << "\nclientid = leader\ntopic = pushdata\n"
                                 "partitionmap.0main = 0:.*\n";
  std::ostringstream out;
  EXPECT_EQ(RunHeartbeatCheck(dir / "hgrc", out), 2);
  EXPECT_EQ(out.str().rfind("CRITICAL - cannot open the replication log sqlite://", 0), 0u)
      << out.str();
  EXPECT_NE(out.str().find("topic pushdata does not exist"), std::string::npos) << out.str();
}

TEST(CheckHeartbeatTest, WritesOneHeartbeatPerPartition) {
  test::ScratchDir dir;
  auto log = OpenLog("sqlite://" + (dir / "log.db"));
  log->EnsureTopic("pushdata", 3);
  std::ofstream(dir / "hgrc") << "[replicationproducer]\nlog = sqlite://" << (dir / "log.db")
                              << "\nclientid = leader\ntopic = pushdata\n"
                                 "partitionmap.0main = 0,1,2:.*\n";
  std::ostringstream out;
  EXPECT_EQ(RunHeartbeatCheck(dir / "hgrc", out), 0);
  EXPECT_EQ(out.str(), "OK - heartbeat message sent to 3/3 partitions successfully\n");
  for (int p = 0; p < 3; ++p) {
    EXPECT_EQ(log->GetWatermarks("pushdata", p).high, 1);
    auto records = log->OpenCursor({{"pushdata", p, 0}})->Poll(1, std::chrono::seconds(5));
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(DecodeMessage(records[0].value).name, "heartbeat-1");
  }
}

}  // namespace
}  // namespace hgc
