// The notifier's consume loop: reads the notifier topic from the group's
// committed offset, turns each record into a notification, hands it to a
// sink and commits the record only once the sink confirmed delivery.
//
// A failed delivery is retried with backoff (RetryPolicy) for as long as the
// process runs; the offset never moves past an undelivered event, so a
// crash or restart re-reads it. Duplicate copies of an event (aggregator
// crash) are recognised among the last `dedupe_window` events, including
// the ones before the committed offset at start-up, and not delivered again.
// A record that cannot be decoded stops the loop with Error(kMalformed)
// (`--skip` moves past it), as the reference's daemon stops.
// Thread-safety: one NotifierLoop per thread; the Log may be shared.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "log/log.h"
#include "notify/event_identity.h"
#include "notify/notifier_config.h"
#include "notify/push_notification.h"

namespace hgc {

struct NotifierLoopOptions {
  std::string group;  // consumer group whose offsets this loop commits
  // `--start-from N`: every partition starts at absolute offset N (0 = the
  // committed offsets).
  int64_t start_from = 0;
  size_t dedupe_window = 512;
  std::string label;  // prefix of retry log lines (webhook target name)
};

class NotifierLoop {
 public:
  NotifierLoop(const NotifierConfig& config, Log& log, NotificationSink& sink,
               NotifierLoopOptions options);

  // Processes records until `stop` is set, finishing (or abandoning,
  // uncommitted) the record in hand. Throws Error(kMalformed) on an
  // undecodable record and any non-log Error from the log itself.
  void Run(const std::atomic<bool>& stop);

 private:
  std::unique_ptr<LogCursor> Open();
  void Preload(const std::map<int, int64_t>& start);
  // False when `stop` interrupted the delivery.
  bool Handle(const LogRecord& record, const std::atomic<bool>& stop);
  void Commit(const LogRecord& record);
  void Note(const std::string& line) const;

  const NotifierConfig& config_;
  Log& log_;
  NotificationSink& sink_;
  NotifierLoopOptions options_;
  RecentEvents recent_;
  std::map<int, int64_t> next_;  // next offset per partition, once opened
};

// `--skip`: commits past the record at `group`'s committed offset (or at
// `start_from`) of the first partition that has one and prints
// `skipped <name> message in partition <p> for group <g>` (name UNKNOWN for
// an undecodable record); prints `no message available; nothing to skip` and
// returns 1 when there is none.
int SkipNextRecord(const NotifierConfig& config, Log& log, const std::string& group,
                   int64_t start_from);

// Where each partition of the topic starts: `start_from` if non-zero, else
// the group's committed offset, else the oldest stored record.
std::map<int, int64_t> NotifierStartOffsets(const NotifierConfig& config, Log& log,
                                            const std::string& group, int64_t start_from);

}  // namespace hgc
