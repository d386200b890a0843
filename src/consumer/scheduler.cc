#include "consumer/scheduler.h"

#include <fmt/format.h>

#include <cmath>
#include <utility>

#include "common/clock.h"
#include "common/error.h"
#include "common/logline.h"
#include "hg/repo_state.h"

namespace hgc {
namespace {

// Records that carry no repository (heartbeats, undecodable payloads) are
// keyed by partition so they still serialise with nothing but themselves.
std::string KeyFor(const LogRecord& r, const std::optional<Message>& m) {
  if (m && !m->path.empty()) return "repo:" + m->path;
  if (m) return "";  // heartbeat: nothing to do
  return fmt::format("poison:{}/{}", r.topic, r.partition);
}

}  // namespace

Scheduler::Scheduler(SchedulerOptions options, ApplyFn apply, CommitFn commit, FilterFn filter,
                     Clock& clock)
    : options_(std::move(options)),
      clock_(clock),
      apply_(std::move(apply)),
      commit_(std::move(commit)),
      filter_(std::move(filter)) {
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Log(const std::string& line) { LogLine(options_.logger, line); }

void Scheduler::StartPartition(int partition, int64_t offset) {
  std::lock_guard lock(mu_);
  auto& p = partitions_[partition];
  p.next = offset;
  p.committed = offset;
}

void Scheduler::Submit(const LogRecord& record) {
  {
    std::unique_lock lock(mu_);
    auto it = partitions_.find(record.partition);  // absent: not started, no gap to see
    if (it != partitions_.end() && it->second.lost) return;
    if (it != partitions_.end() && record.offset > it->second.next) {
      int64_t from = it->second.next;
      lock.unlock();
      MarkLost(record.partition, from, record.offset);
      return;
    }
  }
  Item item{record, std::nullopt, ""};
  try {
    item.message = DecodeMessage(record.value);
  } catch (const Error& e) {
    item.decode_error = e.what();
  }
  std::string key = KeyFor(record, item.message);
  bool fenced = false;
  if (item.message && fence_) {
    if (auto refusal = fence_(*item.message, record.partition)) {
      Log(*refusal);
      key.clear();
      fenced = true;
    }
  }
  if (item.message && !key.empty()) {
    if (auto reason = filter_(*item.message)) {
      Log(fmt::format("repo {} filtered by rule {}", item.message->path, *reason));
      key.clear();
    }
  }
  {
    std::lock_guard lock(mu_);
    auto& p = partitions_[record.partition];
    p.next = std::max(p.next, record.offset + 1);
    if (item.message && !fenced) {
      Log(fmt::format("processing {} from partition {} offset {}", DisplayMessage(*item.message),
                      record.partition, record.offset));
    }
    if (!key.empty()) {
      p.outstanding.insert(record.offset);
      ++outstanding_;
      repos_[key].items.push_back(std::move(item));
      work_cv_.notify_one();
      return;
    }
  }
  CommitSoon(record.partition);
}

void Scheduler::MarkLost(int partition, int64_t from, int64_t to) {
  LostRange range{partition, from, to, clock_.WallSeconds()};
  {
    std::lock_guard lock(mu_);
    auto& p = partitions_[partition];
    if (p.lost) return;
    p.lost = range;
  }
  Log(DescribeLostRange(range, options_.topic, options_.config));
  WriteState();
}

int64_t Scheduler::NextOffset(int partition) {
  std::lock_guard lock(mu_);
  return partitions_[partition].next;
}

bool Scheduler::Lost(int partition) {
  std::lock_guard lock(mu_);
  return partitions_[partition].lost.has_value();
}

std::vector<LostRange> Scheduler::LostRanges() {
  std::lock_guard lock(mu_);
  std::vector<LostRange> out;
  for (const auto& [n, p] : partitions_) {
    if (p.lost) out.push_back(*p.lost);
  }
  return out;
}

size_t Scheduler::Outstanding() {
  std::lock_guard lock(mu_);
  return outstanding_;
}

std::optional<std::string> Scheduler::NextReadyLocked(Clock::Instant* wake) {
  auto now = clock_.Now();
  for (auto& [key, q] : repos_) {
    if (q.running || q.items.empty()) continue;
    if (q.not_before > now) {
      *wake = std::min(*wake, q.not_before);
      continue;
    }
    return key;
  }
  return std::nullopt;
}

std::vector<int> Scheduler::DueCommitsLocked(Clock::Instant now, bool all,
                                             Clock::Instant* wake) {
  std::vector<int> due;
  for (const auto& [n, p] : partitions_) {
    if (!p.commit_due) continue;
    if (all || *p.commit_due <= now) {
      due.push_back(n);
    } else if (wake) {
      *wake = std::min(*wake, *p.commit_due);
    }
  }
  return due;
}

void Scheduler::WorkerLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    auto now = clock_.Now();
    auto wake = now + std::chrono::seconds(1);
    if (auto due = DueCommitsLocked(now, false, &wake); !due.empty()) {
      lock.unlock();
      for (int p : due) MaybeCommit(p);
      lock.lock();
      continue;
    }
    auto key = NextReadyLocked(&wake);
    if (!key) {
      clock_.WaitUntil(lock, work_cv_, wake);
      continue;
    }
    RepoQueue& q = repos_[*key];
    q.running = true;
    Item item = q.items.front();
    bool repair = std::exchange(q.repair_due, false);
    lock.unlock();
    if (repair) Repair(*key, item);
    std::string error;
    bool refused = false;
    try {
      if (!item.message) {
        throw Error(ErrorKind::kMalformed,
                    fmt::format("undecodable message at {}/{} offset {}: {} (inspect it with "
                                "`hgcluster consume CONFIG --dump`, skip it with --skip)",
                                item.record.topic, item.record.partition, item.record.offset,
                                item.decode_error));
      }
      apply_(*item.message, item.record.partition, item.record.offset);
    } catch (const Error& e) {
      error = fmt::format("{}: {}", ErrorKindName(e.kind()), e.what());
      refused = e.kind() == ErrorKind::kRefused;
    } catch (const std::exception& e) {
      error = fmt::format("exception: {}", e.what());
    }
    if (error.empty()) {
      Finish(*key, item.record.partition, item.record.offset);
    } else {
      Fail(*key, error, refused);
    }
    lock.lock();
  }
}

