#include "log/faulty_log.h"

#include <fmt/format.h>

#include "common/error.h"

namespace hgc {
namespace {

const char* OpName(FaultyLog::Op op) {
  switch (op) {
    case FaultyLog::Op::kAppend:
      return "append";
    case FaultyLog::Op::kCommit:
      return "commit";
    case FaultyLog::Op::kCommitted:
      return "committed offsets";
    case FaultyLog::Op::kWatermarks:
      return "watermarks";
    case FaultyLog::Op::kOpenCursor:
      return "open cursor";
    case FaultyLog::Op::kPoll:
      return "poll";
  }
  return "?";
}

class FaultyCursor : public LogCursor {
 public:
  FaultyCursor(FaultyLog& log, std::unique_ptr<LogCursor> real)
      : log_(log), real_(std::move(real)) {}
  std::vector<LogRecord> Poll(size_t max_records, std::chrono::milliseconds timeout) override {
    if (auto when = log_.Next(FaultyLog::Op::kPoll)) log_.Throw(FaultyLog::Op::kPoll, *when);
    return real_->Poll(max_records, timeout);
  }
  void Seek(const std::string& topic, int partition, int64_t offset) override {
    real_->Seek(topic, partition, offset);
  }

 private:
  FaultyLog& log_;
  std::unique_ptr<LogCursor> real_;
};

}  // namespace

void FaultyLog::FailNth(Op op, int nth, When when) {
  std::lock_guard lock(mu_);
  rules_.push_back({op, nth, when});
}

int FaultyLog::Calls(Op op) const {
  std::lock_guard lock(mu_);
  auto it = calls_.find(op);
  return it == calls_.end() ? 0 : it->second;
}

std::optional<FaultyLog::When> FaultyLog::Next(Op op) {
  std::lock_guard lock(mu_);
  int n = ++calls_[op];
  for (const Rule& r : rules_) {
    if (r.op == op && r.nth == n) return r.when;
  }
  return std::nullopt;
}

void FaultyLog::Throw(Op op, When when) {
  ++injected_;
  throw Error(ErrorKind::kLogUnavailable,
              fmt::format("injected fault: {} failed {} reaching the log", OpName(op),
                          when == When::kBefore ? "before" : "after"));
}

int64_t FaultyLog::Append(const std::string& topic, int partition, std::string_view value) {
  auto when = Next(Op::kAppend);
  if (when == When::kBefore) Throw(Op::kAppend, *when);
  int64_t offset = real_.Append(topic, partition, value);
  if (when) Throw(Op::kAppend, *when);
  return offset;
}

int64_t FaultyLog::AppendBatch(const std::string& topic, int partition,
                               const std::vector<std::string>& values) {
  auto when = Next(Op::kAppend);
  if (when == When::kBefore) Throw(Op::kAppend, *when);
  int64_t offset = real_.AppendBatch(topic, partition, values);
  if (when) Throw(Op::kAppend, *when);
  return offset;
}

Watermarks FaultyLog::GetWatermarks(const std::string& topic, int partition) {
  if (auto when = Next(Op::kWatermarks)) Throw(Op::kWatermarks, *when);
  return real_.GetWatermarks(topic, partition);
}

std::map<int, int64_t> FaultyLog::Committed(const std::string& group, const std::string& topic,
                                            const std::vector<int>& partitions) {
  if (auto when = Next(Op::kCommitted)) Throw(Op::kCommitted, *when);
  return real_.Committed(group, topic, partitions);
}

void FaultyLog::Commit(const std::string& group, const std::string& topic,
                       const std::map<int, int64_t>& offsets) {
  auto when = Next(Op::kCommit);
  if (when == When::kBefore) Throw(Op::kCommit, *when);
  real_.Commit(group, topic, offsets);
  if (when) Throw(Op::kCommit, *when);
}

std::unique_ptr<LogCursor> FaultyLog::OpenCursor(const std::vector<TopicPartitionOffset>& start) {
  if (auto when = Next(Op::kOpenCursor)) Throw(Op::kOpenCursor, *when);
  return std::make_unique<FaultyCursor>(*this, real_.OpenCursor(start));
}

}  // namespace hgc
