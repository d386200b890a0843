// check_kafka_hg_heartbeat end to end: the built binary writes a heartbeat to
// every partition of the leader's embedded log; with the database file made
// immutable (chattr +i, root on ext4) every append fails and the check is
// CRITICAL per partition.
#include <gtest/gtest.h>

#include "check_e2e_support.h"

namespace hgc::test {
namespace {

// Makes a file immutable for its lifetime, so a failing test cannot leave an
// undeletable scratch directory behind.
class Immutable {
 public:
  explicit Immutable(std::string path) : path_(std::move(path)) {
    ok_ = RunProcess({"chattr", "+i", path_}).ok();
  }
  ~Immutable() { Release(); }
  bool ok() const { return ok_; }
  void Release() {
    if (ok_) RunProcess({"chattr", "-i", path_});
    ok_ = false;
  }

 private:
  std::string path_;
  bool ok_ = false;
};

class CheckHeartbeatE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox_.log().EnsureTopic("pushdata", 8);
    hgrc_ = sandbox_.dir() / "hgrc";
    WriteText(hgrc_, "[replicationproducer]\nlog = " + sandbox_.url() +
                         "\nclientid = leader\ntopic = pushdata\n"
                         "partitionmap.0main = 0,1,2,3,4,5,6,7:.*\nreqacks = -1\n"
                         "acktimeout = 10000\n");
  }

  LogSandbox sandbox_;
  std::string hgrc_;
};

TEST_F(CheckHeartbeatE2ETest, WritesEveryPartition) {
  auto r = Hgcluster({"check_kafka_hg_heartbeat", "--config", hgrc_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "OK - heartbeat message sent to 8/8 partitions successfully\n");
  for (int p = 0; p < 8; ++p) {
    EXPECT_EQ(sandbox_.log().GetWatermarks("pushdata", p).high, 1) << "partition " << p;
  }
}

TEST_F(CheckHeartbeatE2ETest, UnwritableLogIsCriticalPerPartition) {
  Immutable frozen(sandbox_.db());
  ASSERT_TRUE(frozen.ok()) << "chattr +i failed; needs root on ext4";
  auto r = Hgcluster({"check-heartbeat", "--config", hgrc_});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  auto lines = SplitLines(r.out);
  ASSERT_EQ(lines.size(), 14u) << r.out;
  for (int p = 0; p < 8; ++p) {
    std::string prefix = "CRITICAL - error writing to partition " + std::to_string(p) + ": ";
    EXPECT_EQ(lines[p].rfind(prefix, 0), 0u) << lines[p];
    EXPECT_GT(lines[p].size(), prefix.size()) << "no error message: " << lines[p];
  }
  EXPECT_EQ(lines[8], "");
  EXPECT_EQ(lines[9], "We were unable to write a heartbeat message into the replication");
  EXPECT_EQ(lines[13], "Please report this failure to #vcs or notify oncall ASAP.");
  for (int p = 0; p < 8; ++p) EXPECT_EQ(sandbox_.log().GetWatermarks("pushdata", p).high, 0);

  frozen.Release();
  r = Hgcluster({"check-heartbeat", "--config", hgrc_});
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST_F(CheckHeartbeatE2ETest, ConfigurationProblems) {
  auto r = Hgcluster({"check_kafka_hg_heartbeat", "--config", sandbox_.dir() / "nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "CRITICAL - unable to load hgrc\n");
  WriteText(hgrc_, "[ui]\nusername = leader\n");
  r = Hgcluster({"check_kafka_hg_heartbeat", "--config", hgrc_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "CRITICAL - replication configuration not present\n");
}

}  // namespace
}  // namespace hgc::test
