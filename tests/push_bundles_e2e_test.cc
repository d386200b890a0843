// Replication without the leader (message/push_bundle.h): pushes logged
// while every mirror's consumer is stopped, then the leader's repositories
// gone and its producer agent SIGKILLed. Resumed, both mirrors apply every
// push from the bundles in the log — changesets, phases, the pushed bookmark
// — and serve them over HTTP, without a single pull from the leader.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>

#include "cluster_fixture.h"
#include "hg/repo_state.h"
#include "hg/revlog_index.h"

namespace hgc::test {
namespace {

using namespace std::chrono_literals;

int Pid(Cluster& c, const std::string& pointer) {
  try {
    return c.Status().value(nlohmann::json::json_pointer(pointer), 0);
  } catch (const std::exception&) {
    return 0;
  }
}

// SIGSTOPs both mirrors' consumers once each has committed everything it
// applied: a consumer frozen inside its offset commit would hold the
// embedded log's write lock, and the next push would wait for it.
void StopConsumersIdle(Cluster& c, const int (&pids)[2]) {
  for (int m = 1; m <= 2; ++m) {
    ProcessResult r =
        Hgcluster({"consume", c.root() + "/mirrors/mirror" + std::to_string(m) + "/consumer.ini",
                   "--wait-for-no-lag", "--timeout", "60"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  for (int pid : pids) ASSERT_EQ(kill(pid, SIGSTOP), 0);
}

TEST(PushBundlesE2E, MirrorsApplyPushesFromTheLogWhenTheLeaderIsGone) {
  Cluster c;
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("repo");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + client + " debugbuilddag '+4'").exit_code, 0);
  ChangelogIndex nodes = ChangelogIndex::Load(client);
  ASSERT_EQ(c.Push(client, "repo", "-r 0").exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");

  int consumers[2] = {Pid(c, "/mirrors/0/pid"), Pid(c, "/mirrors/1/pid")};
  ASSERT_NO_FATAL_FAILURE(StopConsumersIdle(c, consumers));
  for (int rev : {1, 2}) {
    ASSERT_EQ(c.Push(client, "repo", "-r " + std::to_string(rev)).exit_code, 0);
  }
  ASSERT_EQ(c.Hg("-R " + client + " bookmark -r 3 feat").exit_code, 0);
  ASSERT_EQ(c.Push(client, "repo", "-r 3 -B feat").exit_code, 0);

  // The leader host is gone: its repositories unreachable, its agent killed.
  std::string repos = c.root() + "/leader/repos", away = c.root() + "/leader/repos.gone";
  std::filesystem::rename(repos, away);
  int agent = Pid(c, "/leader/hosts/0/agent_pid");
  ASSERT_GT(agent, 0);
  kill(agent, SIGKILL);
  for (int pid : consumers) ASSERT_EQ(kill(pid, SIGCONT), 0);

  std::string last = nodes.NodeHex(3);
  for (int m = 1; m <= 2; ++m) {
    int port = c.Status()["mirrors"][m - 1]["http_port"].get<int>();
    std::string url = "http://127.0.0.1:" + std::to_string(port) + "/repo";
    EXPECT_TRUE(
        WaitFor([&] { return c.Hg("identify -r " + last + " " + url).exit_code == 0; }, 60s))
        << "mirror " << m << " does not serve the last push\n"
        << c.MirrorLog(m);
    std::string mirror = c.MirrorRepo(m, "repo");
    EXPECT_EQ(ReadBookmarks(mirror).at("feat"), last) << "mirror " << m;
    auto phases = c.Hg("-R " + mirror + " log -T '{phase}\\n' -r 'draft()'");
    EXPECT_EQ(phases.out, "") << "mirror " << m << ": pushed changesets are public";
    std::string log = c.MirrorLog(m);
    size_t bundled = 0;
    for (size_t at = 0; (at = log.find("from the event's bundle", at)) != std::string::npos; ++at) {
      ++bundled;
    }
    EXPECT_GE(bundled, 3u) << log;
    EXPECT_EQ(log.find("pulling"), std::string::npos) << "a pull from the leader: " << log;
  }

  // The leader back: everything matches it.
  std::filesystem::rename(away, repos);
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
}

// Bundles too big for their event travel through the bundle store (here
// every bundle: pushbundleinlinemax = 1): applied from it with the leader
// gone; a bundle missing from the store is pulled, once the leader is back.
TEST(PushBundlesE2E, BundlesTooBigForTheirEventComeFromTheStore) {
  Cluster c;
  ScratchDir work;
  std::string client = work / "client";
  std::string hgrc = c.root() + "/leader/hgrc";
  std::string text = ReadFileOrEmpty(hgrc);
  auto at = text.find("pushbundles = true\n");
  ASSERT_NE(at, std::string::npos) << text;
  text.insert(at, "pushbundleinlinemax = 1\n");
  WriteFileAtomic(hgrc, text);
  c.CreateRepo("repo");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + client + " debugbuilddag '+3'").exit_code, 0);
  ChangelogIndex nodes = ChangelogIndex::Load(client);
  ASSERT_EQ(c.Push(client, "repo", "-r 0").exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");

  int consumers[2] = {Pid(c, "/mirrors/0/pid"), Pid(c, "/mirrors/1/pid")};
  ASSERT_NO_FATAL_FAILURE(StopConsumersIdle(c, consumers));
  ASSERT_EQ(c.Push(client, "repo", "-r 1").exit_code, 0);
  std::string store = c.root() + "/pushbundles";
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(store)) {
    files += e.path().extension() == ".hg";
  }
  EXPECT_EQ(files, 2) << "one file per pushed bundle in " << store;
  std::string repos = c.root() + "/leader/repos", away = c.root() + "/leader/repos.gone";
  std::filesystem::rename(repos, away);
  for (int pid : consumers) ASSERT_EQ(kill(pid, SIGCONT), 0);
  for (int m = 1; m <= 2; ++m) {
    EXPECT_TRUE(
        WaitFor([&] { return ChangelogIndex::Load(c.MirrorRepo(m, "repo")).size() == 2; }, 60s))
        << c.MirrorLog(m);
    EXPECT_NE(c.MirrorLog(m).find("bytes, bundle store) into"), std::string::npos)
        << c.MirrorLog(m);
  }
  std::filesystem::rename(away, repos);

  // The store lost the next bundle: the mirrors say so and pull it.
  ASSERT_NO_FATAL_FAILURE(StopConsumersIdle(c, consumers));
  ASSERT_EQ(c.Push(client, "repo", "-r 2").exit_code, 0);
  for (const auto& e : std::filesystem::directory_iterator(store)) {
    if (e.path().extension() == ".hg") std::filesystem::remove(e.path());
  }
  for (int pid : consumers) ASSERT_EQ(kill(pid, SIGCONT), 0);
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  EXPECT_EQ(ChangelogIndex::Load(c.MirrorRepo(1, "repo")).NodeHex(2), nodes.NodeHex(2));
  EXPECT_NE(c.MirrorLog(1).find("is not in the bundle store; pulling instead"), std::string::npos)
      << c.MirrorLog(1);
}

}  // namespace
}  // namespace hgc::test
