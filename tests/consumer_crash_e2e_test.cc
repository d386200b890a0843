// A mirror consumer killed with SIGKILL at every step of applying a
// changegroup (before the pull, inside hg's transaction, after the pull,
// after the apply but before the offset commit) is restarted by the
// supervisor and converges: nothing missing, nothing applied twice.
#include <gtest/gtest.h>

#include <filesystem>

#include "cluster_fixture.h"
#include "hg/repo_state.h"

namespace hgc::test {
namespace {

namespace fs = std::filesystem;

class ConsumerCrashTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ConsumerCrashTest, KilledConsumerConvergesAfterRestart) {
  ScratchDir flags;
  std::string flag = flags / "crash-armed";
  ClusterOptions o;
  o.mirrors = 2;
  o.env = {{"HGCLUSTER_CRASH_AT", GetParam() + ":" + flag}};
  Cluster c(o);
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("repo");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + client + " debugbuilddag '+5'").exit_code, 0);
  ASSERT_EQ(c.Push(client, "repo", "-r 2").exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  auto before = c.Status();
  int pid1 = before["mirrors"][0]["pid"], pid2 = before["mirrors"][1]["pid"];

  WriteFileAtomic(flag, "armed\n");
  ASSERT_EQ(c.Push(client, "repo").exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return !fs::exists(flag); })) << "the crash point was never reached";
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  // One of the two consumers died and was restarted by the supervisor.
  ASSERT_TRUE(WaitFor([&] {
    auto st = c.Status();
    return (st["mirrors"][0]["pid"] != pid1 || st["mirrors"][1]["pid"] != pid2) &&
           st["mirrors"][0]["running"] == true && st["mirrors"][1]["running"] == true;
  }));
  // The restarted consumer logs as it goes: wait for its lines (the mirrors
  // may converge before it has even started).
  std::string logs;
  auto logged = [&](const std::string& line) {
    return WaitFor([&] {
      logs = c.MirrorLog(1) + c.MirrorLog(2);
      return logs.find(line) != std::string::npos;
    });
  };
  EXPECT_TRUE(logged("starting consumer for topic=pushdata")) << logs;
  if (GetParam() == "after-apply") {
    EXPECT_TRUE(logged("already applied to"))
        << "the restarted consumer must skip the event it had applied:\n"
        << logs;
  }
  if (GetParam() == "during-pull") {
    auto jr = [&](int m) { return fs::exists(c.MirrorRepo(m, "repo") + "/.hg/store/journal"); };
    EXPECT_FALSE(jr(1) || jr(2)) << "abandoned transaction left behind";
  }
  // Both mirrors hold exactly the leader's changesets, each once.
  auto count = [&](const std::string& repo) {
    return Sh("hg -R " + repo + " log --hidden -T x", {{"HGRCPATH", ""}}).out;
  };
  EXPECT_EQ(count(c.LeaderRepo("repo")), "xxxxx");
  for (int m = 1; m <= 2; ++m) EXPECT_EQ(count(c.MirrorRepo(m, "repo")), "xxxxx");
  // And the log is fully consumed.
  ASSERT_TRUE(WaitFor([&] {
    auto st = c.Status();
    return st["mirrors"][0]["lag"]["messages"] == 0 && st["mirrors"][1]["lag"]["messages"] == 0;
  }));
}

INSTANTIATE_TEST_SUITE_P(Steps, ConsumerCrashTest,
                         ::testing::Values("before-pull", "during-pull", "after-pull",
                                           "after-apply"),
                         [](const auto& info) {
                           std::string n = info.param;
                           n.erase(std::remove(n.begin(), n.end(), '-'), n.end());
                           return n;
                         });

}  // namespace
}  // namespace hgc::test
