#include "master/master_cmd.h"

#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "common/clock.h"
#include "common/error.h"
#include "common/subprocess.h"
#include "hg/repo_state.h"
#include "layout/cluster_layout.h"
#include "master/act_as_master.h"
#include "master/master_config.h"
#include "master/master_monitor.h"
#include "master/master_state.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

// The reference's hg-master-start-stop: reconcile hg-master.target with the
// master file once, through systemctl.
int MasterStartStop(const std::string& master_file, double start_delay) {
  bool present = fs::exists(master_file);
  bool active = RunProcess({"systemctl", "is-active", "--quiet", "hg-master.target"}).ok();
  auto d = DecideStartStop(present, active, start_delay);
  std::cout << d.message << std::endl;
  if (d.action > 0) {
    std::this_thread::sleep_for(
        std::chrono::milliseconds(static_cast<int64_t>(start_delay * 1000)));
    return RunProcess({"systemctl", "start", "hg-master.target"}).exit_code;
  }
  if (d.action < 0) return RunProcess({"systemctl", "stop", "hg-master.target"}).exit_code;
  return 0;
}

struct HostView {
  std::string name;
  std::optional<MasterState> state;
  int monitor_pid = 0;
  bool alive = false;
  std::string master_file;
};

std::vector<HostView> Hosts(const ClusterLayout& layout) {
  ClusterState s = layout.LoadState();
  std::vector<HostView> out;
  for (const auto& h : s.leader.hosts) {
    HostView v;
    v.name = h.name;
    v.state = ReadMasterState(h.master_state);
    v.monitor_pid = h.monitor_pid;
    v.alive = ProcessAlive(v.monitor_pid);
    v.master_file = h.master_file;
    out.push_back(v);
  }
  if (out.empty()) {
    throw Error(ErrorKind::kConfig,
                fmt::format("{} has no leader hosts; recreate it with a newer `hgcluster up`",
                            layout.state_file()));
  }
  return out;
}

bool IsMaster(const HostView& h) { return h.alive && h.state && h.state->Holds(WallNow()); }

int Status(const std::string& root) {
  ClusterLayout layout = ClusterLayoutAsMaster(root);
  for (const auto& h : Hosts(layout)) {
    std::string role = IsMaster(h) ? fmt::format("master (epoch {})", h.state->epoch) : "standby";
    if (!h.alive) role = "monitor not running";
    std::cout << fmt::format("{}: {}{}\n", h.name, role,
                             h.master_file.empty() || !fs::exists(h.master_file)
                                 ? ""
                                 : fmt::format(" [{} exists]", h.master_file));
  }
  return 0;
}

