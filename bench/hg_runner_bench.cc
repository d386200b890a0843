// HgRunner benchmark: per-command time of one hg process per command
// (ProcessHgRunner) vs reused command servers (CmdServerHgRunner), for the
// mirror consumer's two hot commands.
//
//   build/hg_runner_bench [--runs N] [--hg PATH] [--dir DIR]
//
// Setup (not timed): a source repo with 50 changesets (debugbuilddag) and a
// mirror that already pulled all of it, in a scratch dir (HGRCPATH empty).
// Timed, N runs each (default 50), mean and median in ms:
//   log   `hg -R mirror log -r tip -T {node}`
//   pull  `hg -R mirror pull -r TIP -- SOURCE` (a no-op pull: "no changes found")
// The cmdserver runner is warmed with one call first (the server start, ~one
// process start, is reported on its own line).
// Thread-safety: single-threaded.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "common/error.h"
#include "hg/cmdserver.h"
#include "hg/hg_runner.h"

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void Check(const hgc::ProcessResult& r, const char* what) {
  if (r.ok()) return;
  std::fprintf(stderr, "%s failed (%d): %s%s\n", what, r.exit_code, r.out.c_str(), r.err.c_str());
  std::exit(1);
}

void Report(const char* runner, const char* cmd, std::vector<double> ms) {
  double sum = 0;
  for (double m : ms) sum += m;
  std::sort(ms.begin(), ms.end());
  std::printf("%-10s %-5s mean %8.2f ms  median %8.2f ms  min %8.2f ms  (n=%zu)\n", runner, cmd,
              sum / static_cast<double>(ms.size()), ms[ms.size() / 2], ms.front(), ms.size());
}

std::vector<double> Time(hgc::HgRunner& hg, const std::string& repo,
                         const std::vector<std::string>& args, int runs) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    auto r = hg.Run(repo, args);
    ms.push_back(Ms(Clock::now() - t0));
    Check(r, args[0].c_str());
  }
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 50;
  std::string hg = "hg";
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--runs") runs = std::atoi(argv[i + 1]);
    if (flag == "--hg") hg = argv[i + 1];
    if (flag == "--dir") dir = argv[i + 1];
  }
  if (runs < 1) runs = 1;
  bool own_dir = dir.empty();
  if (own_dir) {
    char tmpl[] = "/tmp/hg-runner-bench-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  try {
    std::string src = dir + "/src", mirror = dir + "/mirror";
    auto process = hgc::MakeProcessHgRunner(hg, "");
    Check(process->Run("", {"init", "--", src}), "init");
    Check(process->Run(src, {"debugbuilddag", "+50"}), "debugbuilddag");
    Check(process->Run("", {"init", "--", mirror}), "init");
    Check(process->Run(mirror, {"pull", "--", src}), "pull");
    std::string tip = process->Run(src, {"log", "-r", "tip", "-T", "{node}"}).out;

    std::vector<std::string> log{"log", "-r", "tip", "-T", "{node}"};
    std::vector<std::string> pull{"pull", "-r", tip, "--", src};
    hgc::CmdServerHgRunner fast(hg, "", {});
    auto t0 = Clock::now();
    Check(fast.Run(mirror, log), "warm-up");
    std::printf("cmdserver  start + first log: %.2f ms\n", Ms(Clock::now() - t0));

    Report("process", "log", Time(*process, mirror, log, runs));
    Report("cmdserver", "log", Time(fast, mirror, log, runs));
    Report("process", "pull", Time(*process, mirror, pull, runs));
    Report("cmdserver", "pull", Time(fast, mirror, pull, runs));
    auto s = fast.stats();
    std::printf("cmdserver  servers started %llu, server commands %llu, process fallbacks %llu\n",
                static_cast<unsigned long long>(s.servers_started),
                static_cast<unsigned long long>(s.server_commands),
                static_cast<unsigned long long>(s.process_commands));
  } catch (const hgc::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  if (own_dir) std::filesystem::remove_all(dir);
  return 0;
}
