// The aggregator check's pure parts against spec/replication.md §4.2 and §6.2
// (and test-check-aggregator-lag.t), including the fixed per-partition label
// and the never-committed group warning.
#include "checks/aggregator_lag_check.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace hgc {
namespace {

using Lines = std::vector<std::string>;

AggregatorView View(std::vector<AggregatorPartition> partitions,
                    std::vector<std::string> never = {}) {
  AggregatorView v;
  v.partitions = std::move(partitions);
  v.never_committed = std::move(never);
  v.groups_file = "/etc/groups";
  v.topic = "pushdata";
  return v;
}

std::vector<AggregatorPartition> Uniform(int n, int64_t consumed, int64_t acked) {
  std::vector<AggregatorPartition> out;
  for (int p = 0; p < n; ++p) out.push_back({p, consumed, acked});
  return out;
}

TEST(CheckAggregatorLagTest, OffsetsAreTheMinimumOverGroupsWithAbsentAsZero) {
  std::map<std::string, CommittedOffsets> groups{{"hgweb0", {{0, 5}, {1, 3}, {2, 9}}},
                                                 {"hgweb1", {{0, 4}, {2, 9}}}};
  auto a = AggregationOffsets(3, groups, {{0, 2}, {2, 9}});
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].consumed, 4);
  EXPECT_EQ(a[0].acked, 2);
  EXPECT_EQ(a[1].consumed, 0);  // hgweb1 never committed partition 1
  EXPECT_EQ(a[1].acked, 0);
  EXPECT_EQ(a[2].consumed, 9);
  EXPECT_EQ(a[2].partition, 2);
  EXPECT_THROW(AggregationOffsets(3, {}, {}), Error);
}

TEST(CheckAggregatorLagTest, NeverCommittedGroupsInFileOrder) {
  std::map<std::string, CommittedOffsets> groups{{"b", {}}, {"a", {{0, 1}}}, {"c", {}}};
  EXPECT_EQ(NeverCommittedGroups({"c", "a", "b", "c"}, groups, true), (Lines{"c", "b"}));
  // Nothing to consume yet (fresh cluster): nobody is holding anything back.
  EXPECT_TRUE(NeverCommittedGroups({"c", "a", "b"}, groups, false).empty());
}

TEST(CheckAggregatorLagTest, AGroupBehindByTheThresholdsIsNamed) {
  std::map<std::string, CommittedOffsets> groups{{"hgweb1", {{0, 50}, {1, 60}}},
                                                 {"hgweb2", {{0, 10}, {1, 30}}}};
  auto behind = GroupsBehind({"hgweb1", "hgweb2", "hgweb3"}, groups, {{0, 50}, {1, 62}});
  // hgweb3 never committed: everything is left to it.
  EXPECT_EQ(behind, (std::vector<std::pair<std::string, int64_t>>{
                        {"hgweb1", 2}, {"hgweb2", 72}, {"hgweb3", 112}}));
  AggregatorView v = View(Uniform(2, 10, 10), {"hgweb3"});
  v.groups_behind = behind;
  auto r = EvaluateAggregatorLag(v, {});
  // The partitions are in sync (the aggregator copied what every group has):
  // the reference's check would say OK while hgweb2 holds every push.
  EXPECT_EQ(r.status, CheckStatus::kWarning);
  EXPECT_EQ(r.summary,
            "WARNING - aggregator has copied all fully replicated messages; waiting for group "
            "hgweb2");
  EXPECT_EQ(r.details, (Lines{"WARNING - group hgweb3 in /etc/groups has never committed an offset "
                              "on pushdata; aggregation waits for it",
                              "WARNING - group hgweb2 in /etc/groups has 72 messages of pushdata "
                              "left to apply; aggregation waits for it",
                              "OK - partition 0 is completely in sync (10/10)",
                              "OK - partition 1 is completely in sync (10/10)"}));
  v.groups_behind = {{"hgweb2", 100}};
  v.never_committed.clear();
  r = EvaluateAggregatorLag(v, {});
  EXPECT_EQ(r.status, CheckStatus::kCritical);
  EXPECT_EQ(r.details[0],
            "CRITICAL - group hgweb2 in /etc/groups has 100 messages of pushdata left to apply; "
            "aggregation waits for it");
}

