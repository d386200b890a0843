// The clock seam (shared/design.md): wall time as log messages, state files
// and leases carry it (seconds since the Unix epoch), monotonic time for
// deadlines, backoff and timers, and sleeping. Code whose decisions depend
// on time takes a Clock& (RealClock() by default); its unit tests pass a
// ManualClock and move time themselves instead of waiting for it.
// Code that only stamps a record with the time calls WallNow().
// Thread-safety: RealClock() and ManualClock may be used from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace hgc {

class Clock {
 public:
  using Instant = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual double WallSeconds() = 0;  // seconds since the epoch, with fractions
  virtual Instant Now() = 0;         // monotonic
  virtual void SleepFor(std::chrono::nanoseconds d) = 0;
  // Waits on `cv` (`lock` held on entry and on return) until it is notified
  // or Now() reaches `deadline`. It may return sooner, as any wait on a
  // condition variable may: callers check again what they wait for.
  virtual void WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                         Instant deadline) = 0;
};

// The system's clocks; SleepFor sleeps.
Clock& RealClock();

// RealClock().WallSeconds(): the time stamped into records and messages.
double WallNow();

// Time that moves only when told: Advance(), or SleepFor() (which returns at
// once, having moved the clock). Starts at `wall` seconds since the epoch.
// WaitUntil returns at once when the deadline has passed, and otherwise after
// a notification or at most a millisecond of real time, so that a waiting
// thread sees the time another thread advanced.
class ManualClock : public Clock {
 public:
  explicit ManualClock(double wall = 1700000000.0) : wall_(wall) {}
  double WallSeconds() override;
  Instant Now() override;
  void SleepFor(std::chrono::nanoseconds d) override { Advance(d); }
  void WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                 Instant deadline) override;
  void Advance(std::chrono::nanoseconds d);

 private:
  std::mutex mu_;
  double wall_;
  std::chrono::nanoseconds elapsed_{0};
};

}  // namespace hgc
