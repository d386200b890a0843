// Push-to-mirror latency on a real local cluster (embedded log by default).
//
//   build/push_latency [--pushes N] [--mirrors M] [--log URL|mock]
//   build/push_latency --concurrent [--repos R] [--stuck]
//   build/push_latency --compare [--pushes N] [--no-direct]
//   build/push_latency --throughput [--pushes N]
//   build/push_latency --failover [--rounds R]
//   build/push_latency --hooks [--pushes N] [--no-push-bundles] [--mirrors-apart]
//   build/push_latency --bundles [--pushes N]
//   build/push_latency --pulls [--pushes N]
//
// Sequential mode: N pushes of one changeset each through
// `hgcluster local-ssh`. For each, the time from the push command returning
// to every mirror having the new head (read from the mirrors' changelogs
// every 0.5 ms), then — the peer — the wall time of a bare
// `hg pull -r NODE LEADER` of the same changeset into a plain clone.
// Prints p50/p99 of both and their ratio.
//
// Compare mode (issue 14): in one run, the same N one-changeset pushes on
// the embedded log, on a real 3-broker Kafka cluster (`up --log
// kafka-local:3`) through the leader's producer agent, and (unless
// --no-direct) on real Kafka with a producer per hook process
// (`up --direct-producer`). For each push: the client's `hg push` from start
// to return, and from start to both mirrors having the changeset. Prints
// p50/p99 and the Kafka/embedded ratio of push time (target <= 1.10).
//
// Throughput mode (issue 14): on the embedded log and on a real 3-broker
// Kafka cluster, 16 repositories get N one-changeset pushes in all (spread
// over the 8 partitions, 4 pushers); then a new mirror — a fresh consumer
// group with empty repositories — replays the whole log, and the time from
// its start to its having committed every partition's end gives the events
// per second one mirror applies (repository creations and pulls included).
//
// Failover mode (issue 14): on a real 3-broker cluster, R times: SIGKILL the
// broker leading the repository's pushdata partition, push one changeset
// right away, and time from the kill to both mirrors having it; then
// restart the broker.
//
// Hooks mode (issue 17): on one embedded-log cluster, N rounds of three
// one-changeset pushes through the same transport (`hgcluster local-ssh`):
// into a hook-free copy (a plain repository, no hooks), into a replicated
// repository with the leader's hooks run by the producer agent (the
// hgclusterhooks extension, `up`'s default), and into a second replicated
// repository with the extension switched off for that push (each hook a
// process, `up --process-hooks`), and a fourth push into a third replicated
// repository with read-your-writes (`--pushvars READYOURWRITES=1`: returns
// once both mirrors serve it). Each replicated push waits for both mirrors
// before the next one. Prints p50/p99 of the push command and the ratios to
// the hook-free push (target <= 1.05) and of read-your-writes to a plain
// replicated push. With --mirrors-apart the cluster has no mirror on this
// machine (`up --mirrors 0`: the leader host alone, its aggregators
// included), as when the mirrors run on hosts of their own: no consumer
// applies the event on the leader's cores while the push finishes. There is
// no read-your-writes push then.
//
// Bundles mode (issue 17): two clusters one after the other, N
// one-changeset pushes each: changegroup events carrying the push (the
// default), and `up --no-push-bundles` (every mirror pulls every push from
// the leader). p50/p99 of the push and of push start -> both mirrors have
// it, and the machine's CPU time per push (every process: with local-path
// pulls the leader's share of a pull runs inside the mirror's hg).
//
// Pulls mode (issue 18): mirrors that pull every push from the leader
// (`--no-push-bundles`), three clusters one after the other, N
// one-changeset pushes each: from the leader's directory (`--pull-over
// path`), over SSH through the front door with the sessions kept between
// pulls (`--pull-over ssh`, hgext/hgclusterpull.py), and over SSH with the
// extension switched off in the mirrors' pull.rc (a new SSH session and a
// new `hg serve --stdio` on the leader per pull). p50/p99 of push start ->
// both mirrors have it, and the machine's CPU time per push. In the SSH
// clusters each push is followed by the floor of moving that change once: a
// bare `hg pull -r NODE` over SSH as the replication account into a plain
// clone (a cold pull).
//
// Concurrent mode: R repositories on the cluster, one push to each from 8
// parallel pushers; per repository the time from its push starting to both
// mirrors having the head (with 8 pushers on 2 cores the mirrors usually have
// it before the push command returns, so "from return" would measure noise). With --stuck, one
// extra repository is broken on mirror1 (it parks) and receives a push first; compare the p50 of
// the two runs.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/subprocess.h"
#include "hg/repo_state.h"
#include "hg/revlog_index.h"
#include "layout/cluster_layout.h"
#include "layout/cluster_state.h"
#include "log/kafka_admin.h"
#include "log/kafka_local.h"
#include "log/log.h"
#include "message/message.h"
#include "routing/partition_map.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

