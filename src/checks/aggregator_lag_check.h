// check_vcsreplicator_aggregator_lag / check_pushdataaggregator_lag
// (spec/replication.md §6.2) as pure functions: the aggregator's view of the
// monitored topic (what every listed group consumed, what the ack group
// copied) to the Nagios report or the --telegraf JSON. Fixes the reference's
// stale per-partition label, and warns about a listed group that never
// committed an offset: it holds aggregation at offset 0 without any error.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/check_report.h"
#include "log/aggregation_offsets.h"

namespace hgc {

// Listed groups with no committed offset on any partition, in file order.
// None while the topic holds no record at all: a consumer commits only after
// its first record, so on a fresh cluster every group is "never committed"
// without anything being held back.
std::vector<std::string> NeverCommittedGroups(const std::vector<std::string>& listed,
                                              const std::map<std::string, CommittedOffsets>& groups,
                                              bool topic_has_records);

struct AggregatorThresholds {
  int64_t warning_count = 40;
  int64_t critical_count = 100;
  // For a listed group's messages left to apply (AggregatorView::groups_behind).
  int64_t group_warning_count = 40;
  int64_t group_critical_count = 100;
};

// Messages of the monitored topic a listed group has not consumed yet (sum
// over partitions of the end offset minus its committed offset).
std::vector<std::pair<std::string, int64_t>> GroupsBehind(
    const std::vector<std::string>& listed, const std::map<std::string, CommittedOffsets>& groups,
    const std::map<int, int64_t>& ends);

struct AggregatorView {
  std::vector<AggregatorPartition> partitions;  // ascending
  std::vector<std::string> never_committed;
  // Listed groups with messages left to consume, in file order. Beyond the
  // reference: the aggregator waits for the slowest group, so a mirror cut
  // off holds every push's announcement (and, with served heads, its
  // serving) while this check's partitions all look in sync. When the
  // aggregator has copied everything, a group behind by the group warning
  // (critical) count is a WARNING (CRITICAL) line naming it.
  std::vector<std::pair<std::string, int64_t>> groups_behind;
  std::string groups_file;
  std::string topic;
};

CheckReport EvaluateAggregatorLag(const AggregatorView& view,
                                  const AggregatorThresholds& thresholds);

// "CRITICAL - no groups listed in <file>": with no group the aggregator
// cannot tell what is fully replicated and copies nothing.
CheckReport NoGroupsReport(const std::string& groups_file);

// [{"acked_offset": A, "consumed_offset": C, "partition": P}, ...] as
// Python's json.dumps(..., sort_keys=True).
std::string AggregatorLagTelegraf(const std::vector<AggregatorPartition>& partitions);

}  // namespace hgc
