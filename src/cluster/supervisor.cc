#include "cluster/supervisor.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <thread>

#include "common/daemon_set.h"
#include "common/logline.h"
#include "common/stop_signal.h"
#include "common/subprocess.h"
#include "frontdoor/sshd_setup.h"

namespace hgc {
namespace {}  // namespace

int Supervise(const ClusterLayout& layout) {
  InstallStopSignals();
  const char* kLogger = "hgcluster.supervisor";
  // Each daemon names its own host (master monitors from their config, the
  // services they start from them); none inherits the caller's.
  unsetenv("HGCLUSTER_HOST");
  unsetenv("HGCLUSTER_MASTER_STATE");
  ClusterState state = layout.LoadState();
  std::string self = SelfExecutable();
  // Each daemon, and where the supervisor records its pid in cluster.json.
  std::vector<DaemonSpec> daemons;
  std::vector<std::function<int&(ClusterState&)>> pid_of;
  for (size_t i = 0; i < state.mirrors.size(); ++i) {
    const MirrorState& m = state.mirrors[i];
    daemons.push_back({"consumer " + m.name, {self, "consume", m.consumer_config}, m.consumer_log});
    pid_of.push_back([i](ClusterState& s) -> int& { return s.mirrors[i].pid; });
    daemons.push_back({"heads consumer " + m.name, {self, "heads", m.heads_config}, m.heads_log});
    pid_of.push_back([i](ClusterState& s) -> int& { return s.mirrors[i].heads_pid; });
    if (!m.web_config.empty()) {
      // The mirror's HTTP front: native commands, then a pool of hg serve
      // workers with the replicatedserved view (src/web/). SIGTERM drains it.
      daemons.push_back({"web front " + m.name, {self, "web", m.web_config}, m.http_log});
      pid_of.push_back([i](ClusterState& s) -> int& { return s.mirrors[i].http_pid; });
    }
  }
  // Each leader host's master monitor; the one that holds the master role
  // runs the aggregators, notifiers and timers (src/master/).
  for (size_t i = 0; i < state.leader.hosts.size(); ++i) {
    const LeaderHostState& h = state.leader.hosts[i];
    // Its producer agent: the one log producer the host's hooks append through.
    if (h.has_agent()) {
      daemons.push_back({"producer agent " + h.name,
                         {self, "producer-agent", "--config", state.leader.hgrc, "--host", h.name},
                         h.agent_log});
      pid_of.push_back([i](ClusterState& s) -> int& { return s.leader.hosts[i].agent_pid; });
    }
    daemons.push_back(
        {"master monitor " + h.name, {self, "master-monitor", h.master_config}, h.master_log});
    pid_of.push_back([i](ClusterState& s) -> int& { return s.leader.hosts[i].monitor_pid; });
  }
  if (state.leader.frontdoor) {
    // The SSH front door: sshd in the foreground (-D), logging to stderr (-e).
    // /run/sshd is its compiled-in privilege-separation directory.
    std::error_code ec;
    std::filesystem::create_directories("/run/sshd", ec);
    const FrontdoorState& fd = *state.leader.frontdoor;
    daemons.push_back({"sshd", {SshdBinary(), "-D", "-e", "-f", fd.sshd_config}, fd.sshd_log});
    pid_of.push_back([](ClusterState& s) -> int& { return s.leader.frontdoor->sshd_pid; });
  }
  DaemonSet set(kLogger);
  for (auto& d : daemons) set.Add(std::move(d));
  auto save_pids = [&] {
    ClusterState s = layout.LoadState();
    s.supervisor_pid = getpid();
    // The set keeps the order daemons were added in.
    for (size_t i = 0; i < set.entries().size(); ++i) pid_of[i](s) = set.entries()[i].pid;
    layout.SaveState(s);
  };
  set.StartAll();
  save_pids();
  while (!StopRequested()) {
    if (set.Tick()) save_pids();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  LogLine(kLogger, fmt::format("received signal {}; stopping daemons", StopSignal()));
  set.StopAll(std::chrono::seconds(60));
  save_pids();
  ClusterState s = layout.LoadState();
  s.supervisor_pid = 0;
  layout.SaveState(s);
  LogLine(kLogger, "all daemons stopped");
  return 0;
}

}  // namespace hgc
