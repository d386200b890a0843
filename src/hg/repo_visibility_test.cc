// Hidden changesets, phases and predecessors computed natively against the
// real hg's `hidden()`, `{phase}` and `{predecessors}` on a repository with
// amends, prunes, an orphan, pins (bookmark, local tag, working directory
// parent with dirstate v1 and v2), secret, public, archived and internal
// changesets.
#include "hg/repo_visibility.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "hg/repo_state.h"
#include "test_support.h"

namespace hgc {
namespace {

using test::ScratchDir;
using test::Sh;

std::string MustSh(const std::string& cmd, const std::map<std::string, std::string>& env) {
  auto r = Sh(cmd, env);
  EXPECT_TRUE(r.ok()) << cmd << "\n" << r.out << r.err;
  return r.out;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

class RepoVisibilityTest : public testing::TestWithParam<bool> {};

TEST_P(RepoVisibilityTest, MatchesHgHiddenPhasesAndPredecessors) {
  bool dirstate_v2 = GetParam();
  ScratchDir dir;
  // Debian's hg has no Rust extensions: dirstate-v2 needs the slow path.
  std::ofstream(dir / "hgrc") << "[experimental]\nevolution = all\n"
                                 "[storage]\ndirstate-v2.slow-path = allow\n";
  std::map<std::string, std::string> env = {
      {"HGRCPATH", dir / "hgrc"}, {"HGPLAIN", "1"}, {"HGUSER", "test"}};
  std::string repo = dir / "repo";
  auto node = [&](const std::string& revset) {
    return MustSh("hg -R " + repo + " log --hidden -r '" + revset + "' -T '{node}'", env);
  };
  MustSh(
      "hg init --config format.exp-archived-phase=yes --config format.use-internal-phase=yes"
      " --config format.use-dirstate-v2=" +
          std::string(dirstate_v2 ? "yes" : "no") + " " + repo + " && cd " + repo +
          // 0 public; 1 amended into 3, but its child 2 (an orphan) keeps it visible.
          " && echo a > a && hg commit -qAm base && hg phase -p 0"
          " && echo b > b && hg commit -qAm b && echo c > c && hg commit -qAm c"
          " && hg up -q 1 && hg commit -q --amend -m b2"
          // 4 pruned (hidden) unless the working directory sits on it (below).
          " && hg up -q 0 && echo d > d && hg commit -qAm d && hg up -q 0"
          " && hg debugobsolete -q $(hg log -r 4 -T '{node}')"
          // 5 amended into 6, pinned by a bookmark.
          " && echo e > e && hg commit -qAm e && hg commit -q --amend -m e2"
          " && hg bookmark -q --hidden -r 5 keep"
          // 7 -> 8 -> 9 amended twice; 8 pinned by a local tag, 7 stays hidden.
          " && echo f > f && hg commit -qAm f && hg commit -q --amend -m f2"
          " && hg commit -q --amend -m f3 && hg tag -q --local --hidden -r 8 lt"
          // 10 secret and amended into 11 (hidden); 12 public yet obsolete (visible).
          " && hg up -q 0 && echo g > g && hg commit -qAm g && hg phase -q -s -f ."
          " && hg commit -q --amend -m g2"
          " && hg up -q 0 && echo h > h && hg commit -qAm h && hg phase -p ."
          " && hg debugobsolete -q $(hg log -r . -T '{node}')"
          // 13 archived by an amend without markers; 15 internal (a shelve).
          " && hg up -q 0 && echo i > i && hg commit -qAm i"
          " && hg commit -q --amend -m i2 --config experimental.evolution=none"
          " --config experimental.cleanup-as-archived=yes"
          " && echo s > s && hg add s && hg shelve -q",
      env);
  // A fold: 6 and 11 both rewritten into 9; a precursor unknown here.
  MustSh("cd " + repo + " && hg debugobsolete -q " + node("6") + " " + node("9") +
             " && hg debugobsolete -q " + node("11") + " " + node("9") +
             " && hg debugobsolete -q " + std::string(40, 'a') + " " + node("3") +
             " && hg up -q --hidden 4",
         env);
  ASSERT_EQ(ReadFileOrEmpty(repo + "/.hg/dirstate").rfind("dirstate-v2\n", 0) == 0, dirstate_v2);

  ChangelogIndex index = ChangelogIndex::Load(repo);
  RepoVisibility vis = RepoVisibility::Load(repo, index);
  std::string hidden;
  for (int r : vis.hidden_revs()) hidden += std::to_string(r) + "\n";
  std::string hg_hidden =
      MustSh("hg -R " + repo + " log --hidden -r 'hidden()' -T '{rev}\\n'", env);
  EXPECT_EQ(hidden, hg_hidden);
  EXPECT_NE(hg_hidden.find("7\n"), std::string::npos);
  EXPECT_FALSE(vis.IsHidden(1));  // orphan's parent
  EXPECT_TRUE(vis.IsObsolete(1));
  EXPECT_FALSE(vis.IsHidden(4));     // working directory parent
  EXPECT_FALSE(vis.IsHidden(5));     // bookmark
  EXPECT_FALSE(vis.IsHidden(8));     // local tag
  EXPECT_FALSE(vis.IsObsolete(12));  // public

  std::istringstream hg_log(MustSh("hg -R " + repo +
                                       " log --hidden -r 'all()' -T '{rev} {phase} "
                                       "{join(predecessors % \"{node}\", \" \")}\\n'",
                                   env));
  const std::map<std::string, int> kPhases = {
      {"public", 0}, {"draft", 1}, {"secret", 2}, {"archived", 32}, {"internal", 96}};
  std::string line;
  int rev = 0;
  while (std::getline(hg_log, line)) {
    std::istringstream fields(line);
    std::string r, phase, pred;
    fields >> r >> phase;
    std::vector<std::string> hg_preds;
    while (fields >> pred) hg_preds.push_back(pred);
    ASSERT_EQ(std::stoi(r), rev);
    EXPECT_EQ(vis.phase(rev), kPhases.at(phase)) << rev;
    // hg lists the closest predecessors present in the repository.
    std::vector<std::string> native;
    for (const auto& p : vis.Predecessors(index.NodeHex(rev))) {
      if (index.RevOf(p)) native.push_back(p);
    }
    std::sort(hg_preds.begin(), hg_preds.end());
    std::sort(native.begin(), native.end());
    EXPECT_EQ(Join(native), Join(hg_preds)) << rev;
    ++rev;
  }
  EXPECT_EQ(rev, index.size());
  EXPECT_EQ(vis.phase(13), kPhaseArchived);
  EXPECT_EQ(vis.phase(15), kPhaseInternal);
  EXPECT_EQ(vis.Predecessors(node("9")).size(), 3u);  // 8, 6, 11
  EXPECT_EQ(vis.Predecessors(node("3")).back(), std::string(40, 'a'));
}

INSTANTIATE_TEST_SUITE_P(DirstateV2, RepoVisibilityTest, testing::Bool());

TEST(RepoVisibility, ConflictedGraftPinsItsHiddenSource) {
  ScratchDir dir;
  std::ofstream(dir / "hgrc") << "[experimental]\nevolution = all\n";
  std::map<std::string, std::string> env = {
      {"HGRCPATH", dir / "hgrc"}, {"HGPLAIN", "1"}, {"HGUSER", "test"}};
  std::string repo = dir / "repo";
  MustSh("hg init " + repo + " && cd " + repo +
             " && echo a > a && hg commit -qAm base && echo b > a && hg commit -qm b"
             " && hg commit -q --amend -m b2 && hg up -q 0 && echo c > a && hg commit -qm c",
         env);
  auto hidden = [&] {
    ChangelogIndex index = ChangelogIndex::Load(repo);
    std::string out;
    RepoVisibility vis = RepoVisibility::Load(repo, index);
    for (int r : vis.hidden_revs()) out += std::to_string(r) + "\n";
    return out;
  };
  std::string hg_hidden = "hg -R " + repo + " log --hidden -r 'hidden()' -T '{rev}\\n'";
  EXPECT_EQ(hidden(), "1\n");
  EXPECT_EQ(hidden(), MustSh(hg_hidden, env));
  EXPECT_FALSE(Sh("cd " + repo + " && hg graft -q --hidden -r 1", env).ok());  // conflict
  EXPECT_EQ(hidden(), "");  // the graft's source is pinned while a is unresolved
  EXPECT_EQ(hidden(), MustSh(hg_hidden, env));
  MustSh("cd " + repo + " && hg resolve -q --mark a", env);
  EXPECT_EQ(hidden(), "1\n");
  EXPECT_EQ(hidden(), MustSh(hg_hidden, env));
}

TEST(RepoVisibility, RepositoryWithoutMarkersHidesNothing) {
  ScratchDir dir;
  std::string repo = dir / "repo";
  MustSh("hg init " + repo + " && cd " + repo + " && echo a > a && hg commit -qAm a",
         {{"HGRCPATH", ""}, {"HGUSER", "test"}});
  ChangelogIndex index = ChangelogIndex::Load(repo);
  RepoVisibility vis = RepoVisibility::Load(repo, index);
  EXPECT_TRUE(vis.hidden_revs().empty());
  EXPECT_EQ(vis.phase(0), kPhaseDraft);
  EXPECT_TRUE(vis.Predecessors(index.NodeHex(0)).empty());
}

}  // namespace
}  // namespace hgc
