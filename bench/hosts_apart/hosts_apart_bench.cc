// Hosts apart benchmark (issue 18): the cluster of tests/deployment.h (a
// leader, 2 mirrors, 3 Kafka brokers and a client, each a network namespace
// with its own files, daemons from the installed units and example configs)
// against the same cluster on one host, in one run.
//
//   build/hosts_apart_bench [--pushes 200] [--cutoff 60]
//
// 1. Across hosts: N one-changeset pushes from the client host through the
//    leader's front door (SSH); for each, the time from the push starting to
//    both mirror hosts having the changeset (read from their changelogs every
//    millisecond).
// 2. The floor of moving that change once across hosts: a plain SSH push from
//    the client host into a hook-free repository on the leader host (a second
//    sshd there, no front door, no hooks), then a bare `hg pull -r NODE` over
//    SSH from a mirror host into a plain clone: the sum of both, per change.
// 3. On one host: `hgcluster up --log kafka:// (3 brokers on loopback)
//    --pull-over ssh`, the same N pushes, the same measure.
// 4. Catch-up: mirror2's link down for --cutoff seconds while pushes flow
//    (each waits for mirror1), then up: the seconds until mirror2 has the last.
// Pushes carry their bundles (the default), so mirrors pull only what no
// bundle carried.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "cluster_fixture.h"
#include "deployment.h"
#include "hg/repo_state.h"
#include "hg/revlog_index.h"

namespace hgc::bench {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

bool HasNode(const std::string& repo, const std::string& node) {
  try {
    ChangelogIndex idx = ChangelogIndex::Load(repo);
    for (int r = idx.tip_rev(); r >= 0 && r >= idx.tip_rev() - 3; --r) {
      if (idx.NodeHex(r) == node) return true;
    }
  } catch (const std::exception&) {
  }
  return false;
}

// Waits (polling every millisecond) until every repo has `node`.
Clock::time_point WaitAll(const std::vector<std::string>& repos, const std::string& node,
                          std::chrono::seconds timeout = 120s) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    bool all = true;
    for (const auto& r : repos) all = all && HasNode(r, node);
    if (all) return Clock::now();
    std::this_thread::sleep_for(1ms);
  }
  throw std::runtime_error("timed out waiting for " + node);
}

void Check(const ProcessResult& r, const std::string& what) {
  if (!r.ok()) throw std::runtime_error(what + " failed: " + r.out + r.err);
}

struct Figures {
  std::vector<double> apart, floor, one_host;
  std::vector<double> apart_push, one_host_push;  // the push command alone
  double catch_up_s = 0;
  int cutoff_s = 0, cutoff_pushes = 0;
};

void AcrossHosts(int pushes, int cutoff, Figures& f) {
  test::Deployment d;
  if (!d.ok()) throw std::runtime_error("the deployment did not start");
  d.CreateRepo("bench");
  test::ScratchDir work;
  std::string client = work / "client";
  Check(d.Client("hg init " + client + " && hg -R " + client + " debugbuilddag '+" +
                 std::to_string(2 * pushes + 1000) + "'"),
        "client");
  ChangelogIndex nodes = ChangelogIndex::Load(client);
  std::vector<std::string> mirrors{d.MirrorRepo(1, "bench"), d.MirrorRepo(2, "bench")};
  auto push = [&](int rev) {
    Check(d.Client("hg -R " + client + " push -q -r " + std::to_string(rev) + " -e '" +
                   d.ClientSsh() + "' " + d.PushUrl("bench")),
          "push");
  };
  int rev = 0;
  for (; rev < 2; ++rev) {  // warm-up: the first pushes connect everything
    push(rev);
    WaitAll(mirrors, nodes.NodeHex(rev));
  }
  for (int i = 0; i < pushes; ++i, ++rev) {
    auto t0 = Clock::now();
    push(rev);
    f.apart_push.push_back(Ms(Clock::now() - t0));
    f.apart.push_back(Ms(WaitAll(mirrors, nodes.NodeHex(rev)) - t0));
  }
  std::fprintf(stderr, "across hosts: %d pushes measured\n", pushes);

  // The floor: a second sshd on the leader host, plain keys, no front door.
  std::string leader = d.HostDir("leader"), addr = d.net().Address("leader");
  std::string plain = leader + "/repo/hg/plain", kh = work / "floor_known_hosts";
  ProcessOptions quiet;
  quiet.env_set = {{"HGRCPATH", ""}, {"HGPLAIN", "1"}};
  Check(RunProcess({"hg", "init", plain}, quiet), "hg init plain");
  ProcessResult pub = RunProcess({"ssh-keygen", "-y", "-f", d.KeyDir() + "/leader_host"});
  Check(pub, "ssh-keygen -y");
  std::ofstream(kh) << "[" << addr << "]:2222 " << pub.out;
  std::ofstream(work / "floor_keys")
      << ReadFileOrEmpty(d.KeyDir() + "/client.pub") << ReadFileOrEmpty(d.KeyDir() + "/mirror.pub");
  std::ofstream(work / "floor_sshd")
      << "Port 2222\nListenAddress " << addr << "\nHostKey " << d.KeyDir()
      << "/leader_host\nPidFile " << (work / "floor_sshd.pid")
      << "\nUsePAM no\nPermitRootLogin prohibit-password\nAuthorizedKeysFile "
      << (work / "floor_keys") << "\nStrictModes no\n";
  d.net().Spawn("leader", {"/usr/sbin/sshd", "-D", "-e", "-f", work / "floor_sshd"},
                work / "floor_sshd.log");
  std::string ssh_opts =
      " -o UserKnownHostsFile=" + kh +
      " -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes -p 2222";
  std::string client_ssh = "ssh -i " + d.KeyDir() + "/client" + ssh_opts;
  std::string mirror_ssh = "ssh -i " + d.KeyDir() + "/mirror" + ssh_opts;
  std::string url = "ssh://root@" + addr + "/" + plain;
  std::string pulled = work / "pulled";
  Check(RunProcess({"hg", "init", pulled}, quiet), "hg init pulled");
  auto floor_push = [&](int r) {
    Check(d.Client("hg -R " + client + " push -q -f -r " + std::to_string(r) + " -e '" +
                   client_ssh + "' " + url),
          "floor push");
  };
  auto floor_pull = [&](int r) {
    Check(d.net().Run(
              "mirror1",
              {"hg", "-R", pulled, "pull", "-q", "-r", nodes.NodeHex(r), "-e", mirror_ssh, url},
              quiet),
          "floor pull");
  };
  for (int r = 0; r < 2; ++r) {  // the same warm-up
    floor_push(r);
    floor_pull(r);
  }
  for (int i = 0, r = 2; i < pushes; ++i, ++r) {
    auto t0 = Clock::now();
    floor_push(r);
    floor_pull(r);
    f.floor.push_back(Ms(Clock::now() - t0));
  }
  std::fprintf(stderr, "floor: %d changes moved\n", pushes);

  // Catch-up after a cut-off with pushes flowing.
  d.net().Cut("mirror2");
  f.cutoff_s = cutoff;
  auto cut_end = Clock::now() + std::chrono::seconds(cutoff);
  std::string last;
  while (Clock::now() < cut_end) {
    push(rev);
    last = nodes.NodeHex(rev++);
    WaitAll({mirrors[0]}, last);
    ++f.cutoff_pushes;
  }
  d.net().Restore("mirror2");
  auto restored = Clock::now();
  f.catch_up_s = Ms(WaitAll({mirrors[1]}, last, 300s) - restored) / 1000;
}

