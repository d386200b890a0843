#include "common/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <thread>

namespace hgc {

RetryPolicy RetryPolicy::FromEnv() {
  RetryPolicy p;
  if (const char* v = std::getenv("VCSREPLICATOR_RETRY_BASE_DELAY")) p.base_seconds = std::atof(v);
  if (const char* v = std::getenv("VCSREPLICATOR_RETRY_MAX_RETRIES")) p.max_retries = std::atoi(v);
  p.base_seconds = std::max(0.0, p.base_seconds);
  p.max_retries = std::clamp(p.max_retries, 0, 30);
  return p;
}

std::chrono::milliseconds RetryPolicy::Delay(int attempt) const {
  int n = std::clamp(attempt, 0, max_retries);
  double seconds = base_seconds * std::ldexp(1.0, n);
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

bool WaitUnlessStopped(std::chrono::milliseconds delay, const std::atomic<bool>& stop) {
  auto deadline = std::chrono::steady_clock::now() + delay;
  while (!stop.load()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return true;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(20)));
  }
  return false;
}

}  // namespace hgc
