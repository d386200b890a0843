#include "common/clock.h"

#include <thread>

namespace hgc {
namespace {

class SystemClock : public Clock {
 public:
  double WallSeconds() override {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  Instant Now() override { return std::chrono::steady_clock::now(); }
  void SleepFor(std::chrono::nanoseconds d) override { std::this_thread::sleep_for(d); }
  void WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                 Instant deadline) override {
    cv.wait_until(lock, deadline);
  }
};

}  // namespace

Clock& RealClock() {
  static SystemClock clock;
  return clock;
}

double WallNow() { return RealClock().WallSeconds(); }

double ManualClock::WallSeconds() {
  std::lock_guard<std::mutex> lock(mu_);
  return wall_ + std::chrono::duration<double>(elapsed_).count();
}

Clock::Instant ManualClock::Now() {
  std::lock_guard<std::mutex> lock(mu_);
  // Far from the steady clock's epoch, so that `Now() - 1 h` is still a
  // valid instant.
  return Instant{} + std::chrono::hours(24 * 365) + elapsed_;
}

void ManualClock::WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                            Instant deadline) {
  if (Now() >= deadline) return;
  cv.wait_for(lock, std::chrono::milliseconds(1));
}

void ManualClock::Advance(std::chrono::nanoseconds d) {
  std::lock_guard<std::mutex> lock(mu_);
  elapsed_ += d;
}

}  // namespace hgc
