// Copies events that every mirror has applied from a monitored topic to a
// single-partition aggregate topic (spec/replication.md §4), the step that
// turns "applied somewhere" into "applied everywhere".
//
// Per monitored partition, "fully consumed" is the minimum committed offset
// of the groups in the groups file; records between the ack group's
// committed offset and that minimum are copied in order — merged across
// partitions by their `_created` time, each partition's order kept — and the
// ack group's offset is committed after each batch.
//
// Exactly once: every copy carries `_aggregated_from` {topic, partition,
// offset}. A crash between appending a batch and committing it would re-copy
// it; Recover() (run at start and after any failure) reads the tail of the
// aggregate topic and commits past whatever is already there. Batches are
// bounded, so the tail to read is too.
//
// A changegroup is held back until the hg-heads-1 the leader wrote right
// after it (in the same atomic append) can go too: at stage 2 that means the
// notifiers hear of a push only once every mirror's heads file exposes it,
// not in the moment between the two records.
//
// `_original_created` and `_original_partition` are set only when absent, so
// after the second stage they still hold the push's true produce time and
// partition (the reference overwrote them with stage-1 values).
// Events carrying a `_master_epoch` lower than one already seen on their
// partition come from a deposed master and are committed past, not copied,
// except changegroups (src/master/epoch_fence.h); the highest epochs live beside the config file
// (`<config>.epochs.json`).
// Time comes from a Clock (common/clock.h): the `_created` stamp of each
// copy, and how often the monitored topic's partition count is read again.
// Reading the log waits in real time whatever the clock (bounded polls).
// Thread-safety: one Aggregator per thread; one per (stage, cluster).
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "aggregator/aggregator_config.h"
#include "common/clock.h"
#include "log/log.h"
#include "master/epoch_fence.h"
#include "master/master_state.h"

namespace hgc {

class Aggregator {
 public:
  static constexpr int kMaxBatch = 500;
  // Partitions are added rarely, and on Kafka each count is a metadata
  // request: the count is read again once this much time has passed.
  static constexpr std::chrono::seconds kPartitionsReadEvery{30};

  Aggregator(AggregatorConfig config, Log& log, Clock& clock = RealClock());

  // Commits past records already present in the aggregate topic, and drops
  // read-ahead state (to be called after any failure).
  void Recover();

  // One pass: returns the number of records copied. Throws Error when the
  // groups file is empty or unreadable, or the log fails.
  int Iterate();

  // Groups in the groups file that never committed an offset on the
  // monitored topic (reported, and aggregation waits for them).
  const std::set<std::string>& never_committed() const { return never_committed_; }

  // The ack group's offset per monitored partition as of the last pass: the
  // next record to copy.
  const std::map<int, int64_t>& acked() const { return acked_; }

 private:
  struct Pending {
    int partition;
    int64_t offset;
    std::string value;
    double created;
    bool changegroup = false;  // hg-changegroup-*
    bool heads = false;        // hg-heads-1
    std::string path;
  };
  // Read-ahead per monitored partition: records from the ack offset on, so
  // each record is read and decoded once however many iterations it waits.
  struct Reader {
    std::unique_ptr<LogCursor> cursor;
    int64_t next = 0;  // offset of the record after the buffered ones
    std::deque<Pending> buffered;
  };
  void Fill(int partition, int64_t start, int64_t end);
  void Log(const std::string& line);

  AggregatorConfig config_;
  hgc::Log& log_;
  Clock& clock_;
  std::set<std::string> never_committed_;
  std::map<int, int64_t> acked_;
  int partitions_ = 0;  // of the monitored topic, as last read
  Clock::Instant partitions_read_{};
  std::map<int, Reader> readers_;
  // Master fencing: events of a deposed master are not copied (the mirrors
  // dropped them too), and nothing is appended once this host has lost the
  // master role ($HGCLUSTER_MASTER_STATE, set by the master monitor).
  EpochFence fence_;
  std::optional<MasterGate> gate_;
};

}  // namespace hgc