// Waits until `pred` holds for the hosts, or the deadline.
template <typename Pred>
bool WaitHosts(const ClusterLayout& layout, SteadyClock::time_point deadline, Pred pred) {
  while (SteadyClock::now() < deadline) {
    if (pred(Hosts(layout))) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

int Failover(const std::string& root, const std::string& to, int timeout_s) {
  ClusterLayout layout = ClusterLayoutAsMaster(root);
  auto hosts = Hosts(layout);
  auto target = std::find_if(hosts.begin(), hosts.end(), [&](auto& h) { return h.name == to; });
  if (target == hosts.end()) {
    std::string names;
    for (const auto& h : hosts) names += (names.empty() ? "" : ", ") + h.name;
    std::cerr << fmt::format("no leader host named {} (hosts: {})", to, names) << std::endl;
    return 2;
  }
  if (!target->alive) {
    std::cerr << fmt::format("the master monitor of {} is not running; start the cluster first", to)
              << std::endl;
    return 1;
  }
  auto deadline = SteadyClock::now() + std::chrono::seconds(timeout_s);
  auto target_is_master = [&](const std::vector<HostView>& hs) {
    for (const auto& h : hs) {
      if (h.name == to) return IsMaster(h);
    }
    return false;
  };
  if (target_is_master(hosts)) {
    std::cout << to << " is already the master; nothing to do" << std::endl;
    return 0;
  }
  bool file_method = !target->master_file.empty();
  if (file_method) {
    // The runbook's procedure, without its guesswork: delete the old master
    // file, wait until the old master has actually stopped, create the new.
    for (const auto& h : hosts) {
      if (h.name == to || !fs::exists(h.master_file)) continue;
      fs::remove(h.master_file);
      std::cout << fmt::format("removed {}", h.master_file) << std::endl;
    }
    std::cout << "waiting for the old master to stop its master-only services..." << std::endl;
    if (!WaitHosts(layout, deadline, [&](const auto& hs) {
          for (const auto& h : hs) {
            if (h.name != to && IsMaster(h)) return false;
          }
          return true;
        })) {
      std::cerr << "the old master did not stop in time; no master file created (see its "
                   "monitor.log)"
                << std::endl;
      return 1;
    }
    WriteFileAtomic(target->master_file, "");
    std::cout << fmt::format("created {}", target->master_file) << std::endl;
  } else {
    // ZooKeeper: stop the holder's monitor; it resigns (the node goes at
    // once), the target's watch fires, and the supervisor restarts the old
    // monitor as a standby.
    for (const auto& h : hosts) {
      if (h.name != to && IsMaster(h)) {
        kill(h.monitor_pid, SIGTERM);
        std::cout << fmt::format("asked {} (monitor pid {}) to resign", h.name, h.monitor_pid)
                  << std::endl;
      }
    }
  }
  if (!WaitHosts(layout, deadline, target_is_master)) {
    std::cerr << fmt::format("{} did not become master within {}s (see its monitor.log)", to,
                             timeout_s)
              << std::endl;
    return 1;
  }
  auto now = Hosts(layout);
  for (const auto& h : now) {
    if (h.name == to) {
      std::cout << fmt::format("{} is the master (epoch {})", to, h.state->epoch) << std::endl;
    }
  }
  return 0;
}

}  // namespace

void RegisterMasterCommands(CLI::App& app) {
  auto config = std::make_shared<std::string>();
  auto* monitor = app.add_subcommand(
      "master-monitor", "run the master-only services while this host is master (daemon)");
  monitor->add_option("config", *config, "master monitor INI (see docs/operations.md)")->required();
  monitor->callback(
      [config] { throw CLI::RuntimeError(RunMasterMonitor(MasterConfig::Load(*config))); });

  auto file = std::make_shared<std::string>();
  auto delay = std::make_shared<double>(30);
  auto* ss = app.add_subcommand(
      "hg-master-start-stop",
      "reconcile systemd's hg-master.target with a master.<host> file once (reference script)");
  ss->add_option("master_file", *file, "e.g. /repo/hg/master.hgssh1")->required();
  ss->add_option("--start-delay", *delay, "seconds to wait before starting")->capture_default_str();
  ss->callback([file, delay] { throw CLI::RuntimeError(MasterStartStop(*file, *delay)); });

  auto root = std::make_shared<std::string>();
  auto to = std::make_shared<std::string>();
  auto timeout = std::make_shared<int>(120);
  auto* master = app.add_subcommand("master", "the master role of a local cluster");
  master->require_subcommand(1);
  auto* status = master->add_subcommand("status", "which leader host is master");
  status->add_option("--root", *root, "cluster directory");
  status->callback([root] { throw CLI::RuntimeError(Status(*root)); });
  auto* failover = master->add_subcommand(
      "failover", "hand the master role to another leader host, never two at once");
  failover->add_option("--root", *root, "cluster directory");
  failover->add_option("--to", *to, "leader host to make master, e.g. standby")->required();
  failover->add_option("--timeout", *timeout, "seconds to wait")->capture_default_str();
  failover->callback(
      [root, to, timeout] { throw CLI::RuntimeError(Failover(*root, *to, *timeout)); });
}

}  // namespace hgc
