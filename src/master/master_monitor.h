// `hgcluster master-monitor CONFIG`: reconciles "is this host the master?"
// with the master-only services (aggregators, notifiers, heartbeat and
// bundle timers, ...), which it runs and restarts itself (DaemonSet). It is
// the reference's hg-master-monitor.timer + hg-master-start-stop +
// hg-master.target in one long-running process, with the same four messages:
//
//   hg-master.target not active; starting after 30s sleep...
//   hg-master.target already started; nothing to do
//   hg-master.target is active; stopping
//   hg-master.target is already inactive; nothing to do
//
// (the second and fourth only at the first check: a daemon that repeated them
// every interval would fill its log). Losing the role first marks this host
// as not master in its state file — hooks refuse pushes from that moment —
// then stops the services. Services die with the monitor (PR_SET_PDEATHSIG),
// so a killed monitor never leaves master-only work running.
// File method: the master file is checked every `interval` seconds and the
// services start `startdelay` seconds after it appears, as in the reference.
// ZooKeeper method: no fixed wait; see zk_election.h.
// Thread-safety: process-level (signals).
#pragma once

#include <string>

#include "common/clock.h"
#include "master/master_config.h"

namespace hgc {

// Runs until SIGTERM/SIGINT (the stop flag of common/stop_signal.h). Its
// intervals, start delay and restart backoff follow `clock`; a test passes a
// ManualClock and the monitor's minutes pass at once.
int RunMasterMonitor(const MasterConfig& config, Clock& clock = RealClock());

// The reference's one-shot hg-master-start-stop decision: the line to print
// and whether to start (+1), stop (-1) or leave (0) the master target.
struct StartStopDecision {
  std::string message;
  int action = 0;
};
StartStopDecision DecideStartStop(bool master_file_present, bool target_active, double start_delay);

}  // namespace hgc
