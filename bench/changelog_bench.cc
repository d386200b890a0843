// Changelog reader benchmark: every changeset's text parsed natively
// (ChangelogIndex + ParseChangeset) and the hidden set computed
// (RepoVisibility), against one `hg log --hidden` printing the same fields.
//
//   build/changelog_bench [--changesets N] [--repo PATH] [--hg PATH]
//
// Setup (not timed): without --repo, a scratch repo of N changesets
// (default 20000, `hg debugbuilddag`, zstd, split changelog).
// Timed once each: native load, all texts, all RevOf lookups, hidden set;
// then the hg process.
// Thread-safety: single-threaded.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/error.h"
#include "common/subprocess.h"
#include "hg/changeset.h"
#include "hg/repo_visibility.h"
#include "hg/revlog_index.h"

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

hgc::ProcessResult Hg(const std::string& hg, const std::vector<std::string>& args) {
  std::vector<std::string> argv{hg};
  argv.insert(argv.end(), args.begin(), args.end());
  hgc::ProcessOptions o;
  o.env_set = {{"HGRCPATH", ""}, {"HGPLAIN", "1"}, {"HGUSER", "bench"}};
  auto r = hgc::RunProcess(argv, o);
  if (!r.ok()) {
    std::fprintf(stderr, "hg %s failed: %s%s\n", args[0].c_str(), r.out.c_str(), r.err.c_str());
    std::exit(1);
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int changesets = 20000;
  std::string repo, hg = "hg";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--changesets") changesets = std::atoi(argv[i + 1]);
    if (flag == "--repo") repo = argv[i + 1];
    if (flag == "--hg") hg = argv[i + 1];
  }
  std::string scratch;
  if (repo.empty()) {
    char tmpl[] = "/tmp/changelog-bench-XXXXXX";
    scratch = mkdtemp(tmpl);
    repo = scratch + "/repo";
    Hg(hg, {"init", "--", repo});
    Hg(hg, {"-R", repo, "debugbuilddag", "+" + std::to_string(changesets)});
  }
  try {
    auto t0 = Clock::now();
    hgc::ChangelogIndex index = hgc::ChangelogIndex::Load(repo);
    auto t1 = Clock::now();
    size_t bytes = 0;
    for (int r = 0; r < index.size(); ++r) {
      hgc::Changeset cs = hgc::ParseChangeset(index.RevisionText(r));
      bytes += cs.description.size() + cs.user.size();
    }
    auto t2 = Clock::now();
    int found = 0;
    for (int r = 0; r < index.size(); ++r) found += index.RevOf(index.NodeHex(r)) == r;
    auto t3 = Clock::now();
    hgc::RepoVisibility vis = hgc::RepoVisibility::Load(repo, index);
    auto t4 = Clock::now();
    Hg(hg, {"-R", repo, "log", "--hidden", "-T",
            "{node}{author}{date|hgdate}{branch}{files}{desc}{extras}\n"});
    auto t5 = Clock::now();
    std::printf("%d changesets (%s)\n", index.size(), index.is_inline() ? "inline" : "split");
    std::printf("native load          %9.2f ms\n", Ms(t1 - t0));
    std::printf("native texts+parse   %9.2f ms  (%.2f us each)\n", Ms(t2 - t1),
                Ms(t2 - t1) * 1000 / std::max(1, index.size()));
    std::printf("native RevOf         %9.2f ms  (%d found)\n", Ms(t3 - t2), found);
    std::printf("native hidden set    %9.2f ms  (%zu hidden)\n", Ms(t4 - t3),
                vis.hidden_revs().size());
    std::printf("hg log --hidden      %9.2f ms\n", Ms(t5 - t4));
    (void)bytes;
  } catch (const hgc::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  if (!scratch.empty()) std::filesystem::remove_all(scratch);
  return 0;
}
