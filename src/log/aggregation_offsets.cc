#include "log/aggregation_offsets.h"

#include <algorithm>

#include "common/error.h"

namespace hgc {

int64_t OffsetOr0(const CommittedOffsets& offsets, int partition) {
  auto it = offsets.find(partition);
  return it == offsets.end() ? 0 : it->second;
}

std::vector<AggregatorPartition> AggregationOffsets(
    int partitions, const std::map<std::string, CommittedOffsets>& groups,
    const CommittedOffsets& ack) {
  if (groups.empty()) {
    throw Error(ErrorKind::kConfig, "no consumer groups to aggregate over");
  }
  std::vector<AggregatorPartition> out;
  for (int p = 0; p < partitions; ++p) {
    AggregatorPartition a;
    a.partition = p;
    a.consumed = OffsetOr0(groups.begin()->second, p);
    for (const auto& [group, offsets] : groups) {
      a.consumed = std::min(a.consumed, OffsetOr0(offsets, p));
    }
    a.acked = OffsetOr0(ack, p);
    out.push_back(a);
  }
  return out;
}

std::vector<AggregatorPartition> ReadAggregationOffsets(
    Log& log, const std::string& topic, int partitions, const std::vector<std::string>& groups,
    const std::string& ack_group, std::map<std::string, CommittedOffsets>* committed) {
  std::vector<int> parts;
  for (int p = 0; p < partitions; ++p) parts.push_back(p);
  std::map<std::string, CommittedOffsets> by_group;
  for (const auto& g : groups) by_group[g] = log.Committed(g, topic, parts);
  auto out = AggregationOffsets(partitions, by_group, log.Committed(ack_group, topic, parts));
  if (committed) *committed = std::move(by_group);
  return out;
}

}  // namespace hgc
