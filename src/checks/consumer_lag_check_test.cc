// EvaluateConsumerLag/ConsumerLagTelegraf against the lines and exit codes of
// spec/replication.md §6.1 (and test-check-consumer-lag.t), plus parked repos.
#include "checks/consumer_lag_check.h"

#include <gtest/gtest.h>

namespace hgc {
namespace {

using Lines = std::vector<std::string>;

PartitionLag Lag(int p, int64_t offset, int64_t available, std::optional<double> seconds) {
  PartitionLag l;
  l.partition = p;
  l.offset = offset;
  l.available = available;
  l.lag_seconds = seconds;
  return l;
}

std::vector<PartitionLag> InSync(int n, int64_t at) {
  std::vector<PartitionLag> out;
  for (int p = 0; p < n; ++p) out.push_back(Lag(p, at, at, 0.0));
  return out;
}

CheckReport Eval(const std::vector<PartitionLag>& lags, const LagThresholds& t = {},
                 const ConsumerStateRead& parked = {}) {
  return EvaluateConsumerLag(lags, t, parked, "/state/consumer-g.json");
}

TEST(CheckConsumerLagTest, AllInSync) {
  auto r = Eval(InSync(8, 0));
  EXPECT_EQ(r.status, CheckStatus::kOk);
  EXPECT_EQ(r.summary, "OK - 8/8 consumers completely in sync");
  ASSERT_EQ(r.details.size(), 8u);
  EXPECT_EQ(r.details[0], "OK - partition 0 is completely in sync (0/0)");
  EXPECT_EQ(r.details[7], "OK - partition 7 is completely in sync (0/0)");
  EXPECT_EQ(FormatReport(r).rfind("OK - 8/8 consumers completely in sync\n\nOK - partition 0", 0),
            0u);
}

TEST(CheckConsumerLagTest, WithinTolerances) {
  auto lags = InSync(8, 0);
  lags[0] = Lag(0, 0, 1, 1.2344);
  lags[2] = Lag(2, 0, 1, 0.5);
  auto r = Eval(lags);
  EXPECT_EQ(r.status, CheckStatus::kOk);
  EXPECT_EQ(r.summary, "OK - 2/8 consumers out of sync but within tolerances");
  EXPECT_EQ(r.details[0], "OK - partition 0 is 1 messages behind (0/1)");
  EXPECT_EQ(r.details[1], "OK - partition 0 is 1.234 seconds behind");
  EXPECT_EQ(r.details[2], "OK - partition 1 is completely in sync (0/0)");
  EXPECT_EQ(r.details[3], "OK - partition 2 is 1 messages behind (0/1)");
  EXPECT_EQ(r.details[4], "OK - partition 2 is 0.500 seconds behind");
  EXPECT_EQ(r.details.size(), 10u);
}

TEST(CheckConsumerLagTest, CountThresholdsAreInclusive) {
  auto lags = InSync(8, 0);
  lags[0] = Lag(0, 0, 1, 0.1);
  lags[2] = Lag(2, 0, 1, 0.1);
  LagThresholds warn;
  warn.warning_count = 1;
  auto r = Eval(lags, warn);
  EXPECT_EQ(r.status, CheckStatus::kWarning);
  EXPECT_EQ(r.summary, "WARNING - 2/8 partitions out of sync");
  EXPECT_EQ(r.details[0], "WARNING - partition 0 is 1 messages behind (0/1)");
  EXPECT_EQ(r.details[1], "OK - partition 0 is 0.100 seconds behind");

  LagThresholds crit;
  crit.critical_count = 1;
  r = Eval(lags, crit);
  EXPECT_EQ(r.status, CheckStatus::kCritical);
  EXPECT_EQ(r.summary, "CRITICAL - 2/8 partitions out of sync");
  EXPECT_EQ(r.details[0], "CRITICAL - partition 0 is 1 messages behind (0/1)");
}

TEST(CheckConsumerLagTest, TimeThresholds) {
  std::vector<PartitionLag> lags{Lag(0, 3, 5, 1.5), Lag(1, 2, 2, 0.0)};
  LagThresholds t;
  t.warning_time = 0.9;
  auto r = Eval(lags, t);
  EXPECT_EQ(r.status, CheckStatus::kWarning);
  EXPECT_EQ(r.summary, "WARNING - 1/2 partitions out of sync");
  EXPECT_EQ(r.details, (Lines{"OK - partition 0 is 2 messages behind (3/5)",
                              "WARNING - partition 0 is 1.500 seconds behind",
                              "OK - partition 1 is completely in sync (2/2)"}));
  t.critical_time = 1.5;
  r = Eval(lags, t);
  EXPECT_EQ(r.status, CheckStatus::kCritical);
  EXPECT_EQ(r.details[1], "CRITICAL - partition 0 is 1.500 seconds behind");
}

TEST(CheckConsumerLagTest, CriticalCountIsNotLoweredByAnOkTime) {
  LagThresholds t;
  t.critical_count = 2;
  auto r = Eval({Lag(0, 0, 2, 0.1), Lag(1, 0, 1, 0.1)}, t);
  EXPECT_EQ(r.status, CheckStatus::kCritical);
  EXPECT_EQ(r.summary, "CRITICAL - 2/2 partitions out of sync");
}

TEST(CheckConsumerLagTest, UndeterminableLagTimeWarnsWithoutRaisingStatus) {
  auto r = Eval({Lag(0, 0, 1, std::nullopt)});
  EXPECT_EQ(r.status, CheckStatus::kOk);
  EXPECT_EQ(r.summary, "OK - 1/1 consumers out of sync but within tolerances");
  EXPECT_EQ(r.details, (Lines{"OK - partition 0 is 1 messages behind (0/1)",
                              "WARNING - could not determine lag time for partition 0"}));
}

TEST(CheckConsumerLagTest, ClockDriftIsReportedOnce) {
  auto r = Eval({Lag(0, 0, 1, -2.5), Lag(1, 0, 1, -3.0)});
  EXPECT_EQ(r.status, CheckStatus::kWarning);
  EXPECT_EQ(r.summary, "WARNING - 2/2 partitions out of sync");
  EXPECT_EQ(r.details,
            (Lines{"OK - partition 0 is 1 messages behind (0/1)",
                   "OK - partition 0 is -2.500 seconds behind",
                   "WARNING - clock drift of -2.500 seconds between producer and consumer; "
                   "check NTP sync",
                   "OK - partition 1 is 1 messages behind (0/1)",
                   "OK - partition 1 is -3.000 seconds behind"}));
}

TEST(CheckConsumerLagTest, ParkedRepoIsCritical) {
  ConsumerStateRead parked;
  parked.state.parked.push_back({"{moz}/broken", 1, 4, 6, "CommandError: (255, b'x')\nabort: y"});
  auto r = Eval({Lag(0, 2, 2, 0.0), Lag(1, 4, 6, 3.0)}, {}, parked);
  EXPECT_EQ(r.status, CheckStatus::kCritical);
  EXPECT_EQ(r.summary, "CRITICAL - 1/2 partitions out of sync");
  EXPECT_EQ(r.details.back(),
            "CRITICAL - repository {moz}/broken is stuck at partition 1 offset 4 after 6 "
            "attempts: CommandError: (255, b'x')\\nabort: y");
}

TEST(CheckConsumerLagTest, StaleParkedEntryIsIgnored) {
  ConsumerStateRead parked;
  parked.state.parked.push_back({"{moz}/skipped", 0, 1, 6, "gone"});
  auto r = Eval({Lag(0, 2, 2, 0.0)}, {}, parked);
  EXPECT_EQ(r.status, CheckStatus::kOk);
  EXPECT_EQ(r.details.size(), 1u);
}

TEST(CheckConsumerLagTest, EventsLostToRetentionAreCriticalUntilCommittedPast) {
  ConsumerStateRead state;
  state.state.lost.push_back({1, 4, 9, 0});
  // Few messages behind (an OK count), yet events are gone: CRITICAL.
  auto r = Eval({Lag(0, 2, 2, 0.0), Lag(1, 4, 10, 1.0)}, {}, state);
  AddLostRanges(r, {Lag(0, 2, 2, 0.0), Lag(1, 4, 10, 1.0)}, state, "pushdata", "/etc/c.ini");
  EXPECT_EQ(r.status, CheckStatus::kCritical);
  EXPECT_EQ(r.summary, "CRITICAL - events lost to the log's retention");
  EXPECT_EQ(r.details.back().rfind("CRITICAL - partition 1 of pushdata: offsets 4 to 8 (5 events) "
                                   "were deleted by the log's retention",
                                   0),
            0u)
      << r.details.back();
  // Recovered (bootstrap hgweb or --accept-lost committed past the range).
  auto after = Eval({Lag(1, 9, 10, 1.0)}, {}, state);
  AddLostRanges(after, {Lag(1, 9, 10, 1.0)}, state, "pushdata", "/etc/c.ini");
  EXPECT_EQ(after.status, CheckStatus::kOk);
}

TEST(CheckConsumerLagTest, UnreadableStateFileWarns) {
  ConsumerStateRead parked;
  parked.error = "parse error";
  auto r = Eval(InSync(1, 3), {}, parked);
  EXPECT_EQ(r.status, CheckStatus::kWarning);
  EXPECT_EQ(r.summary, "WARNING - 0/1 partitions out of sync");
  EXPECT_EQ(r.details.back(),
            "WARNING - cannot read consumer state file /state/consumer-g.json: parse error");
}

TEST(CheckConsumerLagTest, FormatReportHasTheReferenceFooter) {
  auto text = FormatReport(Eval(InSync(1, 5)));
  EXPECT_EQ(text,
            "OK - 1/1 consumers completely in sync\n"
            "\n"
            "OK - partition 0 is completely in sync (5/5)\n"
            "\n"
            "See https://mozilla-version-control-tools.readthedocs.io/en/latest/hgmo/ops.html\n"
            "for details about this check.\n");
}

TEST(CheckConsumerLagTest, TelegrafIsSortedPythonJson) {
  EXPECT_EQ(
      ConsumerLagTelegraf({Lag(0, 1, 1, 0.0), Lag(1, 0, 2, 1.25), Lag(2, 0, 1, std::nullopt)}),
      "[{\"available\": 1, \"lag_time\": 0.0, \"offset\": 1, \"partition\": 0}, "
      "{\"available\": 2, \"lag_time\": 1.25, \"offset\": 0, \"partition\": 1}, "
      "{\"available\": 1, \"lag_time\": null, \"offset\": 0, \"partition\": 2}]");
  EXPECT_EQ(ConsumerLagTelegraf({}), "[]");
}

}  // namespace
}  // namespace hgc

