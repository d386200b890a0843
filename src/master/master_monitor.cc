#include "master/master_monitor.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "common/clock.h"
#include "common/error.h"
#include "common/logline.h"
#include "common/stop_signal.h"
#include "master/epoch_counter.h"
#include "master/master_state.h"
#include "master/zk_election.h"

namespace hgc {
namespace {

constexpr const char* kLogger = "hgcluster.master";

std::string FormatSeconds(double s) {
  return s == static_cast<int64_t>(s) ? std::to_string(static_cast<int64_t>(s))
                                      : fmt::format("{}", s);
}

// Whether this host should be master, and with which epoch, by either method.
class RoleSource {
 public:
  RoleSource(const MasterConfig& c, Clock& clock) : c_(c), clock_(clock) {
    if (c.method == "zookeeper") {
      election_ = std::make_unique<ZkElection>(
          ZkElectionOptions{c.zookeeper, c.znode, c.host, c.session_timeout_ms});
    }
  }
  bool zookeeper() const { return election_ != nullptr; }

  // Waits for the next moment worth checking: a ZooKeeper event or a renewal
  // (ZooKeeper), the next interval (file), never longer than 100 ms so the
  // services are looked after.
  bool Due() {
    auto now = clock_.Now();
    if (zookeeper()) {
      bool event = election_->WaitForEvent(std::chrono::milliseconds(100));
      return event || now >= next_;
    }
    clock_.SleepFor(std::chrono::milliseconds(100));
    return now >= next_;
  }

  struct Want {
    bool master = false;
    int64_t epoch = 0;  // zookeeper: the node's czxid
    double lease_until = 0;
    std::string holder;
  };
  Want Check() {
    Want w;
    if (zookeeper()) {
      auto v = election_->Step();
      w = {v.held, v.epoch, v.lease_until, v.holder};
      // Renew a third into the lease: two more tries before it runs out.
      next_ = clock_.Now() + std::chrono::milliseconds(election_->negotiated_timeout_ms() / 4);
      if (!v.connected) next_ = clock_.Now() + std::chrono::milliseconds(200);
    } else {
      w.master = std::filesystem::exists(c_.master_file);
      next_ = clock_.Now() + std::chrono::milliseconds(static_cast<int64_t>(c_.interval * 1000));
    }
    return w;
  }
  void Resign() {
    if (election_) election_->Resign();
  }

 private:
  const MasterConfig& c_;
  Clock& clock_;
  std::unique_ptr<ZkElection> election_;
  Clock::Instant next_{};
};

// Sleeps `seconds` while the master file stays; false if it went away or
// the monitor was told to stop.
bool StartDelay(const MasterConfig& c, double seconds, Clock& clock) {
  auto until = clock.Now() + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  while (clock.Now() < until) {
    if (StopRequested()) return false;
    if (!std::filesystem::exists(c.master_file)) return false;
    clock.SleepFor(std::chrono::milliseconds(50));
  }
  return std::filesystem::exists(c.master_file) && !StopRequested();
}

}  // namespace

StartStopDecision DecideStartStop(bool present, bool active, double start_delay) {
  if (present && !active) {
    return {fmt::format("hg-master.target not active; starting after {}s sleep...",
                        FormatSeconds(start_delay)),
            +1};
  }
  if (present) return {"hg-master.target already started; nothing to do", 0};
  if (active) return {"hg-master.target is active; stopping ", -1};
  return {"hg-master.target is already inactive; nothing to do", 0};
}

int RunMasterMonitor(const MasterConfig& c, Clock& clock) {
  InstallStopSignals();
  std::filesystem::create_directories(c.state_dir);
  MasterState state;
  state.host = c.host;
  state.method = c.method;
  state.monitor_pid = getpid();
  WriteMasterState(c.state_path(), state);

  DaemonSet services(kLogger, clock);
  for (DaemonSpec d : c.services) {
    d.options.die_with_parent = true;
    d.options.env_set["HGCLUSTER_HOST"] = c.host;
    d.options.env_set["HGCLUSTER_MASTER_STATE"] = c.state_path();
    services.Add(std::move(d));
  }
  LogLine(kLogger, fmt::format("master monitor for {} ({} method, {} master-only services)", c.host,
                               c.method, c.services.size()));
  RoleSource role(c, clock);
  bool active = false;
  bool first = true;
  auto stop_services = [&](const std::string& why) {
    // Refuse writes first, then stop what writes.
    state.master = false;
    state.lease_until = 0;
    WriteMasterState(c.state_path(), state);
    LogLine(kLogger, why);
    services.StopAll(std::chrono::seconds(c.stop_grace));
    active = false;
    LogLine(kLogger, "master-only services stopped");
  };
  while (!StopRequested()) {
    if (!first && !role.Due()) {
      services.Tick();
      continue;
    }
    RoleSource::Want want = role.Check();
    if (role.zookeeper()) {
      if (want.master && !active) {
        LogLine(kLogger, DecideStartStop(true, false, 0).message);
        LogLine(kLogger, fmt::format("holding {} in ZooKeeper (epoch {})", c.znode, want.epoch));
      } else if (!want.master && active) {
        stop_services(fmt::format("{} (lost {} in ZooKeeper{})",
                                  DecideStartStop(false, true, 0).message, c.znode,
                                  want.holder.empty() ? "" : "; held by " + want.holder));
      } else if (first) {
        LogLine(kLogger, DecideStartStop(want.master, active, 0).message +
                             (want.holder.empty() ? "" : " (master: " + want.holder + ")"));
      }
      if (want.master) {
        if (!active || want.epoch != state.epoch) state.since = clock.WallSeconds();
        state.master = true;
        state.epoch = want.epoch;
        state.lease_until = want.lease_until;
        WriteMasterState(c.state_path(), state);
        if (!active) {
          services.StartAll();
          active = true;
        }
      }
    } else {
      auto d = DecideStartStop(want.master, active, c.start_delay);
      if (d.action > 0) {
        LogLine(kLogger, d.message);
        if (!StartDelay(c, c.start_delay, clock)) {
          if (!StopRequested())
            LogLine(kLogger, "master file went away during the sleep; not starting");
        } else {
          state.master = true;
          state.epoch = NextEpoch(c.epoch_file);
          state.since = clock.WallSeconds();
          WriteMasterState(c.state_path(), state);
          LogLine(kLogger, fmt::format("{} is master (epoch {})", c.host, state.epoch));
          services.StartAll();
          active = true;
        }
      } else if (d.action < 0) {
        stop_services(d.message);
      } else if (first) {
        LogLine(kLogger, d.message);
      }
    }
    first = false;
    services.Tick();
  }
  LogLine(kLogger, fmt::format("received signal {}", StopSignal()));
  if (active) stop_services("stopping master-only services");
  role.Resign();
  LogLine(kLogger, "master monitor exiting");
  return 0;
}

}  // namespace hgc
