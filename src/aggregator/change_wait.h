// How the aggregator daemon waits after a pass that copied nothing.
//
// The embedded log notifies every change (appends and offset commits), so
// the wait is Log::WaitForChange. Kafka cannot tell anyone that a group
// committed an offset, and polling committed offsets every 50 ms cost ~75
// requests a second per aggregator, idle or not: broker CPU taken from hg on
// the same hosts. Here a reader of the monitored topic notes how far each
// partition goes. While records the aggregator has not copied exist, the
// mirrors are applying them: it polls often (less often once they have
// made no progress for a while). Once it has copied everything the reader
// saw, it only waits on the reader, which a new record wakes at once.
// How long it has been since the mirrors progressed is measured on a Clock
// (common/clock.h); the waits themselves are the reader's polls.
// Thread-safety: one per daemon thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "common/clock.h"
#include "log/log.h"

namespace hgc {

class ChangeWait {
 public:
  ChangeWait(Log& log, const std::string& topic, Clock& clock = RealClock());

  // Returns when the next pass may find something to copy. `acked`: the
  // aggregator's offset per partition (Aggregator::acked()).
  void Wait(const std::map<int, int64_t>& acked);

  static constexpr std::chrono::milliseconds kActivePoll{100};
  static constexpr std::chrono::milliseconds kStalledPoll{500};
  static constexpr std::chrono::milliseconds kIdleWait{1000};
  static constexpr std::chrono::seconds kActiveFor{3};

 private:
  Log& log_;
  std::string topic_;
  Clock& clock_;
  std::unique_ptr<LogCursor> reader_;  // Kafka only
  std::map<int, int64_t> end_;         // one past the last record the reader saw
  std::map<int, int64_t> last_acked_;
  Clock::Instant last_change_{};
};

}  // namespace hgc