void Scheduler::Finish(const std::string& key, int partition, int64_t offset) {
  bool was_parked = false;
  {
    std::lock_guard lock(mu_);
    RepoQueue& q = repos_[key];
    q.items.pop_front();
    q.running = false;
    was_parked = q.parked;
    q.parked = false;
    q.attempts = 0;
    q.not_before = {};
    partitions_[partition].outstanding.erase(offset);
    --outstanding_;
    if (q.items.empty()) repos_.erase(key);
    work_cv_.notify_all();
    idle_cv_.notify_all();
  }
  if (was_parked) {
    Log(fmt::format("{} released from parking after a successful retry", key.substr(5)));
    WriteState();
  }
  bool caught_up;
  {
    std::lock_guard lock(mu_);
    caught_up = partitions_[partition].outstanding.empty();
  }
  if (caught_up) {
    MaybeCommit(partition);
  } else {
    CommitSoon(partition);
  }
}

void Scheduler::Fail(const std::string& key, const std::string& error, bool refused) {
  bool newly_parked = false;
  int partition = 0;
  int64_t offset = 0;
  std::optional<int64_t> deleted_at;
  {
    std::lock_guard lock(mu_);
    RepoQueue& q = repos_[key];
    partition = q.items.front().record.partition;
    offset = q.items.front().record.offset;
    // An event for a repository that a later queued event deletes cannot
    // matter, and usually cannot succeed either (the leader no longer has
    // the repository to pull from): it is superseded, not retried.
    const auto& front = q.items.front().message;
    if (front && front->type != MessageType::kRepoDelete) {
      for (size_t i = 1; i < q.items.size(); ++i) {
        const auto& later = q.items[i].message;
        if (later && later->type == MessageType::kRepoDelete) {
          deleted_at = q.items[i].record.offset;
          break;
        }
      }
    }
  }
  if (deleted_at) {
    Log(fmt::format(
        "{} at partition {} offset {} failed ({}); skipping it: the repository is "
        "deleted later in the log (offset {})",
        key.rfind("repo:", 0) == 0 ? key.substr(5) : key, partition, offset, error, *deleted_at));
    Finish(key, partition, offset);
    return;
  }
  {
    std::lock_guard lock(mu_);
    RepoQueue& q = repos_[key];
    q.running = false;
    q.attempts += 1;
    q.last_error = error;
    double delay;
    // A refused record (a path outside the repos root) will not become
    // acceptable by waiting, and must not be "repaired" by cloning to its
    // path: it is parked at once, for an operator to skip.
    if (refused || q.attempts > options_.max_retries) {
      if (!q.parked) {
        q.parked = true;
        q.parked_since = clock_.WallSeconds();
        newly_parked = true;
        q.repair_due = !refused && repair_ && q.items.front().message &&
                       !q.items.front().message->path.empty();
      }
      delay = q.repair_due ? 0.0 : options_.parked_retry_seconds;
    } else {
      delay = options_.retry_base_seconds * std::pow(2.0, q.attempts - 1);
      Log(fmt::format("handle_message_main failed ({}); retrying in {}s (attempt {} of {})", error,
                      delay, q.attempts, options_.max_retries));
    }
    q.not_before = clock_.Now() +
                   std::chrono::milliseconds(static_cast<int64_t>(delay * 1000));
    work_cv_.notify_all();
    idle_cv_.notify_all();
  }
  if (newly_parked) {
    if (refused) {
      Log(fmt::format("handle_message_main refused the message: {}", error));
    } else {
      Log(fmt::format("handle_message_main failed after {} attempts: {}", options_.max_retries + 1,
                      error));
    }
    Log(
        fmt::format("parked {} at partition {} offset {}; other repositories keep replicating; "
                    "retrying every {}s (release with a successful retry or "
                    "`hgcluster consume CONFIG --skip --partition {}`)",
                    key.rfind("repo:", 0) == 0 ? key.substr(5) : key, partition, offset,
                    options_.parked_retry_seconds, partition));
    WriteState();
  }
}

