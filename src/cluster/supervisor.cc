#include "cluster/supervisor.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include "common/daemon_set.h"
#include "common/logline.h"
#include "common/subprocess.h"
#include "frontdoor/sshd_setup.h"

namespace hgc {
namespace {

std::atomic<int> g_stop{0};
void OnStop(int sig) { g_stop = sig; }

}  // namespace

int Supervise(const ClusterLayout& layout) {
  struct sigaction sa {};
  sa.sa_handler = OnStop;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  const char* kLogger = "hgcluster.supervisor";
  // Each daemon names its own host (master monitors from their config, the
  // services they start from them); none inherits the caller's.
  unsetenv("HGCLUSTER_HOST");
  unsetenv("HGCLUSTER_MASTER_STATE");
  nlohmann::json state = layout.LoadState();
  std::string self = SelfExecutable();
  std::vector<DaemonSpec> daemons;
  for (size_t i = 0; i < state["mirrors"].size(); ++i) {
    const auto& m = state["mirrors"][i];
    std::string name = m["name"];
    daemons.push_back({"consumer " + name,
                       {self, "consume", m["consumer_config"].get<std::string>()},
                       m["consumer_log"].get<std::string>(),
                       fmt::format("/mirrors/{}/pid", i)});
    daemons.push_back({"heads consumer " + name,
                       {self, "heads", m["heads_config"].get<std::string>()},
                       m["heads_log"].get<std::string>(),
                       fmt::format("/mirrors/{}/heads_pid", i)});
    if (m.contains("web_config")) {
      // The mirror's HTTP front: native commands, then a pool of hg serve
      // workers with the replicatedserved view (src/web/). SIGTERM drains it.
      daemons.push_back({"web front " + name,
                         {self, "web", m["web_config"].get<std::string>()},
                         m["http_log"].get<std::string>(),
                         fmt::format("/mirrors/{}/http_pid", i)});
    }
  }
  // Each leader host's master monitor; the one that holds the master role
  // runs the aggregators, notifiers and timers (src/master/).
  const auto& hosts = state["leader"].value("hosts", nlohmann::json::array());
  for (size_t i = 0; i < hosts.size(); ++i) {
    // Its producer agent: the one log producer the host's hooks append through.
    if (hosts[i].contains("agent_socket")) {
      std::string h = hosts[i]["name"];
      daemons.push_back({"producer agent " + h,
                         {self, "producer-agent", "--config",
                          state["leader"]["hgrc"].get<std::string>(), "--host", h},
                         hosts[i]["agent_log"].get<std::string>(),
                         fmt::format("/leader/hosts/{}/agent_pid", i)});
    }
    daemons.push_back({"master monitor " + hosts[i]["name"].get<std::string>(),
                       {self, "master-monitor", hosts[i]["master_config"].get<std::string>()},
                       hosts[i]["master_log"].get<std::string>(),
                       fmt::format("/leader/hosts/{}/monitor_pid", i)});
  }
  if (state["leader"].contains("frontdoor")) {
    // The SSH front door: sshd in the foreground (-D), logging to stderr (-e).
    // /run/sshd is its compiled-in privilege-separation directory.
    std::error_code ec;
    std::filesystem::create_directories("/run/sshd", ec);
    const auto& fd = state["leader"]["frontdoor"];
    daemons.push_back({"sshd",
                       {SshdBinary(), "-D", "-e", "-f", fd["sshd_config"].get<std::string>()},
                       fd["sshd_log"].get<std::string>(),
                       "/leader/frontdoor/sshd_pid"});
  }
  DaemonSet set(kLogger);
  for (auto& d : daemons) set.Add(std::move(d));
  auto save_pids = [&] {
    nlohmann::json s = layout.LoadState();
    s["supervisor_pid"] = getpid();
    for (const auto& e : set.entries()) {
      s[nlohmann::json::json_pointer(e.spec.pid_pointer)] = e.pid;
    }
    layout.SaveState(s);
  };
  set.StartAll();
  save_pids();
  while (g_stop == 0) {
    if (set.Tick()) save_pids();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  LogLine(kLogger, fmt::format("received signal {}; stopping daemons", g_stop.load()));
  set.StopAll(std::chrono::seconds(60));
  save_pids();
  nlohmann::json s = layout.LoadState();
  s["supervisor_pid"] = 0;
  layout.SaveState(s);
  LogLine(kLogger, "all daemons stopped");
  return 0;
}

}  // namespace hgc
