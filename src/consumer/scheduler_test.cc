#include "consumer/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "common/clock.h"
#include "common/error.h"
#include "message/message.h"
#include "test_support.h"

namespace hgc {
namespace {

using std::chrono::milliseconds;

LogRecord Rec(int partition, int64_t offset, const nlohmann::json& body) {
  return {"pushdata", partition, offset, EncodeMessage(body)};
}

nlohmann::json Cg(const std::string& repo, const std::string& head) {
  return MakeChangegroup(repo, "serve", 1, {head}, 1.0);
}

struct Recorder {
  std::mutex mu;
  std::vector<std::pair<std::string, int64_t>> applied;
  std::map<int, int64_t> commits;
  int commit_calls = 0;
  void Apply(const Message& m, int, int64_t off) {
    std::lock_guard l(mu);
    applied.push_back({m.path, off});
  }
  void Commit(int p, int64_t off) {
    std::lock_guard l(mu);
    EXPECT_GE(off, commits[p]) << "commit went backwards";
    commits[p] = off;
    ++commit_calls;
  }
  int64_t Committed(int p) {
    std::lock_guard l(mu);
    return commits.count(p) ? commits[p] : -1;
  }
};

SchedulerOptions Fast(int workers) {
  SchedulerOptions o;
  o.workers = workers;
  o.max_retries = 1;
  o.retry_base_seconds = 0.01;
  o.parked_retry_seconds = 0.05;
  o.commit_delay = milliseconds(0);  // every commit at once; the deferral has its own tests
  return o;
}

Scheduler::FilterFn NoFilter() {
  return [](const Message&) -> std::optional<std::string> { return std::nullopt; };
}

TEST(SchedulerTest, KeepsEachRepositoryInLogOrder) {
  Recorder rec;
  Scheduler s(
      Fast(4), [&](const Message& m, int p, int64_t o) { rec.Apply(m, p, o); },
      [&](int p, int64_t o) { rec.Commit(p, o); }, NoFilter());
  s.StartPartition(0, 0);
  for (int i = 0; i < 200; ++i) {
    s.Submit(Rec(0, i, Cg("{moz}/r" + std::to_string(i % 5), std::string(40, 'a'))));
  }
  ASSERT_TRUE(s.WaitIdle(milliseconds(10000)));
  ASSERT_TRUE(test::WaitFor([&] { return rec.Committed(0) == 200; }, milliseconds(5000)));
  std::map<std::string, int64_t> last;
  std::lock_guard l(rec.mu);
  ASSERT_EQ(rec.applied.size(), 200u);
  for (const auto& [repo, off] : rec.applied) {
    if (last.count(repo)) {
      EXPECT_GT(off, last[repo]) << repo;
    }
    last[repo] = off;
  }
}

TEST(SchedulerTest, StuckRepoDoesNotBlockOthersAndHoldsTheCommitPoint) {
  Recorder rec;
  std::atomic<bool> broken{true};
  std::atomic<int> attempts{0};
  Scheduler s(
      Fast(2),
      [&](const Message& m, int p, int64_t o) {
        if (m.path == "{moz}/stuck" && broken) {
          ++attempts;
          throw Error(ErrorKind::kHgFailed, "simulated failure");
        }
        rec.Apply(m, p, o);
      },
      [&](int p, int64_t o) { rec.Commit(p, o); }, NoFilter());
  s.StartPartition(3, 10);
  s.Submit(Rec(3, 10, Cg("{moz}/ok0", std::string(40, 'a'))));
  s.Submit(Rec(3, 11, Cg("{moz}/stuck", std::string(40, 'b'))));
  for (int i = 0; i < 20; ++i) {
    s.Submit(Rec(3, 12 + i, Cg("{moz}/other" + std::to_string(i), std::string(40, 'c'))));
  }
  s.Submit(Rec(3, 32, Cg("{moz}/stuck", std::string(40, 'd'))));
  ASSERT_TRUE(test::WaitFor([&] { return !s.Parked().empty(); }, milliseconds(5000)));
  ASSERT_TRUE(test::WaitFor(
      [&] {
        std::lock_guard l(rec.mu);
        return rec.applied.size() == 21u;
      },
      milliseconds(5000)));
  auto parked = s.Parked();
  ASSERT_EQ(parked.size(), 1u);
  EXPECT_EQ(parked[0].repo, "{moz}/stuck");
  EXPECT_EQ(parked[0].offset, 11);
  EXPECT_NE(parked[0].error.find("simulated failure"), std::string::npos);
  // Everything after the stuck record was applied, but the commit point
  // stays on it so nothing is lost if the consumer dies now.
  EXPECT_EQ(rec.Committed(3), 11);
  // A later successful retry releases it; both stuck records apply in order.
  broken = false;
  ASSERT_TRUE(test::WaitFor([&] { return rec.Committed(3) == 33; }, milliseconds(5000)));
  EXPECT_TRUE(s.Parked().empty());
  std::lock_guard l(rec.mu);
  std::vector<int64_t> stuck;
  for (const auto& [repo, off] : rec.applied) {
    if (repo == "{moz}/stuck") stuck.push_back(off);
  }
  EXPECT_EQ(stuck, (std::vector<int64_t>{11, 32}));
  EXPECT_GE(attempts.load(), 2);
}

TEST(SchedulerTest, UndecodableRecordIsParkedNotDropped) {
  Recorder rec;
  Scheduler s(
      Fast(2), [&](const Message& m, int p, int64_t o) { rec.Apply(m, p, o); },
      [&](int p, int64_t o) { rec.Commit(p, o); }, NoFilter());
  s.StartPartition(0, 0);
  s.Submit({"pushdata", 0, 0, "garbage"});
  s.Submit(Rec(0, 1, Cg("{moz}/a", std::string(40, 'a'))));
  ASSERT_TRUE(test::WaitFor([&] { return !s.Parked().empty(); }, milliseconds(5000)));
  ASSERT_TRUE(test::WaitFor(
      [&] {
        std::lock_guard l(rec.mu);
        return rec.applied.size() == 1u;
      },
      milliseconds(5000)));
  EXPECT_NE(s.Parked()[0].error.find("unrecognized message payload"), std::string::npos)
      << s.Parked()[0].error;
  EXPECT_EQ(rec.Committed(0), -1) << "nothing may be committed past the undecodable record";
}

TEST(SchedulerTest, HeartbeatsAndFilteredReposCommitWithoutWork) {
  Recorder rec;
  Scheduler s(
      Fast(1), [&](const Message& m, int p, int64_t o) { rec.Apply(m, p, o); },
      [&](int p, int64_t o) { rec.Commit(p, o); },
      [](const Message& m) -> std::optional<std::string> {
        if (m.path == "{moz}/private") return std::string("exclude.private");
        return std::nullopt;
      });
  s.StartPartition(1, 0);
  s.Submit(Rec(1, 0, MakeHeartbeat(1.0)));
  s.Submit(Rec(1, 1, Cg("{moz}/private", std::string(40, 'a'))));
  ASSERT_TRUE(test::WaitFor([&] { return rec.Committed(1) == 2; }, milliseconds(5000)));
  std::lock_guard l(rec.mu);
  EXPECT_TRUE(rec.applied.empty());
}

// A push is two heartbeats, a changegroup and its heads message: one commit
// carries them all. The heartbeats' commits wait; the changegroup's stops
// short of the heads record still queued and waits too; the heads record
// ends what was read and is committed at once.
TEST(SchedulerTest, ThePushOfHeartbeatsChangegroupAndHeadsIsOneCommit) {
  Recorder rec;
  std::atomic<bool> go{false};
  SchedulerOptions o = Fast(1);
  o.commit_delay = milliseconds(60000);
  Scheduler s(
      o,
      [&](const Message& m, int p, int64_t off) {
        // Held until the whole push is queued, as when it arrives in one fetch.
        while (!go) std::this_thread::sleep_for(milliseconds(1));
        rec.Apply(m, p, off);
      },
      [&](int p, int64_t off) { rec.Commit(p, off); }, NoFilter());
  s.StartPartition(2, 0);
  s.Submit(Rec(2, 0, MakeHeartbeat(1.0)));
  s.Submit(Rec(2, 1, MakeHeartbeat(1.0)));
  s.Submit(Rec(2, 2, Cg("{moz}/a", std::string(40, 'a'))));
  s.Submit(Rec(2, 3, MakeHeads("{moz}/a", {std::string(40, 'a')}, 1, 1.0)));
  go = true;
  ASSERT_TRUE(test::WaitFor([&] { return rec.Committed(2) == 4; }, milliseconds(5000)));
  std::lock_guard l(rec.mu);
  EXPECT_EQ(rec.commit_calls, 1);
}

// A heartbeat with nothing after it is committed once the delay is over,
// not at once; Stop() commits what is still deferred.
TEST(SchedulerTest, ADeferredCommitIsMadeAfterTheDelayOrAtStop) {
  Recorder rec;
  SchedulerOptions o = Fast(1);
  o.commit_delay = milliseconds(1500);
  {
    Scheduler s(
        o, [&](const Message& m, int p, int64_t off) { rec.Apply(m, p, off); },
        [&](int p, int64_t off) { rec.Commit(p, off); }, NoFilter());
    s.StartPartition(0, 0);
    s.Submit(Rec(0, 0, MakeHeartbeat(1.0)));
    EXPECT_EQ(rec.Committed(0), -1) << "committed before the delay";
    ASSERT_TRUE(test::WaitFor([&] { return rec.Committed(0) == 1; }, milliseconds(10000)));
    o.commit_delay = milliseconds(3600 * 1000);
  }
  Scheduler s(
      o, [&](const Message& m, int p, int64_t off) { rec.Apply(m, p, off); },
      [&](int p, int64_t off) { rec.Commit(p, off); }, NoFilter());
  s.StartPartition(0, 1);
  s.Submit(Rec(0, 1, MakeHeartbeat(1.0)));
  s.Stop();
  EXPECT_EQ(rec.Committed(0), 2);
}

// A parked repository is repaired once, then retried at once (not after
// the parked retry delay); the repaired repository applies and is released.
TEST(SchedulerTest, ParkedRepoIsRepairedOnceThenRetriedAtOnce) {
  Recorder rec;
  std::atomic<bool> repaired{false};
  std::atomic<int> repairs{0};
  SchedulerOptions o = Fast(2);
  o.parked_retry_seconds = 3600;  // only the repair's immediate retry can release it
  Scheduler s(
      o,
      [&](const Message& m, int p, int64_t off) {
        if (m.path == "{moz}/broken" && !repaired) throw Error(ErrorKind::kHgFailed, "damaged");
        rec.Apply(m, p, off);
      },
      [&](int p, int64_t off) { rec.Commit(p, off); }, NoFilter());
  s.SetRepair([&](const Message& m) {
    EXPECT_EQ(m.path, "{moz}/broken");
    ++repairs;
    repaired = true;
  });
  s.StartPartition(0, 0);
  s.Submit(Rec(0, 0, Cg("{moz}/broken", std::string(40, 'a'))));
  s.Submit(Rec(0, 1, Cg("{moz}/broken", std::string(40, 'b'))));
  ASSERT_TRUE(test::WaitFor([&] { return rec.Committed(0) == 2; }, milliseconds(5000)));
  EXPECT_EQ(repairs, 1);
  EXPECT_TRUE(s.Parked().empty());
}

// A repair that fails leaves the repository parked, retried at the slow pace.
TEST(SchedulerTest, FailedRepairLeavesTheRepoParked) {
  Recorder rec;
  std::atomic<int> repairs{0};
  SchedulerOptions o = Fast(1);
  o.parked_retry_seconds = 3600;
  Scheduler s(
      o, [&](const Message&, int, int64_t) { throw Error(ErrorKind::kHgFailed, "damaged"); },
      [&](int p, int64_t off) { rec.Commit(p, off); }, NoFilter());
  s.SetRepair([&](const Message&) {
    ++repairs;
    throw Error(ErrorKind::kHgFailed, "leader unreachable");
  });
  s.StartPartition(0, 0);
  s.Submit(Rec(0, 0, Cg("{moz}/broken", std::string(40, 'a'))));
  ASSERT_TRUE(
      test::WaitFor([&] { return !s.Parked().empty() && repairs == 1; }, milliseconds(5000)));
  auto parked = s.Parked();
  ASSERT_EQ(parked.size(), 1u);
  EXPECT_EQ(parked[0].repo, "{moz}/broken");
  EXPECT_EQ(parked[0].offset, 0);
  EXPECT_EQ(repairs, 1);
  EXPECT_EQ(rec.Committed(0), -1);
}

// The leader deleted a repository right after a push a mirror had not
// applied yet: the push's pull can never succeed (nothing to pull from), and
// nothing it would bring matters. The delete queued behind it supersedes it:
// skipped after its first failure, no retries, no parking, committed past.
TEST(SchedulerTest, FailingEventOfARepositoryDeletedLaterIsSkipped) {
  Recorder rec;
  std::atomic<bool> submitted{false};
  std::atomic<int> attempts{0};
  SchedulerOptions o = Fast(2);
  o.max_retries = 5;
  o.parked_retry_seconds = 3600;
  Scheduler s(
      o,
      [&](const Message& m, int p, int64_t off) {
        if (m.type == MessageType::kChangegroup && m.path == "{moz}/gone") {
          ++attempts;
          // Fail only once every record is queued, as on a mirror reading ahead.
          EXPECT_TRUE(test::WaitFor([&] { return submitted.load(); }, milliseconds(5000)));
          throw Error(ErrorKind::kHgFailed, "abort: repository {moz}/gone not found");
        }
        rec.Apply(m, p, off);
      },
      [&](int p, int64_t off) { rec.Commit(p, off); }, NoFilter());
  s.StartPartition(0, 0);
  s.Submit(Rec(0, 0, Cg("{moz}/gone", std::string(40, 'a'))));
  s.Submit(Rec(0, 1, Cg("{moz}/other", std::string(40, 'b'))));
  s.Submit(Rec(0, 2, MakeRepoDelete("{moz}/gone", 1.0)));
  submitted = true;
  ASSERT_TRUE(test::WaitFor([&] { return rec.Committed(0) == 3; }, milliseconds(5000)));
  EXPECT_EQ(attempts, 1);
  EXPECT_TRUE(s.Parked().empty());
  std::lock_guard l(rec.mu);
  std::set<std::pair<std::string, int64_t>> applied(rec.applied.begin(), rec.applied.end());
  EXPECT_EQ(applied,
            (std::set<std::pair<std::string, int64_t>>{{"{moz}/other", 1}, {"{moz}/gone", 2}}));
}

}  // namespace
}  // namespace hgc

