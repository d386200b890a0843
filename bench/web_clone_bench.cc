// Clone through the mirror web front vs directly from `hg serve`.
//
//   build/web_clone_bench [--changesets 5000] [--runs 10] [--workers 2]
//
// Builds a repository of N changesets (one new file each, `hg debugbuilddag`),
// serves it once by a bare `hg serve --web-conf` and once by `hgcluster web`
// (whose hg workers use the same hgweb.conf and serve.rc), and times
// `hg clone -U` from each, alternating, N runs each. Prints the p50 wall
// times and their ratio (front / direct). The peer is plain hg, as the style
// guide asks: the front must add little on top of what hg itself costs.
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

double CloneSeconds(const std::string& url, const std::string& dest) {
  fs::remove_all(dest);
  auto start = Clock::now();
  Check(Run({"hg", "clone", "-U", "-q", url, dest}), "hg clone");
  double s = std::chrono::duration<double>(Clock::now() - start).count();
  fs::remove_all(dest);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int changesets = 5000, runs = 10, workers = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--changesets")) changesets = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--workers")) workers = std::atoi(argv[i + 1]);
  }
  auto [dir, repo] = ScratchBenchRepo("web-bench");
  auto build_start = Clock::now();
  Check(Run({"hg", "-R", repo, "debugbuilddag", "--new-file", fmt::format("+{}", changesets)}),
        "hg debugbuilddag");
  std::printf("built %d changesets in %.1fs\n", changesets,
              std::chrono::duration<double>(Clock::now() - build_start).count());
  std::string self = hgc::SelfExecutable();
  std::string hgcluster = fs::path(self).parent_path() / "hgcluster";
  hgc::WriteFileAtomic(dir + "/hgweb.conf", "[paths]\n/ = " + dir + "/repos/**\n");
  // Same view as a mirror, without replicated-data: every changeset served.
  hgc::WriteFileAtomic(dir + "/serve.rc", "[experimental]\nhttppostargs = true\n");
  int direct_port = hgc::PickLoopbackPort();
  hgc::ProcessOptions serve_env;
  serve_env.env_set = {{"HGRCPATH", dir + "/serve.rc"}, {"HGPLAIN", "1"}};
  int direct = hgc::SpawnDaemon({"hg", "serve", "--web-conf", dir + "/hgweb.conf", "-a",
                                 "127.0.0.1", "-p", std::to_string(direct_port)},
                                dir + "/direct.log", serve_env);
  int front_port = hgc::PickLoopbackPort();
  hgc::WriteFileAtomic(
      dir + "/web.ini",
      fmt::format("[web]\nlisten = 127.0.0.1:{}\nrepos = {}/repos\nhgweb_conf = {}/hgweb.conf\n"
                  "hgrcpath = {}/serve.rc\nworkers = {}\nthreads = 16\n",
                  front_port, dir, dir, dir, workers));
  int front = hgc::SpawnDaemon({hgcluster, "web", dir + "/web.ini"}, dir + "/front.log");
  WaitAccepting(direct_port);
  WaitAccepting(front_port);
  std::string direct_url = fmt::format("http://127.0.0.1:{}/bench", direct_port);
  std::string front_url = fmt::format("http://127.0.0.1:{}/bench", front_port);
  // Warm both (hgweb loads the repo on first use; the front's workers start).
  auto warm_deadline = Clock::now() + std::chrono::seconds(60);
  while (!Run({"hg", "id", "-r", "tip", front_url}).ok() && Clock::now() < warm_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CloneSeconds(direct_url, dir + "/clone");
  CloneSeconds(front_url, dir + "/clone");
  std::vector<double> d, f;
  for (int i = 0; i < runs; ++i) {
    d.push_back(CloneSeconds(direct_url, dir + "/clone"));
    f.push_back(CloneSeconds(front_url, dir + "/clone"));
  }
  double pd = Median(d), pf = Median(f);
  std::printf("clone of %d changesets, %d runs each (hg clone -U)\n", changesets, runs);
  std::printf("  direct hg serve:      p50 %.3fs  (min %.3fs, max %.3fs)\n", pd,
              *std::min_element(d.begin(), d.end()), *std::max_element(d.begin(), d.end()));
  std::printf("  through hgcluster web: p50 %.3fs  (min %.3fs, max %.3fs)\n", pf,
              *std::min_element(f.begin(), f.end()), *std::max_element(f.begin(), f.end()));
  std::printf("  ratio front/direct:   %.3f\n", pf / pd);
  kill(direct, SIGTERM);
  kill(front, SIGTERM);
  waitpid(direct, nullptr, 0);
  waitpid(front, nullptr, 0);
  fs::remove_all(dir);
  return 0;
}
