#include "aggregator/change_wait.h"

#include <vector>

namespace hgc {

ChangeWait::ChangeWait(Log& log, const std::string& topic, Clock& clock)
    : log_(log), topic_(topic), clock_(clock) {}

void ChangeWait::Wait(const std::map<int, int64_t>& acked) {
  if (log_.Backend() != "kafka") {
    log_.WaitForChange(kIdleWait);
    return;
  }
  Clock::Instant now = clock_.Now();
  if (!reader_) {
    // From the current end of every partition: what is before it is
    // either copied or pending (the watermarks say which).
    std::vector<TopicPartitionOffset> start;
    int n = log_.PartitionCount(topic_);
    for (int p = 0; p < n; ++p) {
      end_[p] = log_.GetWatermarks(topic_, p).high;
      start.push_back({topic_, p, end_[p]});
    }
    reader_ = log_.OpenCursor(start);
    last_change_ = now;
  }
  if (acked != last_acked_) {
    last_acked_ = acked;
    last_change_ = now;
  }
  bool pending = false;
  for (const auto& [p, end] : end_) {
    auto it = acked.find(p);
    if (it == acked.end() || it->second < end) pending = true;
  }
  std::chrono::milliseconds wait = kIdleWait;
  if (pending) wait = now - last_change_ < kActiveFor ? kActivePoll : kStalledPoll;
  try {
    for (const LogRecord& r : reader_->Poll(10000, wait)) {
      end_[r.partition] = std::max(end_[r.partition], r.offset + 1);
      last_change_ = clock_.Now();
    }
  } catch (...) {
    reader_.reset();  // reopened at the next wait; the pass itself reports the outage
    clock_.SleepFor(wait);
  }
}

}  // namespace hgc
