#include "cluster/supervisor.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include "common/logline.h"
#include "common/subprocess.h"
#include "frontdoor/sshd_setup.h"

namespace hgc {
namespace {

std::atomic<int> g_stop{0};
void OnStop(int sig) { g_stop = sig; }

struct Daemon {
  std::string name;
  std::vector<std::string> argv;
  std::string log;
  std::string pid_pointer;  // where cluster.json records the pid
  ProcessOptions options = {};
  int pid = 0;
  double backoff = 1;
  std::chrono::steady_clock::time_point restart_at{};
};

}  // namespace

int Supervise(const ClusterLayout& layout) {
  struct sigaction sa {};
  sa.sa_handler = OnStop;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  const char* kLogger = "hgcluster.supervisor";
  nlohmann::json state = layout.LoadState();
  std::string self = SelfExecutable();
  std::vector<Daemon> daemons;
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
  daemons.push_back({"aggregator pushdata -> replicatedpushdatapending",
                     {self, "aggregate", state["leader"]["aggregator_pending_config"]},
                     layout.leader_dir() + "/aggregator-pending.log",
                     "/leader/aggregator_pending_pid"});
  daemons.push_back({"aggregator replicatedpushdatapending -> replicatedpushdata",
                     {self, "aggregate", state["leader"]["aggregator_config"]},
                     layout.leader_dir() + "/aggregator.log",
                     "/leader/aggregator_pid"});
  if (state["leader"].value("webhooks_config", nlohmann::json()).is_string()) {
    daemons.push_back({"webhook notifier",
                       {self, "notify-webhooks", state["leader"]["webhooks_config"]},
                       layout.leader_dir() + "/webhooks.log",
                       "/leader/webhooks_pid"});
  }
  const auto& notifiers = state["leader"].value("notifiers", nlohmann::json::array());
  for (size_t i = 0; i < notifiers.size(); ++i) {
    std::string kind = notifiers[i]["kind"];
    daemons.push_back({kind + " notifier",
                       {self, "notify-" + kind, notifiers[i]["config"]},
                       notifiers[i]["log"],
                       fmt::format("/leader/notifiers/{}/pid", i)});
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
  auto save_pids = [&] {
    nlohmann::json s = layout.LoadState();
    s["supervisor_pid"] = getpid();
    for (const auto& d : daemons) s[nlohmann::json::json_pointer(d.pid_pointer)] = d.pid;
    layout.SaveState(s);
  };
  for (auto& d : daemons) {
    d.pid = SpawnDaemon(d.argv, d.log, d.options);
    LogLine(kLogger, fmt::format("started {} (pid {})", d.name, d.pid));
  }
  save_pids();
  while (g_stop == 0) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    auto now = std::chrono::steady_clock::now();
    if (pid > 0) {
      for (auto& d : daemons) {
        if (d.pid != pid) continue;
        LogLine(kLogger, fmt::format("{} (pid {}) exited with status {}; restarting in {}s", d.name,
                                     pid, status, d.backoff));
        d.pid = 0;
        d.restart_at = now + std::chrono::milliseconds(static_cast<int64_t>(d.backoff * 1000));
        d.backoff = std::min(30.0, d.backoff * 2);
      }
      continue;
    }
    bool changed = false;
    for (auto& d : daemons) {
      if (d.pid == 0 && now >= d.restart_at) {
        d.pid = SpawnDaemon(d.argv, d.log, d.options);
        LogLine(kLogger, fmt::format("restarted {} (pid {})", d.name, d.pid));
        changed = true;
      }
    }
    if (changed) save_pids();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  LogLine(kLogger, fmt::format("received signal {}; stopping daemons", g_stop.load()));
  for (auto& d : daemons) {
    if (d.pid > 0) kill(d.pid, SIGTERM);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (auto& d : daemons) {
    while (d.pid > 0) {
      int status = 0;
      if (waitpid(d.pid, &status, WNOHANG) == d.pid) {
        d.pid = 0;
      } else if (std::chrono::steady_clock::now() > deadline) {
        kill(d.pid, SIGKILL);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  }
  save_pids();
  nlohmann::json s = layout.LoadState();
  s["supervisor_pid"] = 0;
  layout.SaveState(s);
  LogLine(kLogger, "all daemons stopped");
  return 0;
}

}  // namespace hgc