namespace hgc {
namespace {

TEST(CheckConsumerLagTest, DivergedRepositoryIsCriticalAndRepairedIsNot) {
  VerifyStateRead verify;
  VerifyResult diverged;
  diverged.repo = "{moz}/a";
  diverged.partition = 1;
  diverged.offset = 9;
  diverged.result = "diverged";
  diverged.differences = {"bookmarks: leader has {}, mirror has {\"x\": \"ab\"}"};
  VerifyResult repaired = diverged;
  repaired.repo = "{moz}/b";
  repaired.result = "repaired";
  verify.state = {{"{moz}/a", diverged}, {"{moz}/b", repaired}};
  CheckReport report = Eval(InSync(2, 5));
  AddVerifyVerdicts(report, verify, "/state/verify-g.json");
  EXPECT_EQ(report.status, CheckStatus::kCritical);
  EXPECT_EQ(report.summary, "CRITICAL - repositories differ from the leader");
  EXPECT_EQ(report.details.back(),
            "CRITICAL - repository {moz}/a differs from the leader (verify at partition 1 offset "
            "9): bookmarks: leader has {}, mirror has {\"x\": \"ab\"}");

  CheckReport fine = Eval(InSync(2, 5));
  verify.state.erase("{moz}/a");
  AddVerifyVerdicts(fine, verify, "/state/verify-g.json");
  EXPECT_EQ(fine.status, CheckStatus::kOk);
  EXPECT_EQ(fine.summary, "OK - 2/2 consumers completely in sync");

  VerifyStateRead unreadable;
  unreadable.error = "not a JSON object";
  CheckReport warned = Eval(InSync(1, 5));
  AddVerifyVerdicts(warned, unreadable, "/state/verify-g.json");
  EXPECT_EQ(warned.status, CheckStatus::kWarning);
  EXPECT_EQ(warned.details.back(),
            "WARNING - cannot read verify file /state/verify-g.json: not a JSON object");
}

}  // namespace
}  // namespace hgc
