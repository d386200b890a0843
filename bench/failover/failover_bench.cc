// Failover benchmark (issue 6): time from the master's death to the standby's
// first replicated push, with the ZooKeeper method, on a real 3-node
// ZooKeeper ensemble and a real local cluster (two leader hosts, two mirrors)
// on loopback.
//
// Each run: SIGKILL the master's monitor (its ZooKeeper session, and its
// master-only services, die with it), then push to the other host every 20 ms
// until a push is accepted, then wait until both mirrors have the pushed
// changeset. Reported per run: when the standby held the role (from its
// state file), when the push was accepted, when both mirrors had it. The
// killed monitor is restarted by the supervisor and is the standby for the
// next run, so runs alternate between the two hosts.
//
//   build/failover_bench [--runs 10] [--session-timeout 2000]
//
// It reuses the tests' real fixtures (tests/zk_ensemble.h,
// tests/cluster_fixture.h); nothing here is timed by a test.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "cluster_fixture.h"
#include "common/clock.h"
#include "layout/cluster_layout.h"
#include "master/master_state.h"
#include "zk_ensemble.h"

namespace hgc::bench {
namespace {

using Clock = std::chrono::steady_clock;
using test::Cluster;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

nlohmann::json Hosts(Cluster& c) {
  nlohmann::json status = c.Status();
  return status["leader"]["hosts"];
}

// The master host and its monitor pid, or {"", 0}.
std::pair<std::string, int> Master(Cluster& c) {
  for (const auto& h : Hosts(c)) {
    auto st = ReadMasterState(h["master_state"].get<std::string>());
    if (st && st->Holds(WallNow()) && ProcessAlive(h.value("monitor_pid", 0))) {
      return {h["name"], h["monitor_pid"]};
    }
  }
  return {"", 0};
}

bool Standby(Cluster& c, const std::string& host) {
  for (const auto& h : Hosts(c)) {
    if (h["name"] != host) continue;
    auto st = ReadMasterState(h["master_state"].get<std::string>());
    return st && !st->master && ProcessAlive(h.value("monitor_pid", 0)) &&
           st->monitor_pid == h.value("monitor_pid", 0);
  }
  return false;
}

bool MirrorHas(Cluster& c, int mirror, const std::string& node) {
  return test::Sh("hg -R " + c.MirrorRepo(mirror, "bench") + " log -r " + node + " -T x",
                  {{"HGRCPATH", ""}})
             .out == "x";
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

int Main(int runs, int session_ms) {
  test::ZkEnsemble zk;
  test::ClusterOptions o;
  o.up_args = {"--standby", "--zookeeper", zk.connect_string(), "--session-timeout",
               std::to_string(session_ms)};
  Cluster c(o);
  test::ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("bench");
  auto sh = [](const std::string& cmd) {
    return test::Sh(cmd, {{"HGRCPATH", ""}, {"HGUSER", "bench <bench@example.com>"}});
  };
  if (!sh("hg init " + client + " && cd " + client + " && echo 0 > f && hg commit -qAm 0").ok()) {
    std::fprintf(stderr, "cannot make the client repository\n");
    return 1;
  }
  std::vector<double> acquire, accepted, replicated;
  std::printf("session timeout %d ms, %d runs\n", session_ms, runs);
  std::printf("%4s %-8s %-8s %12s %12s %14s\n", "run", "from", "to", "role_ms", "push_ok_ms",
              "replicated_ms");
  for (int run = 1; run <= runs; ++run) {
    auto [from, pid] = Master(c);
    auto wait_until = Clock::now() + std::chrono::seconds(60);
    while (from.empty() && Clock::now() < wait_until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      std::tie(from, pid) = Master(c);
    }
    std::string to = from == "leader" ? "standby" : "leader";
    while (!Standby(c, to) && Clock::now() < wait_until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (from.empty() || !Standby(c, to)) {
      std::fprintf(stderr, "run %d: no master with a live standby after 60 s\n", run);
      return 1;
    }
    if (!sh("cd " + client + " && echo " + std::to_string(run) + " > f && hg commit -qm " +
            std::to_string(run))
             .ok()) {
      return 1;
    }
    std::string node = sh("hg -R " + client + " log -r tip -T '{node}'").out;
    auto killed = Clock::now();
    kill(pid, SIGKILL);
    double role_ms = -1;
    Clock::time_point ok_at{};
    for (int attempt = 0; attempt < 3000; ++attempt) {  // bounded: ~60 s
      if (role_ms < 0 && Master(c).first == to) role_ms = Ms(Clock::now() - killed);
      if (c.PushVia(to, client, "bench").ok()) {
        ok_at = Clock::now();
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (ok_at == Clock::time_point{}) {
      std::fprintf(stderr, "run %d: no push accepted by %s\n", run, to.c_str());
      return 1;
    }
    if (role_ms < 0) role_ms = Ms(ok_at - killed);
    Clock::time_point done{};
    for (int poll = 0; poll < 6000; ++poll) {  // bounded: ~60 s
      if (MirrorHas(c, 1, node) && MirrorHas(c, 2, node)) {
        done = Clock::now();
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (done == Clock::time_point{}) {
      std::fprintf(stderr, "run %d: mirrors never got %s\n", run, node.c_str());
      return 1;
    }
    acquire.push_back(role_ms);
    accepted.push_back(Ms(ok_at - killed));
    replicated.push_back(Ms(done - killed));
    std::printf("%4d %-8s %-8s %12.0f %12.0f %14.0f\n", run, from.c_str(), to.c_str(), role_ms,
                accepted.back(), replicated.back());
    std::fflush(stdout);
  }
  std::printf(
      "p50: standby holds the role %.0f ms, first push accepted %.0f ms, "
      "replicated to both mirrors %.0f ms after the master died\n",
      Median(acquire), Median(accepted), Median(replicated));
  return 0;
}

}  // namespace
}  // namespace hgc::bench

int main(int argc, char** argv) {
  CLI::App app{"failover benchmark (ZooKeeper master role)"};
  int runs = 10;
  int session_ms = 2000;
  app.add_option("--runs", runs)->capture_default_str();
  app.add_option("--session-timeout", session_ms, "ZooKeeper session timeout (ms)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return hgc::bench::Main(runs, session_ms);
}
