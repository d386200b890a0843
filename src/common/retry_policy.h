// How daemons retry what failed: delays of base × 2^n, from the reference's
// VCSREPLICATOR_RETRY_BASE_DELAY / VCSREPLICATOR_RETRY_MAX_RETRIES (default
// 2 s and 5), read here only. The consumer parks a repository after
// max_retries; the aggregator and the notifiers keep the last delay forever
// (unlike the reference, which exits and relies on systemd), so an event is
// never given up on while the process lives.
// Thread-safety: immutable value; the wait is reentrant.
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
