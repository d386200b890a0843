// What the benchmarks that drive hg and `hgcluster web` share: running hg
// with a clean environment, failing loudly, and waiting for a port.
// Header-only: every bench/*.cc is its own executable.
// Thread-safety: plain functions.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <unistd.h>

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

inline double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace hgc::bench
