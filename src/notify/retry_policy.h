// How notifiers retry a failed delivery: delays of base × 2^n (the shared
// VCSREPLICATOR_RETRY_BASE_DELAY / VCSREPLICATOR_RETRY_MAX_RETRIES policy,
// default 2 s and 5), then — unlike the reference, which exits and relies on
// systemd — the last delay forever, so an event is never given up on while
// the process lives. Thread-safety: immutable value; the wait is reentrant.
#pragma once

#include <atomic>
#include <chrono>

namespace hgc {

struct RetryPolicy {
  double base_seconds = 2.0;
  int max_retries = 5;

  static RetryPolicy FromEnv();

  // Delay after the `attempt`-th failure (0-based).
  std::chrono::milliseconds Delay(int attempt) const;
};

// Waits up to `delay`, returning early (false) once `stop` is set; checks
// the flag every few milliseconds because it is set from signal handlers.
bool WaitUnlessStopped(std::chrono::milliseconds delay, const std::atomic<bool>& stop);

}  // namespace hgc
