// The consumer's operator modes (`hgcluster consume` flags, the reference's
// vcsreplicator-consumer options): where a group starts, --dump, --skip,
// --accept-lost, --wait-for-n, --wait-for-no-lag, --onetime. The daemon
// itself is consume_cmd.cc.
// Thread-safety: each call runs on the caller's thread with its own log.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "consumer/consumer_config.h"
#include "log/log.h"
#include "message/message.h"

namespace hgc::consume {

struct ConsumeOptions {
  std::string config;
  std::optional<int> partition;
  bool skip = false;
  bool dump = false;
  bool onetime = false;
  bool wait_for_no_lag = false;
  int64_t start_from = 0;
  int wait_for_n = 0;
  double timeout = 0;  // for --wait-for-no-lag; 0 = forever
  bool heads = false;  // the heads consumer (writes .hg/replicated-data)
  bool accept_lost = false;
};

using ApplyFn = std::function<void(const Message&, int, int64_t)>;

// The partitions to read: --partition, checked, or all of the topic.
std::vector<int> Partitions(Log& log, const ConsumerConfig& c, const ConsumeOptions& o);
// Where each partition starts: the group's committed offset, or the oldest
// stored record for a group that never committed.
std::map<int, int64_t> StartOffsets(Log& log, const ConsumerConfig& c,
                                    const std::vector<int>& partitions);
// --start-from N: N records past the oldest stored, split across partitions.
void ApplyStartFrom(Log& log, const ConsumerConfig& c, std::map<int, int64_t>& start, int64_t n);
std::vector<TopicPartitionOffset> Positions(const ConsumerConfig& c,
                                            const std::map<int, int64_t>& start);

int WaitForNoLag(Log& log, const ConsumerConfig& c, const ConsumeOptions& o);
int Dump(Log& log, const ConsumerConfig& c, const std::map<int, int64_t>& start);
int Skip(Log& log, const ConsumerConfig& c, const std::map<int, int64_t>& start);
int AcceptLost(Log& log, const ConsumerConfig& c, const std::vector<int>& partitions);
int WaitForN(Log& log, const ConsumerConfig& c, const std::map<int, int64_t>& start, int n);
int Onetime(Log& log, const ConsumerConfig& c, const std::map<int, int64_t>& start,
            const ApplyFn& apply);

}  // namespace hgc::consume