std::string g_bin;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

hgc::ProcessResult Run(const std::string& cmd) {
  hgc::ProcessOptions o;
  o.env_set = {{"HGRCPATH", ""}, {"HGUSER", "bench"}, {"HGPLAIN", "1"}};
  auto r = hgc::RunProcess({"/bin/sh", "-c", cmd}, o);
  if (!r.ok())
    std::fprintf(stderr, "command failed (%d): %s\n%s%s", r.exit_code, cmd.c_str(), r.out.c_str(),
                 r.err.c_str());
  return r;
}

bool HasNode(const std::string& repo, const std::string& node) {
  try {
    auto idx = hgc::ChangelogIndex::Load(repo);
    for (int r = idx.tip_rev(); r >= 0 && r >= idx.tip_rev() - 3; --r) {
      if (idx.NodeHex(r) == node) return true;
    }
  } catch (...) {
  }
  return false;
}

double WallNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double g_last_seen_wall = 0;  // wall clock of the last WaitMirrors success

// Waits until every mirror has `node`; returns when that happened.
Clock::time_point WaitMirrors(const std::vector<std::string>& repos, const std::string& node) {
  auto deadline = Clock::now() + std::chrono::seconds(120);
  while (Clock::now() < deadline) {
    bool all = true;
    for (const auto& r : repos) all = all && HasNode(r, node);
    if (all) {
      g_last_seen_wall = WallNow();
      return Clock::now();
    }
    usleep(500);
  }
  throw std::runtime_error("timed out waiting for " + node);
}

struct Cluster {
  std::string dir, root;
  int mirrors;
  int mock_pid = 0;
  // `log` "mock": a librdkafka mock cluster in its own process.
  Cluster(int m, std::string log, const std::string& extra_up = "") : mirrors(m) {
    char tmpl[] = "/tmp/hgcluster-pushbench-XXXXXX";
    dir = mkdtemp(tmpl);
    root = dir + "/cluster";
    if (log == "mock") {
      std::string bs = dir + "/bootstrap";
      mock_pid = hgc::SpawnDaemon({g_bin, "kafka-mock", "--brokers", "3", "--bootstrap-file", bs},
                                  dir + "/kafka-mock.log");
      for (int i = 0; i < 3000 && hgc::ReadFileOrEmpty(bs).empty(); ++i) usleep(10000);
      log = "kafka://" + hgc::ReadFileOrEmpty(bs);
      while (!log.empty() && log.back() == '\n') log.pop_back();
    }
    std::string cmd = g_bin + " up --detach --root " + root + " --mirrors " + std::to_string(m);
    if (!log.empty()) cmd += " --log " + log;
    cmd += extra_up;
    if (!Run(cmd + " >/dev/null").ok()) throw std::runtime_error("hgcluster up failed");
  }
  ~Cluster() {
    Run(g_bin + " down --root " + root + " >/dev/null");
    if (mock_pid > 0) {
      kill(mock_pid, SIGTERM);
      waitpid(mock_pid, nullptr, 0);
    }
    fs::remove_all(dir);
  }
  std::string Leader(const std::string& n) const { return root + "/leader/repos/" + n; }
  std::vector<std::string> Mirrors(const std::string& n) const {
    std::vector<std::string> out;
    for (int i = 1; i <= mirrors; ++i) {
      out.push_back(root + "/mirrors/mirror" + std::to_string(i) + "/repos/" + n);
    }
    return out;
  }
  std::string Push(const std::string& client, const std::string& name, const std::string& rev) {
    return "hg -R " + client + " push -q -r " + rev + " --ssh '" + g_bin +
           " local-ssh' ssh://leader/" + Leader(name);
  }
};

hgc::ClusterState StateOf(const Cluster& c) { return hgc::ClusterLayout::At(c.root).LoadState(); }

std::string LogUrlOf(const Cluster& c) { return StateOf(c).log.url; }

