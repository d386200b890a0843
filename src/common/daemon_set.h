// A set of child processes kept running: started together, restarted when
// they exit (backoff 1 s doubling to 30 s, back to 1 s after a minute of good
// running), stopped together (SIGTERM, then SIGKILL after a grace period).
// A *timer* entry is a one-shot command first run `every` seconds after
// StartAll, then again `every` seconds after each run ends (systemd's
// OnActiveSec + OnUnitInactiveSec), whatever its status.
// Used by the cluster supervisor and by the master monitor for the
// master-only services.
// Restart and timer decisions read the given clock (unit tests move a
// ManualClock); stopping waits for real processes in real time.
// Thread-safety: one thread owns a DaemonSet.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/subprocess.h"

namespace hgc {

struct DaemonSpec {
  std::string name;
  std::vector<std::string> argv;
  std::string log;
  ProcessOptions options = {};
  double every = 0;  // > 0: a timer, rerun this many seconds after each run
};

class DaemonSet {
 public:
  explicit DaemonSet(std::string logger, Clock& clock = RealClock())
      : logger_(std::move(logger)), clock_(clock) {}
  ~DaemonSet() { StopAll(std::chrono::seconds(10)); }
  DaemonSet(const DaemonSet&) = delete;
  DaemonSet& operator=(const DaemonSet&) = delete;

  void Add(DaemonSpec spec);
  void StartAll();
  // Reaps children of this set that exited and starts those that are due.
  // Returns true when any pid changed.
  bool Tick();
  // SIGTERM to every child, SIGKILL to those still there after `grace`;
  // returns when all are reaped.
  void StopAll(std::chrono::seconds grace);
  bool running() const { return running_; }

  struct Entry {
    DaemonSpec spec;
    int pid = 0;
    double backoff = 1;
    std::chrono::steady_clock::time_point started{};
    std::chrono::steady_clock::time_point restart_at{};
  };
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  void Start(Entry& e, const char* verb);
  std::string logger_;
  Clock& clock_;
  std::vector<Entry> entries_;
  bool running_ = false;
};

}  // namespace hgc
