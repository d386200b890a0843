// What `hg replicateverify` costs per repository: the digest (hg/repo_digest.h)
// the leader computes and every mirror computes again when it applies the
// event, and the comparison. Against the hg commands that would give the
// same fields (heads, bookmarks, draft nodes, changeset count).
//
//   build/verify_bench [--changesets N] [--repo PATH] [--runs R]
//
// Setup (not timed): without --repo, a scratch repository of N changesets
// (default 50000, `hg debugbuilddag`), public but for its last 100
// changesets, one bookmark. Each digest run is timed; the median and the
// maximum are printed.
// Thread-safety: single-threaded.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_support.h"
#include "hg/repo_digest.h"

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  int changesets = 50000, runs = 20;
  std::string repo;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--changesets") changesets = std::atoi(argv[i + 1]);
    if (flag == "--repo") repo = argv[i + 1];
    if (flag == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
  }
  std::string scratch;
  if (repo.empty()) {
    auto [dir, r] = hgc::bench::ScratchBenchRepo("verify-bench");
    scratch = dir;
    repo = r;
    hgc::bench::Check(
        hgc::bench::Run({"hg", "-R", repo, "debugbuilddag", "+" + std::to_string(changesets)}),
        "hg debugbuilddag");
    hgc::bench::Check(hgc::bench::Run({"hg", "-R", repo, "phase", "--public", "-r", "all()"}),
                      "hg phase --public");
    hgc::bench::Check(hgc::bench::Run({"hg", "-R", repo, "phase", "--draft", "--force", "-r",
                                       "last(all(), 100)"}),
                      "hg phase --draft");
    hgc::bench::Check(hgc::bench::Run({"hg", "-R", repo, "bookmark", "-r", "tip", "feat"}),
                      "hg bookmark");
  }
  std::vector<double> digest_ms;
  nlohmann::json leader;
  for (int i = 0; i < runs; ++i) {
    auto t = Clock::now();
    leader = hgc::ComputeRepoDigest(repo, 1);
    digest_ms.push_back(Ms(Clock::now() - t));
  }
  auto t = Clock::now();
  auto diffs = hgc::CompareRepoDigests(leader, hgc::ComputeRepoDigest(repo, 1));
  double compare_ms = Ms(Clock::now() - t);
  t = Clock::now();
  hgc::bench::Check(hgc::bench::Run({"hg", "-R", repo, "log", "-r", "heads(all()) or draft() or "
                                     "bookmark()", "-T", "{node} {phase} {bookmarks}\\n"}),
                    "hg log");
  hgc::bench::Check(hgc::bench::Run({"hg", "-R", repo, "log", "-r", "tip", "-T", "{rev}\\n"}),
                    "hg log tip");
  double hg_ms = Ms(Clock::now() - t);
  std::sort(digest_ms.begin(), digest_ms.end());
  std::printf("repository: %s (%lld changesets, %zu heads, %lld drafts)\n", repo.c_str(),
              static_cast<long long>(leader["changesets"].get<int64_t>()), leader["heads"].size(),
              static_cast<long long>(leader["drafts"].get<int64_t>()));
  std::printf("digest: median %.1f ms, max %.1f ms over %d runs\n", digest_ms[digest_ms.size() / 2],
              digest_ms.back(), runs);
  std::printf("digest + compare (a mirror applying the event): %.1f ms, %zu differences\n",
              compare_ms, diffs.size());
  std::printf("the same fields from two hg processes: %.1f ms\n", hg_ms);
  if (!scratch.empty()) std::filesystem::remove_all(scratch);
  return diffs.empty() ? 0 : 1;
}
