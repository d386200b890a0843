// check-lag and the notifier variants end to end: the built binary (under its
// subcommand name, the reference's name as first argument, and the symlink)
// against real offsets in an embedded log, asserting stdout and exit codes.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "check_e2e_support.h"
#include "common/subprocess.h"

namespace hgc::test {
namespace {

class CheckLagE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox_.log().EnsureTopic("pushdata", 8);
    ini_ = sandbox_.dir() / "vcsreplicator.ini";
    WriteText(ini_, "[consumer]\nlog = " + sandbox_.url() +
                        "\nclient_id = mirror1\ntopic = pushdata\ngroup = mirror1\n"
                        "poll_timeout = 0.1\n");
  }

  ProcessResult Check(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"check-lag", ini_};
    args.insert(args.end(), extra.begin(), extra.end());
    return Hgcluster(args);
  }

  void Commit(int partition, int64_t offset) {
    sandbox_.log().Commit("mirror1", "pushdata", {{partition, offset}});
  }

  LogSandbox sandbox_;
  std::string ini_;
};

std::string InSyncLine(int p, int64_t at) {
  return "OK - partition " + std::to_string(p) + " is completely in sync (" + std::to_string(at) +
         "/" + std::to_string(at) + ")";
}

TEST_F(CheckLagE2ETest, FreshLogIsInSyncUnderEveryName) {
  std::string expected = "OK - 8/8 consumers completely in sync\n\n";
  for (int p = 0; p < 8; ++p) expected += InSyncLine(p, 0) + "\n";
  expected += std::string("\n") + kCheckFooter;
  std::string bin_dir = std::filesystem::path(HgclusterBin()).parent_path().string();
  for (const auto& r : {Check(), Hgcluster({"check_vcsreplicator_lag", ini_}),
                        RunProcess({bin_dir + "/check_vcsreplicator_lag", ini_})}) {
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, expected);
  }
}

