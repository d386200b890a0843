// Clone from a mirror web front with and without clone bundles.
//
//   build/clone_bundle_bench [--changesets 20000] [--runs 3]
//
// Builds a repository of N changesets (`hg debugbuilddag --new-file`), makes
// its bundles with `hgcluster bundles generate --no-upload` (a [bundles]
// config, no replication), serves it by `hgcluster web` (2 hg workers with
// hg's clonebundles extension, bundle directory under /bundles/), and times
// `hg clone -U` three ways, alternating: bundles off on the client (plain
// hg: the peer), the default pick (zstd bundle), and the stream bundle
// (`ui.clonebundleprefers=COMPRESSION=none`). Mirror CPU = utime+stime of
// the front and its hg workers (/proc/PID/stat) before and after each clone.
#include <dirent.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "common/loopback_port.h"
#include "common/subprocess.h"
#include "hg/repo_state.h"
#include "web/hg_worker_pool.h"

namespace {

using hgc::bench::Check;
using hgc::bench::Median;
using hgc::bench::Run;
using hgc::bench::ScratchBenchRepo;
using hgc::bench::WaitAccepting;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// utime + stime of one process, in seconds.
double CpuOf(int pid) {
  std::string stat = hgc::ReadFileOrEmpty(fmt::format("/proc/{}/stat", pid));
  auto paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream in(stat.substr(paren + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The front and every live child of it (its hg workers).
double MirrorCpu(int front) {
  double total = CpuOf(front);
  DIR* dir = opendir("/proc");
  while (dirent* e = readdir(dir)) {
    int pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    std::string stat = hgc::ReadFileOrEmpty(fmt::format("/proc/{}/stat", pid));
    auto paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream in(stat.substr(paren + 2));
    std::string state;
    int ppid = 0;
    in >> state >> ppid;
    if (ppid == front) total += CpuOf(pid);
  }
  closedir(dir);
  return total;
}

struct Sample {
  double wall = 0, cpu = 0;
};

Sample Clone(int front, const std::vector<std::string>& extra, const std::string& url,
             const std::string& dest, const char* expect) {
  fs::remove_all(dest);
  std::vector<std::string> argv{"hg", "clone", "-U"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(url);
  argv.push_back(dest);
  double cpu0 = MirrorCpu(front);
  auto start = Clock::now();
  hgc::ProcessResult r = Run(argv);
  Sample s{std::chrono::duration<double>(Clock::now() - start).count(), 0};
  Check(r, "hg clone");
  // Workers finish their accounting with the response; give /proc a moment.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  s.cpu = MirrorCpu(front) - cpu0;
  bool bundled = r.out.find("applying clone bundle") != std::string::npos;
  if ((expect == nullptr) == bundled || (expect && r.out.find(expect) == std::string::npos)) {
    std::fprintf(stderr, "unexpected clone output (wanted %s):\n%s\n",
                 expect ? expect : "no bundle", r.out.c_str());
    std::exit(1);
  }
  fs::remove_all(dest);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int changesets = 20000, runs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--changesets")) changesets = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
  }
  auto [dir, repo] = ScratchBenchRepo("bundle-bench");
  auto t0 = Clock::now();
  Check(Run({"hg", "-R", repo, "debugbuilddag", "--new-file", fmt::format("+{}", changesets)}),
        "hg debugbuilddag");
  Check(Run({"hg", "-R", repo, "phase", "-p", "-f", "tip"}), "hg phase");
  std::printf("built %d changesets in %.1fs\n", changesets,
              std::chrono::duration<double>(Clock::now() - t0).count());
  std::string hgcluster = fs::path(hgc::SelfExecutable()).parent_path() / "hgcluster";
  int front_port = hgc::PickLoopbackPort();
  std::string base = fmt::format("http://127.0.0.1:{}/bundles", front_port);
  hgc::WriteFileAtomic(dir + "/bundles.ini",
                       fmt::format("[bundles]\nrepos = {0}/repos\nbundle_dir = {0}/bundles\n"
                                   "base_url = {1}\n",
                                   dir, base));
  t0 = Clock::now();
  Check(Run({hgcluster, "bundles", "generate", "--config", dir + "/bundles.ini", "--no-upload",
             "bench"}),
        "hgcluster bundles generate");
  std::printf("generated bundles in %.1fs:",
              std::chrono::duration<double>(Clock::now() - t0).count());
  for (const auto& e : fs::directory_iterator(dir + "/bundles/bench")) {
    std::printf(" %s %.1f MB;", e.path().filename().string().substr(41).c_str(),
                static_cast<double>(e.file_size()) / 1e6);
  }
  std::printf("\n");
  hgc::WriteFileAtomic(dir + "/hgweb.conf", "[paths]\n/ = " + dir + "/repos/**\n");
  hgc::WriteFileAtomic(dir + "/serve.rc",
                       "[extensions]\nclonebundles =\n[experimental]\nhttppostargs = true\n");
  hgc::WriteFileAtomic(
      dir + "/web.ini",
      fmt::format("[web]\nlisten = 127.0.0.1:{0}\nrepos = {1}/repos\nhgweb_conf = {1}/hgweb.conf\n"
                  "hgrcpath = {1}/serve.rc\nworkers = 2\nthreads = 16\n"
                  "bundles_dir = {1}/bundles\n",
                  front_port, dir));
  int front = hgc::SpawnDaemon({hgcluster, "web", dir + "/web.ini"}, dir + "/front.log");
  std::string url = fmt::format("http://127.0.0.1:{}/bench", front_port);
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (!Run({"hg", "id", "-r", "tip", url}).ok() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::vector<std::string> none{"--config", "ui.clonebundles=false"};
  const std::vector<std::string> zstd{};
  const std::vector<std::string> stream{"--config", "ui.clonebundleprefers=COMPRESSION=none"};
  std::vector<Sample> a, b, c;
  for (int i = 0; i < runs; ++i) {
    a.push_back(Clone(front, none, url, dir + "/clone", nullptr));
    b.push_back(Clone(front, zstd, url, dir + "/clone", ".zstd.hg"));
    c.push_back(Clone(front, stream, url, dir + "/clone", ".stream-v2.hg"));
  }
  std::printf("clone -U of %d changesets from hgcluster web, %d runs each (median)\n", changesets,
              runs);
  for (auto [name, v] :
       {std::pair{"no clone bundle (full getbundle)", &a},
        std::pair{"zstd bundle (default pick)", &b}, std::pair{"stream-v2 bundle", &c}}) {
    std::vector<double> wall, cpu;
    for (const auto& s : *v) {
      wall.push_back(s.wall);
      cpu.push_back(s.cpu);
    }
    std::printf("  %-34s wall %.2fs  mirror CPU %.2fs\n", name, Median(wall), Median(cpu));
  }
  kill(front, SIGTERM);
  waitpid(front, nullptr, 0);
  fs::remove_all(dir);
  return 0;
}
