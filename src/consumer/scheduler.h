// Applies log records with a bounded pool of workers without head-of-line
// blocking: records of one repository run strictly in log order, different
// repositories run in parallel, and each partition's committed offset is the
// end of its contiguous run of finished records — a record is never
// committed before it (and everything before it in its partition) is on
// disk. A repository whose record keeps failing is retried with exponential
// backoff, then *parked*: reported in the state file and retried slowly;
// other repositories keep flowing, and nothing after the parked record is
// lost because the partition's commit point stays at it.
// Backoff, parking and deferred commits are timed on a Clock
// (common/clock.h); WaitIdle's timeout is real time, the caller's.
// Thread-safety: Submit/WaitIdle/Stop from one thread; workers are internal.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "consumer/consumer_state.h"
#include "log/log.h"
#include "message/message.h"

namespace hgc {

struct SchedulerOptions {
  int workers = 4;
  int max_retries = 5;
  double retry_base_seconds = 2.0;
  double parked_retry_seconds = 30.0;
  std::string state_file;  // JSON with parked repos; empty: none written
  std::string logger = "vcsreplicator.consumer";
  // For the recovery commands of a lost range (DescribeLostRange).
  std::string topic = "pushdata";
  std::string config = "CONFIG";
  // A commit that only moves past records that needed no work (heartbeats,
  // filtered repositories), or that stops short of a record still queued or
  // running, waits up to this long for a later commit to carry it: a push's
  // two heartbeats, changegroup and heads then cost one commit instead of
  // four (each a replicated write on Kafka). A commit that reaches the end of
  // what was read is made at once. Zero: every commit at once.
  std::chrono::milliseconds commit_delay{500};
};

class Scheduler {
 public:
  // `apply(message, partition, offset)` does the work (throws on failure);
  // `commit(partition, next_offset)` durably commits a partition.
  using ApplyFn = std::function<void(const Message&, int, int64_t)>;
  using CommitFn = std::function<void(int, int64_t)>;
  // `filter(message)` returns a reason to skip (filtered repo) or nullopt.
  using FilterFn = std::function<std::optional<std::string>(const Message&)>;

  Scheduler(SchedulerOptions options, ApplyFn apply, CommitFn commit, FilterFn filter,
            Clock& clock = RealClock());
  ~Scheduler();

  // `fence(message, partition)` is asked about every decoded record, in log
  // order per partition, before it is queued: a reason means the record is
  // dropped (logged, committed past, never applied). Master fencing.
  using FenceFn = std::function<std::optional<std::string>(const Message&, int)>;
  void SetFence(FenceFn fence) { fence_ = std::move(fence); }

  // `repair(message)` is called once when a repository is parked on
  // `message`, before the next attempt, which follows right away (a
  // repaired repository needs no backoff); it throws when it cannot repair.
  // Unset: parked repositories are only retried.
  using RepairFn = std::function<void(const Message&)>;
  void SetRepair(RepairFn repair) { repair_ = std::move(repair); }

  // Tells the scheduler where each partition starts (its committed offset).
  void StartPartition(int partition, int64_t offset);

  // Queues a record read from the log (records of a partition in order).
  // A record past the partition's next offset means the log deleted the
  // ones between (retention) before they were read: the range is marked
  // lost as by MarkLost.
  void Submit(const LogRecord& record);

  // Records [from, to) of `partition` are gone from the log unread: logs
  // what was lost and how to recover, reports it in the state file, and
  // stops the partition — its later records are dropped, never applied nor
  // committed, so its committed offset stays before the gap.
  void MarkLost(int partition, int64_t from, int64_t to);

  // One past the last record submitted for `partition` (its start offset
  // if none was), and whether the partition was stopped by a loss.
  int64_t NextOffset(int partition);
  bool Lost(int partition);

  // Records queued or running, for read-ahead bounding.
  size_t Outstanding();

  // Blocks until nothing is queued or running (parked repos excepted) or the
  // timeout passes; true when idle.
  bool WaitIdle(std::chrono::milliseconds timeout);

  // Finishes running records, abandons queued ones (they are not committed),
  // joins the workers.
  void Stop();

  std::vector<ParkedRepo> Parked();
  // Failed attempts at the next record of each repository that has one
  // waiting for a retry (parked or not), by repository.
  std::map<std::string, int> FailedAttempts();
  std::vector<LostRange> LostRanges();

  // Writes the state file (parked repos); also marks the consumer as started.
  void WriteState();

 private:
  struct Item {
    LogRecord record;
    std::optional<Message> message;
    std::string decode_error;
  };
  struct RepoQueue {
    std::deque<Item> items;
    bool running = false;
    bool parked = false;
    bool repair_due = false;  // parked just now: repair before the next attempt
    int attempts = 0;
    std::string last_error;
    double parked_since = 0;
    Clock::Instant not_before{};
  };
  struct PartitionState {
    std::set<int64_t> outstanding;
    int64_t next = 0;       // one past the last submitted offset
    int64_t committed = 0;  // last committed
    // Set while a deferred commit is pending: when it must be made at the latest.
    std::optional<Clock::Instant> commit_due;
    std::optional<LostRange> lost;
  };

  void WorkerLoop();
  void Finish(const std::string& key, int partition, int64_t offset);
  // `refused`: the apply threw Error(kRefused); parked at once, never repaired.
  void Fail(const std::string& key, const std::string& error, bool refused);
  void MaybeCommit(int partition);
  // MaybeCommit within options_.commit_delay, unless a commit comes first.
  void CommitSoon(int partition);
  // Partitions whose deferred commit is due by `now` (all of them with
  // `all`); the others' due times lower `*wake`. Called with mu_ held.
  std::vector<int> DueCommitsLocked(Clock::Instant now, bool all,
                                    Clock::Instant* wake);
  void Repair(const std::string& key, const Item& item);
  std::optional<std::string> NextReadyLocked(Clock::Instant* wake);
  void Log(const std::string& line);

  SchedulerOptions options_;
  Clock& clock_;
  ApplyFn apply_;
  CommitFn commit_;
  FilterFn filter_;
  FenceFn fence_;
  RepairFn repair_;

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable idle_cv_;
  std::map<std::string, RepoQueue> repos_;
  std::map<int, PartitionState> partitions_;
  size_t outstanding_ = 0;
  bool stopping_ = false;
  std::mutex commit_mu_;
  // Held while a snapshot is taken and written: two workers parking at once
  // must not let the older snapshot be renamed over the newer one.
  std::mutex state_mu_;
  std::vector<std::thread> threads_;
};

}  // namespace hgc
