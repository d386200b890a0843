// What the benchmarks that drive hg and `hgcluster web` share: running hg
// with a clean environment, failing loudly, and waiting for a port.
// Header-only: every bench/*.cc is its own executable.
// Thread-safety: plain functions.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/loopback_port.h"
#include "common/subprocess.h"
#include "web/hg_worker_pool.h"

namespace hgc::bench {

// A command (hg, wrk, ...) with no user hgrc, plain output and a fixed user.
inline ProcessResult Run(const std::vector<std::string>& argv) {
  ProcessOptions o;
  o.env_set = {{"HGRCPATH", ""}, {"HGPLAIN", "1"}, {"HGUSER", "bench <bench@example.com>"}};
  return RunProcess(argv, o);
}

// Exits the benchmark with what failed: a benchmark has no partial result.
inline void Check(const ProcessResult& r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s failed: %s%s\n", what, r.out.c_str(), r.err.c_str());
    std::exit(1);
  }
}

// Waits (bounded: 60 s) until something accepts connections on the port.
inline void WaitAccepting(int port) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!LoopbackPortAccepts(port)) {
    if (std::chrono::steady_clock::now() > deadline) {
      std::fprintf(stderr, "nothing listening on port %d after 60s\n", port);
      std::exit(1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// A scratch directory /tmp/hgcluster-NAME-XXXXXX holding an empty hg
// repository at DIR/repos/bench (the layout `hg serve --web-conf` and the
// web front expect). Returns {dir, repo}.
inline std::pair<std::string, std::string> ScratchBenchRepo(const std::string& name) {
  std::string tmpl = "/tmp/hgcluster-" + name + "-XXXXXX";
  std::string dir = mkdtemp(tmpl.data());
  std::string repo = dir + "/repos/bench";
  std::filesystem::create_directories(repo);
  Check(Run({"hg", "init", repo}), "hg init");
  return {dir, repo};
}

// One wrk run (`wrk -tT -cC -dSs --latency URL`): requests/s, the 50th and
// 99th percentile as wrk prints them, and its count of non-2xx/3xx answers.
struct WrkResult {
  double rps = 0;
  std::string p50, p99;
  std::string non2xx;
};

// wrk's summary: "Requests/sec: N", the --latency table "50% 1.2ms", and
// "Non-2xx or 3xx responses: N" when any failed.
inline WrkResult RunWrk(const std::string& url, int threads, int connections, int seconds) {
  auto r = RunProcess({"wrk", "-t", std::to_string(threads), "-c", std::to_string(connections),
                       "-d", std::to_string(seconds) + "s", "--latency", url});
  Check(r, "wrk");
  WrkResult w;
  std::smatch m;
  if (std::regex_search(r.out, m, std::regex(R"(Requests/sec:\s+([\d.]+))"))) {
    w.rps = std::stod(m[1]);
  }
  if (std::regex_search(r.out, m, std::regex(R"(\n\s+50%\s+(\S+))"))) w.p50 = m[1];
  if (std::regex_search(r.out, m, std::regex(R"(\n\s+99%\s+(\S+))"))) w.p99 = m[1];
  if (std::regex_search(r.out, m, std::regex(R"(Non-2xx or 3xx responses:\s+(\d+))"))) {
    w.non2xx = m[1];
  }
  return w;
}

inline double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace hgc::bench