int Sequential(int pushes, int mirrors, const std::string& log) {
  Cluster c(mirrors, log);
  std::string client = c.dir + "/client", peer = c.dir + "/peer";
  Run(g_bin + " repo create --root " + c.root + " bench >/dev/null");
  Run("hg init " + client + " && hg -R " + client + " debugbuilddag '+" +
      std::to_string(pushes + 1) + "'");
  auto idx = hgc::ChangelogIndex::Load(client);
  Run(c.Push(client, "bench", "0"));
  WaitMirrors(c.Mirrors("bench"), idx.NodeHex(0));
  Run("hg clone -q -U " + c.Leader("bench") + " " + peer);
  auto event_log = hgc::OpenLog(LogUrlOf(c), "bench");
  int partition = hgc::Md5Mod("{moz}/bench", 8);
  std::vector<double> repl, whole, pull, from_event;
  for (int i = 1; i <= pushes; ++i) {
    std::string node = idx.NodeHex(i);
    auto started = Clock::now();
    auto r = Run(c.Push(client, "bench", std::to_string(i)));
    auto returned = Clock::now();
    auto seen = WaitMirrors(c.Mirrors("bench"), node);
    repl.push_back(Ms(seen - returned));
    whole.push_back(Ms(seen - started));
    // The changegroup event's own timestamp: from the moment the leader
    // logged the push to both mirrors having it (same host, same clock).
    int64_t high = event_log->GetWatermarks("pushdata", partition).high;
    auto recs = event_log->OpenCursor({{"pushdata", partition, high - 2}})
                    ->Poll(1, std::chrono::milliseconds(5000));
    if (!recs.empty()) {
      from_event.push_back((g_last_seen_wall - hgc::DecodeMessage(recs[0].value).created) * 1000);
    }
    auto t0 = Clock::now();
    Run("hg -R " + peer + " pull -q -r " + node + " " + c.Leader("bench"));
    pull.push_back(Ms(Clock::now() - t0));
  }
  std::printf("push returns -> all %d mirrors have the head, %d pushes (%s log):\n", mirrors,
              pushes,
              log.empty()     ? "embedded"
              : log == "mock" ? "Kafka mock cluster"
                              : log.c_str());
  std::printf("  hgcluster replication: p50 %.1f ms  p99 %.1f ms  max %.1f ms\n", Pct(repl, 0.5),
              Pct(repl, 0.99), Pct(repl, 1.0));
  std::printf("  (push started -> all mirrors have it: p50 %.1f ms  p99 %.1f ms)\n",
              Pct(whole, 0.5), Pct(whole, 0.99));
  std::printf(
      "  changegroup event logged -> all mirrors have it: p50 %.1f ms  p99 %.1f ms "
      "(ratio to bare pull p50 %.2fx)\n",
      Pct(from_event, 0.5), Pct(from_event, 0.99), Pct(from_event, 0.5) / Pct(pull, 0.5));
  std::printf("  bare hg pull -r NODE:  p50 %.1f ms  p99 %.1f ms  max %.1f ms\n", Pct(pull, 0.5),
              Pct(pull, 0.99), Pct(pull, 1.0));
  std::printf("  ratio (p50): %.2fx   ratio (p99): %.2fx\n", Pct(repl, 0.5) / Pct(pull, 0.5),
              Pct(repl, 0.99) / Pct(pull, 0.99));
  return 0;
}

struct PushTimes {
  std::string name;
  std::vector<double> push;     // hg push start -> return
  std::vector<double> mirrors;  // hg push start -> both mirrors have it
  double cpu_seconds = 0;       // CPU of the whole machine during the measured pushes
};