TEST_F(CheckLagE2ETest, BehindByCountWithinToleranceThenWarningThenCritical) {
  sandbox_.AppendAged("pushdata", 0, 1000);  // consumed below
  sandbox_.AppendAged("pushdata", 0, 10);
  sandbox_.AppendAged("pushdata", 0, 5);
  sandbox_.AppendAged("pushdata", 2, 20);
  Commit(0, 1);

  auto r = Check();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto lines = SplitLines(r.out);
  ASSERT_EQ(lines.size(), 15u) << r.out;
  EXPECT_EQ(lines[0], "OK - 2/8 consumers out of sync but within tolerances");
  EXPECT_EQ(lines[1], "");
  EXPECT_EQ(lines[2], "OK - partition 0 is 2 messages behind (1/3)");
  // The age of offset 1 (10 s), not of the already consumed offset 0: the
  // message is read at its absolute offset.
  double p0 = NumberBetween(lines[3], "OK - partition 0 is ", " seconds behind");
  EXPECT_GE(p0, 10.0) << lines[3];
  EXPECT_LT(p0, 60.0) << lines[3];
  EXPECT_EQ(lines[4], InSyncLine(1, 0));
  EXPECT_EQ(lines[5], "OK - partition 2 is 1 messages behind (0/1)");
  double p2 = NumberBetween(lines[6], "OK - partition 2 is ", " seconds behind");
  EXPECT_GE(p2, 20.0) << lines[6];
  EXPECT_LT(p2, 70.0) << lines[6];
  EXPECT_EQ(lines[11], InSyncLine(7, 0));
  EXPECT_EQ(r.out.substr(r.out.size() - sizeof(kCheckFooter) + 1), kCheckFooter);

  r = Check({"--warning-lag-count", "2"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  lines = SplitLines(r.out);
  ASSERT_GE(lines.size(), 7u) << r.out;
  EXPECT_EQ(lines[0], "WARNING - 2/8 partitions out of sync");
  EXPECT_EQ(lines[2], "WARNING - partition 0 is 2 messages behind (1/3)");
  EXPECT_EQ(lines[3].rfind("OK - partition 0 is ", 0), 0u) << lines[3];
  EXPECT_EQ(lines[5], "OK - partition 2 is 1 messages behind (0/1)");

  r = Check({"--critical-lag-count", "2"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  lines = SplitLines(r.out);
  ASSERT_GE(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0], "CRITICAL - 2/8 partitions out of sync");
  EXPECT_EQ(lines[2], "CRITICAL - partition 0 is 2 messages behind (1/3)");
}

TEST_F(CheckLagE2ETest, BehindByTime) {
  sandbox_.AppendAged("pushdata", 3, 300);
  auto r = Check();
  EXPECT_EQ(r.exit_code, 1) << r.out;
  auto lines = SplitLines(r.out);
  ASSERT_GE(lines.size(), 7u) << r.out;
  EXPECT_EQ(lines[0], "WARNING - 1/8 partitions out of sync");
  EXPECT_EQ(lines[5], "OK - partition 3 is 1 messages behind (0/1)");
  double age = NumberBetween(lines[6], "WARNING - partition 3 is ", " seconds behind");
  EXPECT_GE(age, 300.0) << lines[6];
  EXPECT_LT(age, 360.0) << lines[6];

  sandbox_.AppendAged("pushdata", 5, 700);
  r = Check();
  EXPECT_EQ(r.exit_code, 2) << r.out;
  lines = SplitLines(r.out);
  ASSERT_GE(lines.size(), 10u) << r.out;
  EXPECT_EQ(lines[0], "CRITICAL - 2/8 partitions out of sync");
  EXPECT_EQ(lines[8], "OK - partition 5 is 1 messages behind (0/1)");
  age = NumberBetween(lines[9], "CRITICAL - partition 5 is ", " seconds behind");
  EXPECT_GE(age, 700.0) << lines[9];
  EXPECT_LT(age, 760.0) << lines[9];

  // Thresholds from the command line move the labels.
  r = Check({"--warning-lag-time", "1000", "--critical-lag-time", "2000"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(SplitLines(r.out)[0], "OK - 2/8 consumers out of sync but within tolerances");
}

TEST_F(CheckLagE2ETest, MessageFromTheFutureIsClockDrift) {
  sandbox_.AppendAged("pushdata", 1, -100);
  auto r = Check();
  EXPECT_EQ(r.exit_code, 1) << r.out;
  auto lines = SplitLines(r.out);
  ASSERT_EQ(lines.size(), 15u) << r.out;
  EXPECT_EQ(lines[0], "WARNING - 1/8 partitions out of sync");
  EXPECT_EQ(lines[3], "OK - partition 1 is 1 messages behind (0/1)");
  double lag = NumberBetween(lines[4], "OK - partition 1 is ", " seconds behind");
  EXPECT_LE(lag, -40.0) << lines[4];
  EXPECT_GT(lag, -100.5) << lines[4];
  double drift = NumberBetween(lines[5], "WARNING - clock drift of ",
                               " seconds between producer and consumer; check NTP sync");
  EXPECT_EQ(drift, lag) << lines[5];
  EXPECT_EQ(lines[6], InSyncLine(2, 0));
}

TEST_F(CheckLagE2ETest, TelegrafJson) {
  sandbox_.AppendAged("pushdata", 0, 1000);
  sandbox_.AppendAged("pushdata", 0, 10);
  sandbox_.AppendAged("pushdata", 6, 5);
  Commit(0, 1);
  Commit(6, 1);
  auto r = Check({"--telegraf", "--critical-lag-count", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  auto json = nlohmann::json::parse(r.out);
  ASSERT_EQ(json.size(), 8u);
  EXPECT_EQ(json[0]["partition"], 0);
  EXPECT_EQ(json[0]["offset"], 1);
  EXPECT_EQ(json[0]["available"], 2);
  EXPECT_GE(json[0]["lag_time"].get<double>(), 10.0);
  EXPECT_LT(json[0]["lag_time"].get<double>(), 60.0);
  // Everything but the one measured float, byte for byte as Python writes it.
  std::string rest = r.out.substr(r.out.find("}, ") + 3);
  EXPECT_EQ(rest,
            "{\"available\": 0, \"lag_time\": 0.0, \"offset\": 0, \"partition\": 1}, "
            "{\"available\": 0, \"lag_time\": 0.0, \"offset\": 0, \"partition\": 2}, "
            "{\"available\": 0, \"lag_time\": 0.0, \"offset\": 0, \"partition\": 3}, "
            "{\"available\": 0, \"lag_time\": 0.0, \"offset\": 0, \"partition\": 4}, "
            "{\"available\": 0, \"lag_time\": 0.0, \"offset\": 0, \"partition\": 5}, "
            "{\"available\": 1, \"lag_time\": 0.0, \"offset\": 1, \"partition\": 6}, "
            "{\"available\": 0, \"lag_time\": 0.0, \"offset\": 0, \"partition\": 7}]\n");
  EXPECT_EQ(r.out.rfind("[{\"available\": 2, \"lag_time\": ", 0), 0u) << r.out;
}

TEST_F(CheckLagE2ETest, ParkedRepoIsCritical) {
  sandbox_.AppendAged("pushdata", 4, 2);
  sandbox_.AppendAged("pushdata", 4, 1);
  Commit(4, 1);
  // One live entry, one the group has already committed past (stale).
  WriteText(sandbox_.dir() / "consumer-mirror1.json",
            R"j({"parked": [{"repo": "{moz}/broken", "partition": 4, "offset": 1, )j"
            R"j("attempts": 6, "error": "CommandError: (255, b'abort: x')", )j"
            R"j("since": 1700000000.0}, {"repo": "{moz}/skipped", "partition": 4, )j"
            R"j("offset": 0, "attempts": 6, "error": "old", "since": 1700000000.0}], )j"
            R"j("updated": 1700000000.0})j");
  auto r = Check();
  EXPECT_EQ(r.exit_code, 2) << r.out;
  auto lines = SplitLines(r.out);
  ASSERT_EQ(lines.size(), 15u) << r.out;
  EXPECT_EQ(lines[0], "CRITICAL - 1/8 partitions out of sync");
  EXPECT_EQ(lines[6], "OK - partition 4 is 1 messages behind (1/2)");
  EXPECT_EQ(lines[7].rfind("OK - partition 4 is ", 0), 0u) << lines[7];
  EXPECT_EQ(lines[11],
            "CRITICAL - repository {moz}/broken is stuck at partition 4 offset 1 after 6 "
            "attempts: CommandError: (255, b'abort: x')");
  EXPECT_EQ(r.out.find("skipped"), std::string::npos) << r.out;
}

TEST_F(CheckLagE2ETest, FetchFailureIsAWarningNotACrash) {
  WriteText(sandbox_.dir() / "bad.ini",
            "[consumer]\nlog = " + sandbox_.url() + "\ntopic = nosuchtopic\ngroup = mirror1\n");
  auto r = Hgcluster({"check_vcsreplicator_lag", sandbox_.dir() / "bad.ini"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(
      r.out.rfind("WARNING - exception fetching offsets: topic nosuchtopic does not exist", 0), 0u)
      << r.out;
  EXPECT_EQ(r.out.substr(r.out.size() - 2), "\n\n");
  EXPECT_EQ(SplitLines(r.out).size(), 2u) << r.out;

  r = Hgcluster({"check-lag", sandbox_.dir() / "missing.ini"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.rfind("WARNING - exception fetching offsets: config file does not exist", 0), 0u)
      << r.out;
}

TEST_F(CheckLagE2ETest, NotifierAndPendingConsumersUseTheirOwnSections) {
  sandbox_.log().EnsureTopic("replicatedpushdata", 1);
  sandbox_.log().EnsureTopic("replicatedpushdatapending", 1);
  sandbox_.AppendAged("replicatedpushdata", 0, 3);
  sandbox_.log().Commit("pulsenotifier", "replicatedpushdata", {{0, 1}});
  std::string ini = sandbox_.dir() / "notifications.ini";
  std::string common = "log = " + sandbox_.url() + "\ntopic = replicatedpushdata\n";
  WriteText(ini, "[pulseconsumer]\n" + common + "client_id = pulse\ngroup = pulsenotifier\n" +
                     "[snsconsumer]\n" + common + "client_id = sns\ngroup = snsnotifier\n");
  std::string in_sync =
      "OK - 1/1 consumers completely in sync\n\n" + InSyncLine(0, 1) + "\n\n" + kCheckFooter;

  auto r = Hgcluster({"check_pulsenotifier_lag", ini});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, in_sync);
  r = Hgcluster({"check-lag", ini, "--consumer-section", "pulseconsumer"});
  EXPECT_EQ(r.out, in_sync);

  r = Hgcluster({"check_snsnotifier_lag", ini, "--warning-lag-count", "1"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto lines = SplitLines(r.out);
  ASSERT_GE(lines.size(), 4u) << r.out;
  EXPECT_EQ(lines[0], "WARNING - 1/1 partitions out of sync");
  EXPECT_EQ(lines[2], "WARNING - partition 0 is 1 messages behind (0/1)");

  // The heads consumer's ini ("pending lag"): same command, its own topic.
  std::string pending = sandbox_.dir() / "vcsreplicator-pending.ini";
  WriteText(pending, "[consumer]\nlog = " + sandbox_.url() +
                         "\ntopic = replicatedpushdatapending\ngroup = mirror1\n");
  r = Hgcluster({"check_vcsreplicator_lag", pending});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "OK - 1/1 consumers completely in sync\n\n" + InSyncLine(0, 0) + "\n\n" + kCheckFooter);
}

}  // namespace
}  // namespace hgc::test
