// The web front with thousands of idle connections held open (issue 19).
//
//   build/web_idle_bench [--idle 10000] [--seconds 5] [--clones 5]
//                        [--pushes 1000] [--connections 16] [--hgcluster PATH]
//
// One repository (pushes × 5 changesets, `hg debugbuilddag`, and its
// pushlog) served by `hgcluster web` with 1 hg worker, twice: with the
// default limits (caps per client address and in total, head and header
// limits) and with the limits out of the way. For each: json-pushes under
// wrk (requests/s, p50, p99) and `hg clone -U` (median of --clones) with no
// idle connection, then the same with --idle connections held open (half
// sending nothing, half half a request head, spread over 127.0.0.2-11 so
// that no address passes its cap), and the front's resident memory per idle
// connection. `--hgcluster` runs another build's front (an older one, to
// compare; with `--idle 0` for a front that holds a thread per connection).
// Everything on loopback.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "../bench_support.h"
#include "../pushlog_fixture.h"
#include "hg/repo_state.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using hgc::bench::Check;
using hgc::bench::Run;
using SteadyClock = std::chrono::steady_clock;

double CloneSeconds(const std::string& url, const std::string& dest) {
  fs::remove_all(dest);
  auto start = SteadyClock::now();
  Check(Run({"hg", "clone", "-U", "-q", url, dest}), "hg clone");
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// `n` connections to the front from 127.0.0.2 onwards, 1,000 per address;
// every second one sends half a request head.
std::vector<int> OpenIdle(int port, int n) {
  std::vector<int> fds;
  for (int i = 0; i < n; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    from.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1 + static_cast<uint32_t>(i / 1000));
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(static_cast<uint16_t>(port));
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
        connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
      std::fprintf(stderr, "idle connection %d: %s\n", i, std::strerror(errno));
      std::exit(1);
    }
    if (i % 2 == 1) {
      std::string half = "GET /bench/json-pushes HTTP/1.1\r\nHost: x\r\nX-Slow: ";
      send(fd, half.data(), half.size(), MSG_NOSIGNAL);
    }
    fds.push_back(fd);
  }
  return fds;
}

}  // namespace

int main(int argc, char** argv) {
  int idle = 10000, seconds = 5, clones = 5, pushes = 1000, connections = 16;
  std::string hgcluster = fs::path(hgc::SelfExecutable()).parent_path() / "hgcluster";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--idle")) idle = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--clones")) clones = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--pushes")) pushes = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--connections")) connections = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--hgcluster")) hgcluster = argv[i + 1];
  }
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < static_cast<rlim_t>(idle + 1024)) {
    std::fprintf(stderr, "--idle %d needs %d open files; the hard limit is %lu\n", idle,
                 idle + 1024, static_cast<unsigned long>(rl.rlim_max));
    return 1;
  }
  auto [dir, repo] = hgc::bench::ScratchBenchRepo("web-idle-bench");
  Check(Run({"hg", "-R", repo, "debugbuilddag", fmt::format("+{}", pushes * 5)}),
        "hg debugbuilddag");
  hgc::bench::WritePushlog(repo, pushes, 5);
  hgc::WriteFileAtomic(dir + "/hgweb.conf", "[paths]\n/ = " + dir + "/repos/**\n");
  hgc::WriteFileAtomic(dir + "/serve.rc", "[experimental]\nhttppostargs = true\n");

  struct Config {
    const char* name;
    std::string keys;
  };
  // The head timeout is long in both: the idle connections must stay open
  // while the measurements run (by default they would be closed after 10 s).
  std::vector<Config> configs = {
      {"default limits", "request_head_timeout = 600\n"},
      {"limits out of the way",
       "request_head_timeout = 600\nmax_connections = 1000000\nmax_connections_per_client = 0\n"
       "max_headers = 100000\nmax_header_bytes = 100000000\nmax_body_bytes = 2000000000\n"
       "max_buffered_body_bytes = 1000000000000\n"},
  };
  std::printf("%d changesets, %d pushes; json-pushes: wrk -t2 -c%d %ds; clone: median of %d\n",
              pushes * 5, pushes, connections, seconds, clones);
  std::printf("| front | idle connections | json-pushes req/s | p50 | p99 | clone p50 | RSS |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (const auto& config : configs) {
    int port = hgc::PickLoopbackPort();
    hgc::WriteFileAtomic(
        dir + "/web.ini",
        fmt::format("[web]\nlisten = 127.0.0.1:{}\nrepos = {}/repos\nhgweb_conf = {}/hgweb.conf\n"
                    "hgrcpath = {}/serve.rc\nworkers = 1\nthreads = {}\n{}",
                    port, dir, dir, dir, connections + 8, config.keys));
    int front = hgc::SpawnDaemon({hgcluster, "web", dir + "/web.ini"}, dir + "/front.log");
    hgc::bench::WaitAccepting(port);
    std::string base = fmt::format("http://127.0.0.1:{}/bench", port);
    hgc::RunProcess({"wrk", "-t1", "-c1", "-d1s", base + "/json-pushes"});  // warm
    CloneSeconds(base, dir + "/clone");
    long rss_before = 0;
    for (int with_idle : {0, idle}) {
      if (with_idle == 0 && idle == 0 && rss_before > 0) break;
      std::vector<int> fds;
      if (with_idle > 0) fds = OpenIdle(port, with_idle);
      hgc::bench::WrkResult w = hgc::bench::RunWrk(base + "/json-pushes", 2, connections, seconds);
      std::vector<double> times;
      for (int c = 0; c < clones; ++c) times.push_back(CloneSeconds(base, dir + "/clone"));
      long rss = hgc::test::ResidentKb(front);
      if (with_idle == 0) rss_before = rss;
      std::string per = with_idle == 0
                            ? ""
                            : fmt::format(" (+{:.2f} KB per idle connection)",
                                          static_cast<double>(rss - rss_before) / with_idle);
      std::printf("| %s | %d | %.0f%s | %s | %s | %.3f s | %.1f MB%s |\n", config.name, with_idle,
                  w.rps, w.non2xx.empty() ? "" : (" (non-2xx: " + w.non2xx + ")").c_str(),
                  w.p50.c_str(), w.p99.c_str(), hgc::bench::Median(times), rss / 1024.0,
                  per.c_str());
      std::fflush(stdout);
      for (int fd : fds) close(fd);
    }
    kill(front, SIGTERM);
    waitpid(front, nullptr, 0);
  }
  fs::remove_all(dir);
  return 0;
}
