// How far a topic is fully applied: per partition, the offset every listed
// consumer group has committed past (the minimum; spec/replication.md §4.2,
// an absent commit counts as 0) next to the offset the aggregator's ack
// group committed. The one computation of it, for the aggregator (what to
// copy), its lag check and `hgcluster status` (how much waits to be copied).
// Thread-safety: pure functions, and one that reads the log it is given.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "log/log.h"

namespace hgc {

struct AggregatorPartition {
  int partition = 0;
  int64_t consumed = 0;  // minimum committed offset across the listed groups
  int64_t acked = 0;     // the ack group's committed offset
  int64_t behind() const { return consumed > acked ? consumed - acked : 0; }
};

// Committed offsets per partition, as Log::Committed returns them (a
// partition never committed is absent).
using CommittedOffsets = std::map<int, int64_t>;

// A partition's committed offset, 0 when never committed (§4.2).
int64_t OffsetOr0(const CommittedOffsets& offsets, int partition);

// `groups` must not be empty (throws Error(kConfig): the minimum of nothing
// is undefined).
std::vector<AggregatorPartition> AggregationOffsets(
    int partitions, const std::map<std::string, CommittedOffsets>& groups,
    const CommittedOffsets& ack);

// Reads the groups' and the ack group's commits on partitions 0..n-1 of
// `topic` and computes the above. `committed`, when given, receives each
// group's commits (for the checks that look at groups one by one).
std::vector<AggregatorPartition> ReadAggregationOffsets(
    Log& log, const std::string& topic, int partitions, const std::vector<std::string>& groups,
    const std::string& ack_group, std::map<std::string, CommittedOffsets>* committed = nullptr);

}  // namespace hgc