void Scheduler::Repair(const std::string& key, const Item& item) {
  Log(fmt::format("repairing parked {} before retrying partition {} offset {}", key.substr(5),
                  item.record.partition, item.record.offset));
  try {
    repair_(*item.message);
  } catch (const std::exception& e) {
    Log(fmt::format("could not repair {}: {}; it stays parked and is retried every {}s",
                    key.substr(5), e.what(), options_.parked_retry_seconds));
  }
}

void Scheduler::CommitSoon(int partition) {
  if (options_.commit_delay.count() <= 0) {
    MaybeCommit(partition);
    return;
  }
  std::lock_guard lock(mu_);
  auto& p = partitions_[partition];
  if (p.commit_due) return;
  p.commit_due = clock_.Now() + options_.commit_delay;
  work_cv_.notify_one();  // a waiting worker shortens its wait to the due time
}

void Scheduler::MaybeCommit(int partition) {
  std::lock_guard commit_lock(commit_mu_);
  int64_t target;
  {
    std::lock_guard lock(mu_);
    auto& p = partitions_[partition];
    p.commit_due.reset();  // this commit carries any deferred one
    target = p.outstanding.empty() ? p.next : *p.outstanding.begin();
    if (target <= p.committed) return;
  }
  try {
    commit_(partition, target);
  } catch (const Error& e) {
    // The records stay uncommitted and are re-read after a restart, where
    // the applied markers make them no-ops.
    Log(fmt::format("could not commit offset {} for partition {}: {}", target, partition,
                    e.what()));
    return;
  }
  std::lock_guard lock(mu_);
  auto& p = partitions_[partition];
  p.committed = std::max(p.committed, target);
}

bool Scheduler::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return idle_cv_.wait_for(lock, timeout, [this] {
    for (const auto& [key, q] : repos_) {
      if (!q.parked && !q.items.empty()) return false;
    }
    return true;
  });
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    work_cv_.notify_all();
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
  // What finished is committed before the consumer goes: deferred commits
  // are made now rather than re-read (harmlessly) after a restart.
  std::vector<int> due;
  {
    std::lock_guard lock(mu_);
    due = DueCommitsLocked(clock_.Now(), true, nullptr);
  }
  for (int p : due) MaybeCommit(p);
}

std::vector<ParkedRepo> Scheduler::Parked() {
  std::lock_guard lock(mu_);
  std::vector<ParkedRepo> out;
  for (const auto& [key, q] : repos_) {
    if (!q.parked || q.items.empty()) continue;
    const auto& r = q.items.front().record;
    out.push_back({key.rfind("repo:", 0) == 0 ? key.substr(5) : key, r.partition, r.offset,
                   q.attempts, q.last_error, q.parked_since});
  }
  return out;
}

std::map<std::string, int> Scheduler::FailedAttempts() {
  std::lock_guard lock(mu_);
  std::map<std::string, int> out;
  for (const auto& [key, q] : repos_) {
    if (q.attempts > 0 && !q.items.empty()) {
      out[key.rfind("repo:", 0) == 0 ? key.substr(5) : key] = q.attempts;
    }
  }
  return out;
}

void Scheduler::WriteState() {
  if (options_.state_file.empty()) return;
  std::lock_guard state_lock(state_mu_);
  ConsumerState state{Parked(), LostRanges(), clock_.WallSeconds()};
  try {
    WriteConsumerState(options_.state_file, state);
  } catch (const Error& e) {
    Log(std::string("could not write state file: ") + e.what());
  }
}

}  // namespace hgc