// user + nice + system + irq + softirq of every CPU, in seconds (/proc/stat).
double MachineCpuSeconds() {
  std::string stat = hgc::ReadFileOrEmpty("/proc/stat");
  unsigned long long v[7] = {};
  if (std::sscanf(stat.c_str(), "cpu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                  &v[3], &v[4], &v[5], &v[6]) != 7) {
    return 0;
  }
  return static_cast<double>(v[0] + v[1] + v[2] + v[5] + v[6]) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Repository `bench` on the cluster, a client with pushes + 3 changesets,
// and two warm-up pushes (not measured: the first connects everything).
hgc::ChangelogIndex PrepareBench(Cluster& c, const std::string& client, int pushes) {
  Run(g_bin + " repo create --root " + c.root + " bench >/dev/null");
  Run("hg init " + client + " && hg -R " + client + " debugbuilddag '+" +
      std::to_string(pushes + 3) + "'");
  auto idx = hgc::ChangelogIndex::Load(client);
  for (int i = 0; i < 2; ++i) {
    Run(c.Push(client, "bench", std::to_string(i)));
    WaitMirrors(c.Mirrors("bench"), idx.NodeHex(i));
  }
  return idx;
}

PushTimes MeasurePushes(const std::string& name, const std::string& log, const std::string& extra,
                        int pushes) {
  auto t0 = Clock::now();
  Cluster c(2, log, extra);
  std::fprintf(stderr, "%s: cluster up in %.1f s\n", name.c_str(), Ms(Clock::now() - t0) / 1000);
  std::string client = c.dir + "/client";
  auto idx = PrepareBench(c, client, pushes);
  PushTimes t{name, {}, {}, 0};
  double cpu0 = MachineCpuSeconds();
  for (int i = 2; i < pushes + 2; ++i) {
    auto started = Clock::now();
    auto r = Run(c.Push(client, "bench", std::to_string(i)));
    if (!r.ok()) throw std::runtime_error(name + ": push " + std::to_string(i) + " failed");
    auto returned = Clock::now();
    auto seen = WaitMirrors(c.Mirrors("bench"), idx.NodeHex(i));
    t.push.push_back(Ms(returned - started));
    t.mirrors.push_back(Ms(seen - started));
  }
  t.cpu_seconds = MachineCpuSeconds() - cpu0;
  return t;
}

int Bundles(int pushes) {
  std::vector<PushTimes> runs;
  runs.push_back(MeasurePushes("bundles in the log (default)", "", "", pushes));
  runs.push_back(MeasurePushes("mirrors pull from the leader", "", " --no-push-bundles", pushes));
  std::printf("%d pushes of one changeset each, 2 mirrors, embedded log:\n", pushes);
  std::printf("  %-32s %-28s %-30s %s\n", "mode", "hg push start->return",
              "push start->both mirrors", "machine CPU per push");
  for (const auto& r : runs) {
    std::printf("  %-32s p50 %6.1f ms p99 %6.1f ms   p50 %6.1f ms p99 %6.1f ms   %.0f ms\n",
                r.name.c_str(), Pct(r.push, 0.5), Pct(r.push, 0.99), Pct(r.mirrors, 0.5),
                Pct(r.mirrors, 0.99), r.cpu_seconds * 1000 / pushes);
  }
  return 0;
}

struct PullTimes {
  std::string name;
  std::vector<double> mirrors, floor;
  double cpu_seconds = 0;
};

PullTimes MeasurePulls(const std::string& name, const std::string& pull_over, bool keep,
                       int pushes) {
  auto t0 = Clock::now();
  Cluster c(2, "", " --no-push-bundles --pull-over " + pull_over);
  std::fprintf(stderr, "%s: cluster up in %.1f s\n", name.c_str(), Ms(Clock::now() - t0) / 1000);
  if (!keep) {
    // The consumers' command servers restart on the changed hgrc.
    for (int m = 1; m <= 2; ++m) {
      std::ofstream(c.root + "/mirrors/mirror" + std::to_string(m) + "/pull.rc", std::ios::app)
          << "[extensions]\nhgclusterpull = !\n";
    }
  }
  std::string client = c.dir + "/client", floor = c.dir + "/floor";
  auto idx = PrepareBench(c, client, pushes);
  std::string floor_pull;
  if (pull_over == "ssh") {
    auto state = StateOf(c);
    if (!state.leader.frontdoor) throw std::runtime_error("the cluster has no SSH front door");
    const auto& fd = *state.leader.frontdoor;
    std::string url = fd.replication["pull_url_prefix"].get<std::string>() + "bench";
    std::string ssh = fd.replication["ssh"].get<std::string>() + " -p " + std::to_string(fd.port);
    Run("hg init " + floor);
    floor_pull = "hg -R " + floor + " pull -q -e '" + ssh + "' " + url + " -r ";
    Run(floor_pull + idx.NodeHex(1));
  }
  PullTimes t{name, {}, {}, 0};
  double cpu = 0;  // the floor's pulls not counted
  for (int i = 2; i < pushes + 2; ++i) {
    double before = MachineCpuSeconds();
    auto started = Clock::now();
    if (!Run(c.Push(client, "bench", std::to_string(i))).ok()) {
      throw std::runtime_error(name + ": push " + std::to_string(i) + " failed");
    }
    auto seen = WaitMirrors(c.Mirrors("bench"), idx.NodeHex(i));
    t.mirrors.push_back(Ms(seen - started));
    cpu += MachineCpuSeconds() - before;
    if (!floor_pull.empty()) {
      auto f0 = Clock::now();
      if (!Run(floor_pull + idx.NodeHex(i)).ok()) throw std::runtime_error("floor pull failed");
      t.floor.push_back(Ms(Clock::now() - f0));
    }
  }
  t.cpu_seconds = cpu;
  return t;
}

int Pulls(int pushes) {
  std::vector<PullTimes> runs;
  runs.push_back(MeasurePulls("from the leader's directory", "path", true, pushes));
  runs.push_back(MeasurePulls("ssh, kept sessions (default)", "ssh", true, pushes));
  runs.push_back(MeasurePulls("ssh, a session per pull", "ssh", false, pushes));
  std::printf("%d pushes of one changeset each, 2 mirrors pulling every push, embedded log:\n",
              pushes);
  std::printf("  %-30s %-30s %-22s %s\n", "mirrors pull", "push start->both mirrors",
              "CPU per push", "floor: one cold hg pull -r over ssh");
  for (const auto& r : runs) {
    std::printf("  %-30s p50 %6.1f ms p99 %6.1f ms   %6.0f ms", r.name.c_str(), Pct(r.mirrors, 0.5),
                Pct(r.mirrors, 0.99), r.cpu_seconds * 1000 / pushes);
    if (!r.floor.empty()) {
      std::printf("              p50 %6.1f ms p99 %6.1f ms", Pct(r.floor, 0.5), Pct(r.floor, 0.99));
    }
    std::printf("\n");
  }
  return 0;
}

int Hooks(int pushes, const std::string& extra_up, bool mirrors_apart) {
  Cluster c(mirrors_apart ? 0 : 2, "", extra_up);
  std::string hookfree = c.dir + "/hookfree";
  std::vector<std::string> clients;
  Run("hg init " + hookfree);
  for (const char* name : {"bench", "bench-proc", "bench-ryw"}) {
    Run(g_bin + " repo create --root " + c.root + " " + name + " >/dev/null");
  }
  for (int k = 0; k < 4; ++k) {
    clients.push_back(c.dir + "/client" + std::to_string(k));
    Run("hg init " + clients.back() + " && hg -R " + clients.back() + " debugbuilddag '+" +
        std::to_string(pushes + 3) + "'");
  }
  auto idx = hgc::ChangelogIndex::Load(clients[0]);  // debugbuilddag: same nodes everywhere
  std::string hgrc_path = c.root + "/leader/hgrc";
  std::string hgrc = hgc::ReadFileOrEmpty(hgrc_path);
  auto ext = hgrc.find("hgclusterhooks = ");
  if (ext == std::string::npos) throw std::runtime_error("the leader hgrc loads no hgclusterhooks");
  std::string without = hgrc;
  without.insert(ext, "# ");
  auto push_to = [&](const std::string& client, const std::string& repo, int rev) {
    return "hg -R " + client + " push -q -r " + std::to_string(rev) + " --ssh '" + g_bin +
           " local-ssh' ssh://leader/" + repo;
  };
  std::vector<double> free_ms, inproc_ms, proc_ms, ryw_ms;
  for (int i = 0; i < pushes + 2; ++i) {
    auto t0 = Clock::now();
    if (!Run(push_to(clients[0], hookfree, i)).ok()) throw std::runtime_error("hook-free push");
    auto t1 = Clock::now();
    if (!Run(push_to(clients[1], c.Leader("bench"), i)).ok()) throw std::runtime_error("push");
    auto t2 = Clock::now();
    WaitMirrors(c.Mirrors("bench"), idx.NodeHex(i));
    hgc::WriteFileAtomic(hgrc_path, without);
    auto t3 = Clock::now();
    bool ok = Run(push_to(clients[2], c.Leader("bench-proc"), i)).ok();
    auto t4 = Clock::now();
    hgc::WriteFileAtomic(hgrc_path, hgrc);
    if (!ok) throw std::runtime_error("process-hooks push");
    WaitMirrors(c.Mirrors("bench-proc"), idx.NodeHex(i));
    auto t5 = Clock::now();
    if (!mirrors_apart &&
        !Run(push_to(clients[3], c.Leader("bench-ryw"), i) + " --pushvars READYOURWRITES=1").ok()) {
      throw std::runtime_error("read-your-writes push");
    }
    auto t6 = Clock::now();
    WaitMirrors(c.Mirrors("bench-ryw"), idx.NodeHex(i));
    if (i < 2) continue;  // warm-up
    ryw_ms.push_back(Ms(t6 - t5));
    free_ms.push_back(Ms(t1 - t0));
    inproc_ms.push_back(Ms(t2 - t1));
    proc_ms.push_back(Ms(t4 - t3));
  }
  std::printf("one-changeset hg push through `hgcluster local-ssh`, %d rounds (embedded log%s):\n",
              pushes, mirrors_apart ? ", no mirror on this machine" : "");
  std::printf("  hook-free copy:                 p50 %.1f ms  p99 %.1f ms\n", Pct(free_ms, 0.5),
              Pct(free_ms, 0.99));
  std::printf("  replicated, hooks in the agent: p50 %.1f ms  p99 %.1f ms  ratio p50 %.3fx\n",
              Pct(inproc_ms, 0.5), Pct(inproc_ms, 0.99), Pct(inproc_ms, 0.5) / Pct(free_ms, 0.5));
  std::printf("  replicated, hooks as processes: p50 %.1f ms  p99 %.1f ms  ratio p50 %.3fx\n",
              Pct(proc_ms, 0.5), Pct(proc_ms, 0.99), Pct(proc_ms, 0.5) / Pct(free_ms, 0.5));
  if (mirrors_apart) return 0;
  std::printf(
      "  replicated, read-your-writes:   p50 %.1f ms  p99 %.1f ms  (%.2fx the agent-hooks push; "
      "returns once both mirrors serve it)\n",
      Pct(ryw_ms, 0.5), Pct(ryw_ms, 0.99), Pct(ryw_ms, 0.5) / Pct(inproc_ms, 0.5));
  return 0;
}

int Compare(int pushes, bool direct) {
  std::vector<PushTimes> runs;
  runs.push_back(MeasurePushes("embedded log (agent)", "", "", pushes));
  runs.push_back(MeasurePushes("real Kafka, 3 brokers (agent)", "kafka-local:3", "", pushes));
  if (direct) {
    runs.push_back(MeasurePushes("real Kafka, 3 brokers (producer per hook)", "kafka-local:3",
                                 " --direct-producer", pushes));
  }
  std::printf("%d pushes of one changeset each, 2 mirrors:\n", pushes);
  std::printf("  %-44s %-28s %-30s %s\n", "log", "hg push start->return",
              "push start->both mirrors", "machine CPU per push");
  for (const auto& r : runs) {
    std::printf("  %-44s p50 %6.1f ms p99 %6.1f ms   p50 %6.1f ms p99 %6.1f ms   %.0f ms\n",
                r.name.c_str(), Pct(r.push, 0.5), Pct(r.push, 0.99), Pct(r.mirrors, 0.5),
                Pct(r.mirrors, 0.99), r.cpu_seconds * 1000 / pushes);
  }
  for (size_t i = 1; i < runs.size(); ++i) {
    std::printf("  push time %s / embedded: p50 %.2fx  p99 %.2fx (target p50 <= 1.10x)\n",
                runs[i].name.c_str(), Pct(runs[i].push, 0.5) / Pct(runs[0].push, 0.5),
                Pct(runs[i].push, 0.99) / Pct(runs[0].push, 0.99));
  }
  return 0;
}

struct Replay {
  std::string name;
  int pushes = 0;
  int64_t events = 0;
  double seconds = 0;
};

Replay MeasureReplay(const std::string& name, const std::string& log, int pushes) {
  Cluster c(1, log);
  constexpr int kRepos = 16;
  int per_repo = std::max(1, pushes / kRepos);
  std::string client = c.dir + "/client";
  Run("hg init " + client + " && hg -R " + client + " debugbuilddag '+" + std::to_string(per_repo) +
      "'");
  auto idx = hgc::ChangelogIndex::Load(client);
  for (int r = 0; r < kRepos; ++r) {
    Run(g_bin + " repo create --root " + c.root + " r" + std::to_string(r) + " >/dev/null");
  }
  std::vector<std::thread> pushers;
  for (int t = 0; t < 4; ++t) {
    pushers.emplace_back([&, t] {
      for (int r = t; r < kRepos; r += 4) {
        for (int i = 0; i < per_repo; ++i) {
          Run(c.Push(client, "r" + std::to_string(r), std::to_string(i)));
        }
      }
    });
  }
  for (auto& t : pushers) t.join();
  for (int r = 0; r < kRepos; ++r) {
    WaitMirrors(c.Mirrors("r" + std::to_string(r)), idx.NodeHex(per_repo - 1));
  }
  std::string url = LogUrlOf(c);
  auto event_log = hgc::OpenLog(url, "bench");
  std::map<int, int64_t> high;
  Replay out{name, kRepos * per_repo, 0, 0};
  for (int p = 0; p < 8; ++p) {
    high[p] = event_log->GetWatermarks("pushdata", p).high;
    out.events += high[p] - event_log->GetWatermarks("pushdata", p).low;
  }
  std::string replay = c.dir + "/replay";
  fs::create_directories(replay + "/repos");
  hgc::WriteFileAtomic(replay + "/consumer.ini",
                       "[consumer]\nlog = " + url +
                           "\nclient_id = replay\ntopic = pushdata\ngroup = replay\n"
                           "poll_timeout = 0.1\nworkers = 4\n\n[path_rewrites]\n{moz} = " +
                           replay + "/repos\n\n[pull_url_rewrites]\n{moz} = " + c.root +
                           "/leader/repos\n");
  auto started = Clock::now();
  int pid =
      hgc::SpawnDaemon({g_bin, "consume", replay + "/consumer.ini"}, replay + "/consumer.log");
  std::vector<int> all{0, 1, 2, 3, 4, 5, 6, 7};
  auto deadline = started + std::chrono::seconds(600);
  while (true) {
    auto committed = event_log->Committed("replay", "pushdata", all);
    bool done = true;
    for (int p : all) done = done && committed.count(p) && committed[p] >= high[p];
    if (done) break;
    if (Clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      throw std::runtime_error(name + ": the replay did not catch up in 600 s");
    }
    usleep(2000);
  }
  out.seconds = Ms(Clock::now() - started) / 1000;
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  return out;
}

int Throughput(int pushes) {
  std::vector<Replay> runs;
  runs.push_back(MeasureReplay("embedded log", "", pushes));
  runs.push_back(MeasureReplay("real Kafka, 3 brokers", "kafka-local:3", pushes));
  std::printf("one new mirror replays the whole log (16 repositories, 8 partitions, 4 workers):\n");
  for (const auto& r : runs) {
    std::printf("  %-24s %d pushes, %lld events in %.2f s: %.0f events/s, %.0f pushes/s\n",
                r.name.c_str(), r.pushes, static_cast<long long>(r.events), r.seconds,
                static_cast<double>(r.events) / r.seconds, r.pushes / r.seconds);
  }
  return 0;
}

int Failover(int rounds) {
  Cluster c(2, "kafka-local:3");
  std::string kafka_dir = c.root + "/kafka";
  std::string bootstrap = hgc::KafkaLocalBootstrap(kafka_dir);
  std::string client = c.dir + "/client";
  Run(g_bin + " repo create --root " + c.root + " bench >/dev/null");
  Run("hg init " + client + " && hg -R " + client + " debugbuilddag '+" +
      std::to_string(rounds + 2) + "'");
  auto idx = hgc::ChangelogIndex::Load(client);
  for (int i = 0; i < 2; ++i) {  // warm-up
    Run(c.Push(client, "bench", std::to_string(i)));
    WaitMirrors(c.Mirrors("bench"), idx.NodeHex(i));
  }
  int partition = hgc::Md5Mod("{moz}/bench", 8);
  std::vector<double> to_mirrors, push_time;
  for (int round = 0; round < rounds; ++round) {
    int leader =
        hgc::KafkaPartitionLeader(bootstrap, "pushdata", partition, std::chrono::seconds(10));
    int pid = leader > 0 ? hgc::KafkaLocalNodePid(kafka_dir, leader) : 0;
    if (pid <= 0) throw std::runtime_error("no running leader for the bench partition");
    auto killed = Clock::now();
    kill(pid, SIGKILL);
    int rev = round + 2;
    auto r = Run(c.Push(client, "bench", std::to_string(rev)));
    if (!r.ok()) throw std::runtime_error("the push after the broker's death was refused");
    auto returned = Clock::now();
    auto seen = WaitMirrors(c.Mirrors("bench"), idx.NodeHex(rev));
    push_time.push_back(Ms(returned - killed));
    to_mirrors.push_back(Ms(seen - killed));
    std::fprintf(stderr,
                 "round %d: broker %d killed; push returned after %.0f ms, on both "
                 "mirrors after %.0f ms\n",
                 round + 1, leader, push_time.back(), to_mirrors.back());
    if (!Run(g_bin + " kafka-local --dir " + kafka_dir + " --brokers 3 --detach >/dev/null").ok()) {
      throw std::runtime_error("the killed broker did not restart");
    }
  }
  std::printf(
      "partition leader's broker SIGKILLed, then one push (%d rounds, 3 brokers, 2 mirrors):\n",
      rounds);
  std::printf("  kill -> push returned:      p50 %.0f ms  max %.0f ms\n", Pct(push_time, 0.5),
              Pct(push_time, 1.0));
  std::printf("  kill -> on both mirrors:    p50 %.0f ms  max %.0f ms\n", Pct(to_mirrors, 0.5),
              Pct(to_mirrors, 1.0));
  return 0;
}

int Concurrent(int repos, bool stuck) {
  Cluster c(2, "");
  std::string client = c.dir + "/client";
  Run("hg init " + client + " && hg -R " + client + " debugbuilddag '+2'");
  auto idx = hgc::ChangelogIndex::Load(client);
  std::vector<std::string> names;
  for (int i = 0; i < repos; ++i) names.push_back("r" + std::to_string(i));
  if (stuck) names.push_back("stuck");
  for (const auto& n : names)
    Run(g_bin + " repo create --root " + c.root + " " + n + " >/dev/null");
  for (const auto& n : names) {
    Run(c.Push(client, n, "0"));
  }
  for (const auto& n : names) WaitMirrors(c.Mirrors(n), idx.NodeHex(0));
  if (stuck) {
    std::string req = c.Mirrors("stuck")[0] + "/.hg/requires";
    hgc::WriteFileAtomic(req, hgc::ReadFileOrEmpty(req) + "bench-broken\n");
    Run(c.Push(client, "stuck", "1"));
  }
  std::vector<double> lat(static_cast<size_t>(repos));
  std::atomic<int> next{0};
  std::vector<std::thread> pushers;
  for (int t = 0; t < 8; ++t) {
    pushers.emplace_back([&] {
      for (int i = next++; i < repos; i = next++) {
        auto started = Clock::now();
        Run(c.Push(client, names[static_cast<size_t>(i)], "1"));
        auto seen = WaitMirrors(c.Mirrors(names[static_cast<size_t>(i)]), idx.NodeHex(1));
        lat[static_cast<size_t>(i)] = Ms(seen - started);
      }
    });
  }
  for (auto& t : pushers) t.join();
  std::printf(
      "%d repos pushed concurrently (8 pushers), %s: push started -> both mirrors have "
      "the head: p50 %.1f ms  p99 %.1f ms\n",
      repos, stuck ? "1 extra repo stuck on mirror1" : "none stuck", Pct(lat, 0.5), Pct(lat, 0.99));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  g_bin = (fs::path(hgc::SelfExecutable()).parent_path() / "hgcluster").string();
  int pushes = 200, mirrors = 2, repos = 100, rounds = 5;
  bool concurrent = false, stuck = false, compare = false, direct = true, throughput = false,
       failover = false, hooks = false, bundles = false, push_bundles = true, pulls = false,
       mirrors_apart = false;
  std::string log;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--pushes" && i + 1 < argc)
      pushes = std::atoi(argv[++i]);
    else if (a == "--mirrors" && i + 1 < argc)
      mirrors = std::atoi(argv[++i]);
    else if (a == "--repos" && i + 1 < argc)
      repos = std::atoi(argv[++i]);
    else if (a == "--log" && i + 1 < argc)
      log = argv[++i];
    else if (a == "--concurrent")
      concurrent = true;
    else if (a == "--stuck")
      stuck = true;
    else if (a == "--compare")
      compare = true;
    else if (a == "--no-direct")
      direct = false;
    else if (a == "--throughput")
      throughput = true;
    else if (a == "--failover")
      failover = true;
    else if (a == "--hooks")
      hooks = true;
    else if (a == "--bundles")
      bundles = true;
    else if (a == "--pulls")
      pulls = true;
    else if (a == "--no-push-bundles")
      push_bundles = false;
    else if (a == "--mirrors-apart")
      mirrors_apart = true;
    else if (a == "--rounds" && i + 1 < argc)
      rounds = std::atoi(argv[++i]);
  }
  try {
    if (compare) return Compare(pushes, direct);
    if (hooks) return Hooks(pushes, push_bundles ? "" : " --no-push-bundles", mirrors_apart);
    if (bundles) return Bundles(pushes);
    if (pulls) return Pulls(pushes);
    if (throughput) return Throughput(pushes);
    if (failover) return Failover(rounds);
    return concurrent ? Concurrent(repos, stuck) : Sequential(pushes, mirrors, log);
  } catch (const std::exception& e) {  // clusters are stopped by their destructors
    std::fprintf(stderr, "push_latency: %s\n", e.what());
    return 1;
  }
}