namespace hgc {
namespace {

// Records the log deleted before they were read (a gap in the offsets) stop
// the partition: nothing after the gap is applied or committed, other
// partitions flow, and the state file names the range.
TEST(SchedulerTest, AGapInThePartitionStopsItAndIsReported) {
  test::ScratchDir dir;
  Recorder rec;
  SchedulerOptions o = Fast(2);
  o.state_file = dir / "state.json";
  o.config = "/etc/mirror.ini";
  Scheduler s(
      o, [&](const Message& m, int p, int64_t off) { rec.Apply(m, p, off); },
      [&](int p, int64_t off) { rec.Commit(p, off); }, NoFilter());
  s.StartPartition(0, 5);
  s.StartPartition(1, 0);
  s.Submit(Rec(0, 5, Cg("{moz}/a", std::string(40, '1'))));
  s.Submit(Rec(0, 9, Cg("{moz}/a", std::string(40, '2'))));   // 6, 7, 8 are gone
  s.Submit(Rec(0, 10, Cg("{moz}/b", std::string(40, '3'))));  // after the gap: dropped
  s.Submit(Rec(1, 0, Cg("{moz}/c", std::string(40, '4'))));
  ASSERT_TRUE(s.WaitIdle(milliseconds(5000)));
  ASSERT_TRUE(test::WaitFor([&] { return rec.Committed(0) == 6 && rec.Committed(1) == 1; },
                            std::chrono::seconds(5)));
  {
    std::lock_guard l(rec.mu);
    EXPECT_EQ(rec.applied.size(), 2u);
  }
  EXPECT_TRUE(s.Lost(0));
  EXPECT_FALSE(s.Lost(1));
  s.Submit(Rec(0, 11, Cg("{moz}/a", std::string(40, '5'))));
  s.Stop();
  EXPECT_EQ(rec.Committed(0), 6) << "nothing is committed past a lost range";
  auto state = ReadConsumerState(o.state_file);
  ASSERT_EQ(state.state.lost.size(), 1u);
  EXPECT_EQ(state.state.lost[0].partition, 0);
  EXPECT_EQ(state.state.lost[0].from, 6);
  EXPECT_EQ(state.state.lost[0].to, 9);
}

// The scheduler in its own time (a ManualClock): each retry comes when the
// clock reaches the backoff's due time and not a millisecond sooner, 2, 4,
// 8 s after each failure, then the repository is parked and retried every
// 30 s. Nothing here waits for the delays: only for the worker to act on
// time the test advanced.
TEST(SchedulerClockTest, RetriesBackOffThenParkAndRetryOnTheClock) {
  ManualClock clock(1800000000.0);
  const Clock::Instant start = clock.Now();
  std::mutex mu;
  std::vector<milliseconds> attempts;  // clock time of each attempt, from the start
  auto count = [&] {
    std::lock_guard l(mu);
    return attempts.size();
  };
  SchedulerOptions o = Fast(1);
  o.max_retries = 3;
  o.retry_base_seconds = 2.0;
  o.parked_retry_seconds = 30.0;
  Scheduler s(
      o,
      [&](const Message&, int, int64_t) {
        {
          std::lock_guard l(mu);
          attempts.push_back(std::chrono::duration_cast<milliseconds>(clock.Now() - start));
        }
        throw Error(ErrorKind::kIo, "the leader is unreachable");
      },
      [](int, int64_t) {}, NoFilter(), clock);
  s.StartPartition(0, 0);
  s.Submit(Rec(0, 0, Cg("{moz}/r", std::string(40, 'a'))));
  // The clock moves only once the scheduler has counted the failure (and so
  // set its retry time from the clock): moved between the apply and that,
  // the retry would be due later.
  auto failed = [&](int n) {
    return test::WaitFor([&] { return s.FailedAttempts()["{moz}/r"] == n; }, milliseconds(10000));
  };
  ASSERT_TRUE(failed(1));

  // Attempt 1 at 0 s; retries 2, 4 and 8 s after each failure; parked after
  // the fourth attempt (3 retries), retried 30 s later.
  const std::vector<milliseconds> due{milliseconds(2000), milliseconds(6000),
                                      milliseconds(14000), milliseconds(44000)};
  milliseconds now{0};
  for (size_t i = 0; i < due.size(); ++i) {
    clock.Advance(due[i] - milliseconds(1) - now);
    // The worker sees the new time within a millisecond: 200 ms of real
    // time without an attempt is a retry that was not due yet.
    EXPECT_FALSE(test::WaitFor([&] { return count() > i + 1; }, milliseconds(200)))
        << "attempt " << i + 2 << " came before " << due[i].count() << " ms";
    clock.Advance(milliseconds(1));
    now = due[i];
    ASSERT_TRUE(failed(static_cast<int>(i) + 2))
        << "attempt " << i + 2 << " did not come at " << due[i].count() << " ms";
    if (i == 2) {
      // The fourth attempt failed: parked, stamped with the clock's wall time.
      ASSERT_TRUE(test::WaitFor([&] { return s.Parked().size() == 1; }, milliseconds(10000)));
      EXPECT_DOUBLE_EQ(s.Parked()[0].since, 1800000000.0 + 14.0);
    }
  }
  std::lock_guard l(mu);
  EXPECT_EQ(attempts, (std::vector<milliseconds>{milliseconds(0), due[0], due[1], due[2], due[3]}));
}

// A commit that only moves past heartbeats waits for the delay on the clock.
TEST(SchedulerClockTest, ADeferredCommitIsMadeWhenTheClockReachesTheDelay) {
  ManualClock clock;
  Recorder rec;
  SchedulerOptions o = Fast(1);
  o.commit_delay = milliseconds(1500);
  Scheduler s(
      o, [&](const Message& m, int p, int64_t off) { rec.Apply(m, p, off); },
      [&](int p, int64_t off) { rec.Commit(p, off); }, NoFilter(), clock);
  s.StartPartition(0, 0);
  s.Submit(Rec(0, 0, MakeHeartbeat(1.0)));
  clock.Advance(milliseconds(1499));
  EXPECT_FALSE(test::WaitFor([&] { return rec.Committed(0) != -1; }, milliseconds(200)))
      << "committed before the delay";
  clock.Advance(milliseconds(1));
  EXPECT_TRUE(test::WaitFor([&] { return rec.Committed(0) == 1; }, milliseconds(10000)));
}

}  // namespace
}  // namespace hgc
