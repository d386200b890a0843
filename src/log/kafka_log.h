// The Kafka backend of the replication log, on librdkafka's C API. Appends go
// through one idempotent acks=all producer and return only once the broker
// confirmed them; committed offsets are read and written through an unsubscribed
// consumer handle per group (the group is an offset namespace, never a
// rebalancing member, as in the reference); cursors assign partitions statically.
// Topics are never created by appends or metadata requests: `hgcluster
// kafka-topics` and `up` create them (kafka_admin.h); EnsureTopic only checks.
// Thread-safety: a KafkaLog may be used from several threads at once (lazily
// created handles are guarded by a mutex); a cursor belongs to one thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "log/log.h"

namespace hgc {

struct KafkaOptions {
  // How long librdkafka keeps retrying one append (message.timeout.ms) before
  // Append gives up with kLogUnavailable. Bounds how long a push waits on a
  // dead cluster.
  std::chrono::milliseconds delivery_timeout{10'000};
  // Bound on each metadata, watermark, offset fetch and offset commit request.
  std::chrono::milliseconds request_timeout{10'000};
  // Where a cursor goes when its position is outside the stored range (the
  // log deleted it): "earliest" (default: the next record read shows the
  // gap, which the consumer reports as lost rather than skip it), "latest"
  // (the reference's consumer, which also skipped what was appended
  // meanwhile), or "error".
  std::string out_of_range_reset = "earliest";
  // compression.codec of appends: "gzip" (default; every Kafka client reads
  // it, the reference's kafka-python 1.4.6 included), "lz4", "zstd" or
  // "none". The brokers compare the *compressed* record with the topic's
  // max.message.bytes (log/message_size.h checks before appending).
  std::string compression = "gzip";
  // fetch.wait.max.ms of readers: how long a broker holds a fetch that found
  // nothing. Kafka answers as soon as data arrives, so this only sets how
  // often an idle reader asks (every reader process, every broker: load on
  // the brokers and the host). librdkafka's mock cluster does not answer
  // early, so its tests set it low.
  std::chrono::milliseconds fetch_wait{500};
};

// `brokers` is a bootstrap list "host:port[,host:port]". Connecting is lazy:
// this never fails for an unreachable cluster; the first call that needs the
// cluster throws Error(kLogUnavailable) instead.
std::unique_ptr<Log> OpenKafkaLog(const std::string& brokers, const std::string& client_id,
                                  const KafkaOptions& options = {});

// "kafka://host:port[,host:port]" -> "host:port[,host:port]". Throws
// Error(kConfig) when the URL is not a kafka URL or names no broker.
std::string KafkaBrokersFromUrl(const std::string& url);

}  // namespace hgc
