// json-pushes from the mirror web front under load, measured with wrk.
//
//   build/pushlog_web_bench [--pushes 10000] [--per-push 5] [--seconds 10]
//                           [--connections 4,16] [--threads 2]
//
// Builds a repository of pushes × per-push changesets (`hg debugbuilddag`)
// and a pushlog of `pushes` pushes from three users, serves it with
// `hgcluster web` (native pushlog, no Python), and runs wrk against
//   1. json-pushes                 (the last 10 pushes: the default query)
//   2. json-pushes?startID=N-10    (what CI pollers ask: pushes since N)
//   3. json-pushes?startID=N-10&full=1
//   4. json-automationrelevance/TIP (native: the tip's push, 5 changesets)
//   5. json-rev/TIP with hg.mozilla.org's push fields (an hg worker with
//      hgext/hgclusterweb.py)
// printing requests/s and latency percentiles. As peers, the same wrk run
// against stock `hg serve`'s json-shortlog (the closest query stock hgweb
// answers: 10 changesets as JSON, Python per request) and json-rev/TIP
// (without push fields); the reference's Python pushlog under `hg serve`
// answers the last-10 query at about 90 requests/s on this machine
// (issue 4).
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "cluster/hgext_source.h"
#include "common/loopback_port.h"
#include "common/subprocess.h"
#include "hg/repo_state.h"
#include "hg/revlog_index.h"
#include "pushlog/pushlog_db.h"
#include "pushlog_fixture.h"
#include "web/hg_worker_pool.h"

namespace {

using hgc::bench::Check;
using hgc::bench::Run;
using hgc::bench::RunWrk;
using hgc::bench::ScratchBenchRepo;
using hgc::bench::WaitAccepting;
using hgc::bench::WrkResult;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

void Report(const char* what, const WrkResult& w) {
  std::printf("  %-52s %9.0f req/s   p50 %-9s p99 %-9s%s\n", what, w.rps, w.p50.c_str(),
              w.p99.c_str(), w.non2xx.empty() ? "" : (" NON-2xx: " + w.non2xx).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  int pushes = 10000, per_push = 5, seconds = 10, threads = 2;
  std::vector<int> connection_counts{4, 16};
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--pushes")) pushes = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--per-push")) per_push = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--connections")) {
      connection_counts.clear();
      std::string list = argv[i + 1];
      for (size_t pos = 0; pos <= list.size();) {
        size_t comma = std::min(list.find(',', pos), list.size());
        connection_counts.push_back(std::atoi(list.substr(pos, comma - pos).c_str()));
        pos = comma + 1;
      }
    }
    if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
  }
  auto [dir, repo] = ScratchBenchRepo("pushlog-bench");
  auto build_start = Clock::now();
  int changesets = pushes * per_push;
  // Changesets without files: --new-file makes every manifest larger and the
  // build quadratic; the pushlog queries do not depend on the files.
  Check(Run({"hg", "-R", repo, "debugbuilddag", fmt::format("+{}", changesets)}),
        "hg debugbuilddag");
  hgc::bench::WritePushlog(repo, pushes, per_push);
  std::string tip = hgc::ChangelogIndex::Load(repo).NodeHex(changesets - 1);
  std::printf("built %d changesets and %d pushes in %.1fs\n", changesets, pushes,
              std::chrono::duration<double>(Clock::now() - build_start).count());

  std::string hgcluster = fs::path(hgc::SelfExecutable()).parent_path() / "hgcluster";
  hgc::WriteFileAtomic(dir + "/hgweb.conf", "[paths]\n/ = " + dir + "/repos/**\n");
  hgc::WriteFileAtomic(dir + "/hgclusterweb.py", hgc::WebExtensionSource());
  hgc::WriteFileAtomic(dir + "/serve.rc",
                       "[experimental]\nhttppostargs = true\n[extensions]\n"
                       "hgclusterweb = " +
                           dir + "/hgclusterweb.py\n");
  hgc::WriteFileAtomic(dir + "/stock.rc", "[experimental]\nhttppostargs = true\n");
  int front_port = hgc::PickLoopbackPort();
  hgc::WriteFileAtomic(
      dir + "/web.ini",
      fmt::format("[web]\nlisten = 127.0.0.1:{}\nrepos = {}/repos\nhgweb_conf = {}/hgweb.conf\n"
                  "hgrcpath = {}/serve.rc\nworkers = 1\nthreads = {}\n",
                  front_port, dir, dir, dir,
                  4 + *std::max_element(connection_counts.begin(), connection_counts.end())));
  int front = hgc::SpawnDaemon({hgcluster, "web", dir + "/web.ini"}, dir + "/front.log");
  int direct_port = hgc::PickLoopbackPort();
  hgc::ProcessOptions serve_env;
  serve_env.env_set = {{"HGRCPATH", dir + "/stock.rc"}, {"HGPLAIN", "1"}};
  int direct = hgc::SpawnDaemon({"hg", "serve", "--web-conf", dir + "/hgweb.conf", "-a",
                                 "127.0.0.1", "-p", std::to_string(direct_port)},
                                dir + "/direct.log", serve_env);
  WaitAccepting(front_port);
  WaitAccepting(direct_port);
  std::string base = fmt::format("http://127.0.0.1:{}/bench/", front_port);
  // Warm: the first request loads the changelog index into the front's cache.
  hgc::RunProcess({"wrk", "-t1", "-c1", "-d1s", base + "json-pushes"});

  for (int connections : connection_counts) {
    std::printf("hgcluster web, %d connections, %d wrk threads, %ds each:\n", connections, threads,
                seconds);
    Report("json-pushes (last 10 pushes)",
           RunWrk(base + "json-pushes", threads, connections, seconds));
    Report(fmt::format("json-pushes?startID={}", pushes - 10).c_str(),
           RunWrk(fmt::format("{}json-pushes?startID={}", base, pushes - 10), threads, connections,
                  seconds));
    Report(fmt::format("json-pushes?startID={}&full=1", pushes - 10).c_str(),
           RunWrk(fmt::format("{}json-pushes?startID={}&full=1", base, pushes - 10), threads,
                  connections, seconds));
    Report("json-automationrelevance/TIP",
           RunWrk(base + "json-automationrelevance/" + tip, threads, connections, seconds));
    Report("json-rev/TIP (push fields)",
           RunWrk(base + "json-rev/" + tip, threads, connections, seconds));
  }
  std::printf("peer: hg serve (Python hgweb per request):\n");
  std::string direct_url =
      fmt::format("http://127.0.0.1:{}/bench/json-shortlog?revcount=10", direct_port);
  hgc::RunProcess({"wrk", "-t1", "-c1", "-d1s", direct_url});
  Report("hg serve json-shortlog (10 changesets)",
         RunWrk(direct_url, threads, connection_counts.back(), seconds));
  Report("hg serve json-rev/TIP (stock, no push fields)",
         RunWrk(fmt::format("http://127.0.0.1:{}/bench/json-rev/{}", direct_port, tip), threads,
                connection_counts.back(), seconds));

  kill(front, SIGTERM);
  kill(direct, SIGTERM);
  waitpid(front, nullptr, 0);
  waitpid(direct, nullptr, 0);
  fs::remove_all(dir);
  return 0;
}
