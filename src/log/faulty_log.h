// A Log for tests of failure paths: it passes every call to a real log,
// except the ones a rule picks, which throw Error(kLogUnavailable) as a dead
// broker or a locked database would — either before the call reaches the
// log (nothing happened) or, for appends and commits, after it (the record
// or offset is stored, yet the caller hears of a failure: a Kafka producer
// whose acknowledgement timed out after the broker wrote). The second kind
// is the one exactly-once code must survive.
// Thread-safety: calls may come from several threads; rules are set before.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "log/log.h"

namespace hgc {

class FaultyLog : public Log {
 public:
  // kAppend counts Append and AppendBatch; kPoll counts polls of every
  // cursor this log opened.
  enum class Op { kAppend, kCommit, kCommitted, kWatermarks, kOpenCursor, kPoll };
  enum class When { kBefore, kAfter };
  explicit FaultyLog(Log& real) : real_(real) {}

  // The `nth` (1-based, counted over this log's life) call of `op` fails.
  // kAfter is only meaningful for kAppend and kCommit.
  void FailNth(Op op, int nth, When when = When::kBefore);

  int Calls(Op op) const;
  int Injected() const { return injected_.load(); }

  std::string Backend() const override { return real_.Backend(); }
  void EnsureTopic(const std::string& topic, int partitions) override {
    real_.EnsureTopic(topic, partitions);
  }
  int PartitionCount(const std::string& topic) override { return real_.PartitionCount(topic); }
  int64_t Append(const std::string& topic, int partition, std::string_view value) override;
  int64_t AppendBatch(const std::string& topic, int partition,
                      const std::vector<std::string>& values) override;
  Watermarks GetWatermarks(const std::string& topic, int partition) override;
  std::map<int, int64_t> Committed(const std::string& group, const std::string& topic,
                                   const std::vector<int>& partitions) override;
  void Commit(const std::string& group, const std::string& topic,
              const std::map<int, int64_t>& offsets) override;
  std::unique_ptr<LogCursor> OpenCursor(const std::vector<TopicPartitionOffset>& start) override;
  void WaitForChange(std::chrono::milliseconds timeout) override { real_.WaitForChange(timeout); }

  // Counts the call; returns the fault to inject on it, if any.
  std::optional<When> Next(Op op);
  [[noreturn]] void Throw(Op op, When when);

 private:
  struct Rule {
    Op op;
    int nth;
    When when;
  };
  Log& real_;
  mutable std::mutex mu_;
  std::vector<Rule> rules_;
  std::map<Op, int> calls_;
  std::atomic<int> injected_{0};
};

}  // namespace hgc
