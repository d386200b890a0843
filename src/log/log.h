// The replication log: topics split into partitions, each an append-only
// sequence of opaque values numbered from offset 0, plus committed offsets per
// consumer group. Two backends implement it (embedded SQLite, Kafka); every
// other component only sees this interface.
//
// Offsets follow Kafka: a committed offset is the offset of the *next* record
// to read; "high watermark" is the offset the next append will get.
// Thread-safety: a Log may be used from several threads at once; a LogCursor
// belongs to one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hgc {

struct LogRecord {
  std::string topic;
  int partition = 0;
  int64_t offset = 0;
  std::string value;
};

struct Watermarks {
  int64_t low = 0;   // oldest offset still stored
  int64_t high = 0;  // offset the next append will receive
};

// Reads records from a set of (topic, partition) positions. poll() blocks
// until at least one record is available or the timeout passes; it returns
// records in offset order per partition.
class LogCursor {
 public:
  virtual ~LogCursor() = default;
  virtual std::vector<LogRecord> Poll(size_t max_records, std::chrono::milliseconds timeout) = 0;
  // Moves the read position of one assigned partition.
  virtual void Seek(const std::string& topic, int partition, int64_t offset) = 0;
};

struct TopicPartitionOffset {
  std::string topic;
  int partition = 0;
  int64_t offset = 0;
};

class Log {
 public:
  virtual ~Log() = default;

  // "embedded" or "kafka".
  virtual std::string Backend() const = 0;

  // Creates the topic with `partitions` partitions if it does not exist
  // (embedded); checks that it exists (Kafka, where topics are created by the
  // cluster's operator). Throws Error(kLogUnavailable) when unreachable.
  virtual void EnsureTopic(const std::string& topic, int partitions) = 0;

  // Number of partitions of a topic; throws Error(kNotFound) if unknown.
  virtual int PartitionCount(const std::string& topic) = 0;

  // Durably appends one value and returns its offset. Returns only after the
  // record is on stable storage (embedded: fsynced WAL; Kafka: acks=all).
  // Throws Error(kLogUnavailable) when the append cannot be made durable.
  virtual int64_t Append(const std::string& topic, int partition, std::string_view value) = 0;

  // Appends several values to one partition atomically (all or none) and
  // returns the offset of the first.
  virtual int64_t AppendBatch(const std::string& topic, int partition,
                              const std::vector<std::string>& values) = 0;

  virtual Watermarks GetWatermarks(const std::string& topic, int partition) = 0;

  // Committed offsets of `group` for the given partitions. A partition the
  // group never committed is absent from the map.
  virtual std::map<int, int64_t> Committed(const std::string& group, const std::string& topic,
                                           const std::vector<int>& partitions) = 0;

  // Durably stores committed offsets for `group`.
  virtual void Commit(const std::string& group, const std::string& topic,
                      const std::map<int, int64_t>& offsets) = 0;

  // Opens a cursor positioned at the given offsets.
  virtual std::unique_ptr<LogCursor> OpenCursor(const std::vector<TopicPartitionOffset>& start) = 0;

  // Blocks until something may have changed in the log (an append or an
  // offset commit by any process) or `timeout` passes. For processes that
  // watch committed offsets rather than records (the aggregator). Backends
  // without change notification wait a short fixed interval.
  virtual void WaitForChange(std::chrono::milliseconds timeout);
};

// Opens a log from a URL: "sqlite:///abs/path/log.db" (or a plain path) for the
// embedded log, "kafka://host:port[,host:port]" for Kafka. `client_id` names
// this process to Kafka.
std::unique_ptr<Log> OpenLog(const std::string& url, const std::string& client_id = "hgcluster");

}  // namespace hgc