void OneHost(int pushes, Figures& f) {
  test::ClusterOptions o;
  o.kafka = true;
  o.up_args = {"--pull-over", "ssh"};
  test::Cluster c(o);
  c.CreateRepo("bench");
  test::ScratchDir work;
  std::string client = work / "client";
  Check(c.Hg("init " + client), "init");
  Check(c.Hg("-R " + client + " debugbuilddag '+" + std::to_string(pushes + 2) + "'"), "dag");
  ChangelogIndex nodes = ChangelogIndex::Load(client);
  std::vector<std::string> mirrors{c.MirrorRepo(1, "bench"), c.MirrorRepo(2, "bench")};
  for (int rev = 0; rev < pushes + 2; ++rev) {
    auto t0 = Clock::now();
    Check(c.Push(client, "bench", "-q -r " + std::to_string(rev)), "push");
    auto returned = Clock::now();
    auto seen = WaitAll(mirrors, nodes.NodeHex(rev));
    if (rev >= 2) {
      f.one_host_push.push_back(Ms(returned - t0));
      f.one_host.push_back(Ms(seen - t0));
    }
  }
}

int Main(int pushes, int cutoff) {
  Figures f;
  AcrossHosts(pushes, cutoff, f);
  OneHost(pushes, f);
  std::printf("%d one-changeset pushes, 2 mirrors, 3 Kafka brokers, mirrors pull over SSH:\n",
              pushes);
  std::printf("  %-58s p50 %7.1f ms   p99 %7.1f ms\n",
              "across hosts: push start -> both mirror hosts have it", Pct(f.apart, 0.5),
              Pct(f.apart, 0.99));
  std::printf("  %-58s p50 %7.1f ms   p99 %7.1f ms\n",
              "one host (up --log kafka, --pull-over ssh), same measure", Pct(f.one_host, 0.5),
              Pct(f.one_host, 0.99));
  std::printf("  %-58s p50 %7.1f ms   p99 %7.1f ms\n",
              "across hosts: the push command (real SSH, front door)", Pct(f.apart_push, 0.5),
              Pct(f.apart_push, 0.99));
  std::printf("  %-58s p50 %7.1f ms   p99 %7.1f ms\n",
              "one host: the push command (hgcluster local-ssh)", Pct(f.one_host_push, 0.5),
              Pct(f.one_host_push, 0.99));
  std::printf("  %-58s p50 %7.1f ms   p99 %7.1f ms\n",
              "floor: plain ssh push + bare hg pull -r over ssh", Pct(f.floor, 0.5),
              Pct(f.floor, 0.99));
  std::printf("  across hosts / floor (p50): %.2f\n", Pct(f.apart, 0.5) / Pct(f.floor, 0.5));
  std::printf(
      "  mirror2 cut off %d s with %d pushes flowing: caught up %.1f s after its link "
      "came back\n",
      f.cutoff_s, f.cutoff_pushes, f.catch_up_s);
  return 0;
}

}  // namespace
}  // namespace hgc::bench

int main(int argc, char** argv) {
  CLI::App app{"hosts apart benchmark"};
  int pushes = 200, cutoff = 60;
  app.add_option("--pushes", pushes)->capture_default_str();
  app.add_option("--cutoff", cutoff, "seconds mirror2 is cut off")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    return hgc::bench::Main(pushes, cutoff);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hosts_apart_bench: %s\n", e.what());
    return 1;
  }
}