TEST(CheckAggregatorLagTest, AllCopied) {
  auto r = EvaluateAggregatorLag(View(Uniform(8, 1, 1)), {});
  EXPECT_EQ(r.status, CheckStatus::kOk);
  EXPECT_EQ(r.summary, "OK - aggregator has copied all fully replicated messages");
  ASSERT_EQ(r.details.size(), 8u);
  EXPECT_EQ(r.details[3], "OK - partition 3 is completely in sync (1/1)");
}

TEST(CheckAggregatorLagTest, BehindWithinTolerance) {
  auto parts = Uniform(8, 1, 1);
  parts[0].consumed = 2;
  parts[2].consumed = 2;
  auto r = EvaluateAggregatorLag(View(parts), {});
  EXPECT_EQ(r.status, CheckStatus::kOk);
  EXPECT_EQ(r.summary, "OK - 2 messages from 2 partitions behind");
  EXPECT_EQ(r.details[0], "OK - partition 0 is 1 messages behind (1/2)");
  EXPECT_EQ(r.details[1], "OK - partition 1 is completely in sync (1/1)");
  EXPECT_EQ(r.details[2], "OK - partition 2 is 1 messages behind (1/2)");

  r = EvaluateAggregatorLag(View(parts), {1, 100});
  EXPECT_EQ(r.status, CheckStatus::kWarning);
  EXPECT_EQ(r.summary, "WARNING - 2 messages from 2 partitions behind");
  EXPECT_EQ(r.details[0], "WARNING - partition 0 is 1 messages behind (1/2)");

  r = EvaluateAggregatorLag(View(parts), {1, 1});
  EXPECT_EQ(r.status, CheckStatus::kCritical);
  EXPECT_EQ(r.summary, "CRITICAL - 2 messages from 2 partitions behind");
  EXPECT_EQ(r.details[2], "CRITICAL - partition 2 is 1 messages behind (1/2)");
}

TEST(CheckAggregatorLagTest, SmallPartitionIsOkNotTheStaleLabel) {
  // Total 45 is a WARNING; the reference would label partition 1 (5 behind)
  // WARNING too, reusing the summary's label.
  std::vector<AggregatorPartition> parts{{0, 40, 0}, {1, 5, 0}, {2, 3, 3}};
  auto r = EvaluateAggregatorLag(View(parts), {});
  EXPECT_EQ(r.status, CheckStatus::kWarning);
  EXPECT_EQ(r.summary, "WARNING - 45 messages from 2 partitions behind");
  EXPECT_EQ(r.details, (Lines{"WARNING - partition 0 is 40 messages behind (0/40)",
                              "OK - partition 1 is 5 messages behind (0/5)",
                              "OK - partition 2 is completely in sync (3/3)"}));
}

TEST(CheckAggregatorLagTest, AckedAheadIsInSync) {
  auto r = EvaluateAggregatorLag(View({{0, 2, 5}}), {});
  EXPECT_EQ(r.summary, "OK - aggregator has copied all fully replicated messages");
  EXPECT_EQ(r.details, (Lines{"OK - partition 0 is completely in sync (5/2)"}));
}

TEST(CheckAggregatorLagTest, NeverCommittedGroupWarns) {
  auto r = EvaluateAggregatorLag(View(Uniform(2, 0, 0), {"hgweb9"}), {});
  EXPECT_EQ(r.status, CheckStatus::kWarning);
  EXPECT_EQ(r.summary, "WARNING - aggregator has copied all fully replicated messages");
  EXPECT_EQ(r.details,
            (Lines{"WARNING - group hgweb9 in /etc/groups has never committed an offset on "
                   "pushdata; aggregation waits for it",
                   "OK - partition 0 is completely in sync (0/0)",
                   "OK - partition 1 is completely in sync (0/0)"}));
}

TEST(CheckAggregatorLagTest, NoGroups) {
  auto r = NoGroupsReport("/etc/groups");
  EXPECT_EQ(r.status, CheckStatus::kCritical);
  EXPECT_EQ(FormatReport(r),
            "CRITICAL - no groups listed in /etc/groups\n"
            "\n"
            "See https://mozilla-version-control-tools.readthedocs.io/en/latest/hgmo/ops.html\n"
            "for details about this check.\n");
}

TEST(CheckAggregatorLagTest, Telegraf) {
  EXPECT_EQ(AggregatorLagTelegraf({{0, 2, 2}, {1, 3, 1}}),
            "[{\"acked_offset\": 2, \"consumed_offset\": 2, \"partition\": 0}, "
            "{\"acked_offset\": 1, \"consumed_offset\": 3, \"partition\": 1}]");
}

}  // namespace
}  // namespace hgc
