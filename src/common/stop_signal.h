// How a daemon learns it should stop: SIGTERM and SIGINT set one
// process-wide flag that its loops poll (and pass to what they run). The
// reference's aggregator and notifiers exit at once on a second signal; a
// daemon that wants that passes the line they print then.
// Thread-safety: the flag is a lock-free atomic, set from the handler.
#pragma once

#include <atomic>

namespace hgc {

// Installs the handlers for SIGTERM and SIGINT. With `second_signal_line`,
// a second signal writes it to stdout ("" writes nothing) and _exit(1)s.
void InstallStopSignals(const char* second_signal_line = nullptr);

// Set once a stop signal arrived. A daemon may also set it to stop itself
// (a webhook target that cannot go on stops the others).
std::atomic<bool>& StopRequested();

// The signal that arrived (SIGTERM or SIGINT), 0 before.
int StopSignal();

}  // namespace hgc
