// The consumer's half of master fencing: per partition, the highest
// `_master_epoch` seen so far, in log order. An event carrying a lower epoch
// was written by a master that had already been replaced when it wrote it (a
// paused or partitioned host finishing a write late). Such an event is a
// stale *view* — heads, bookmark and phase moves, hgrc contents, syncs,
// deletions, heartbeats — and is dropped, with a log line, instead of being
// applied over what the new master wrote since. One kind is still applied:
// a changegroup. Its changesets were committed to the shared repository
// before the hook wrote the event, adding changesets is idempotent and never
// undoes anything, so applying it late is what keeps a push from being lost
// (its pushlog rows come with it). Events without an epoch (a cluster
// without the master role, or written by the reference's producer) pass.
//
// On an aggregated topic (one partition merging the leader's partitions by
// time) "partition" is the event's `_original_partition`, whose order the
// aggregator keeps.
//
// The highest epochs are kept in a small JSON file, written (atomically)
// before the record that raised them is handed on, so a restarted consumer
// still refuses what it refused before.
// Thread-safety: one fence per consumer, called from its reading thread.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace hgc {

class EpochFence {
 public:
  // `state_file` empty: kept in memory only.
  explicit EpochFence(std::string state_file);

  struct Verdict {
    bool drop = false;
    std::string line;  // what to log ("" for an ordinary event)
  };
  Verdict Admit(int partition, const nlohmann::json& body);

  int64_t Highest(int partition) const;

 private:
  std::string state_file_;
  std::map<int, int64_t> highest_;
};

}  // namespace hgc
