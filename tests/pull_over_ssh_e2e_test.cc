// Mirrors that pull from the leader over SSH (`up --pull-over ssh`): through
// the leader's SSH front door as the replication account, one session per
// repository and mirror kept open between pulls (hgext/hgclusterpull.py), the
// leader answering each pull from fresh state (hgext/hgclusterserve.py). A
// session cut on the leader's side costs one retry, not an event. The
// replication account may read and may not push.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "cluster_fixture.h"
#include "common/subprocess.h"
#include "hg/repo_state.h"
#include "hg/revlog_index.h"

namespace hgc::test {
namespace {

using namespace std::chrono_literals;

TEST(PullOverSshE2E, MirrorsPullThroughTheFrontDoorOnOneKeptSessionPerRepository) {
  ClusterOptions options;
  options.up_args = {"--pull-over", "ssh", "--no-push-bundles"};
  Cluster c(options);
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("repo");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  constexpr int kPushes = 8;
  ASSERT_EQ(
      c.Hg("-R " + client + " debugbuilddag '+" + std::to_string(kPushes + 1) + "'").exit_code, 0);
  for (int rev = 0; rev < kPushes; ++rev) {
    ASSERT_EQ(c.Push(client, "repo", "-r " + std::to_string(rev)).exit_code, 0);
    ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  }
  std::string sessions_log = c.root() + "/leader/ssh/sessions.log";
  std::string sessions = ReadFileOrEmpty(sessions_log);
  const std::string replication = "start user: 'vcs-sync@hgcluster.local";
  // 2 mirrors × 8 pulls; a cold pull per event would log 16 sessions.
  EXPECT_GE(CountOccurrences(sessions, replication), 2u) << sessions;
  EXPECT_LE(CountOccurrences(sessions, replication), 4u) << "pulls did not keep their sessions:\n"
                                                         << sessions;
  for (int m = 1; m <= 2; ++m) {
    std::string log = c.MirrorLog(m);
    EXPECT_EQ(CountOccurrences(log, "$ hg pull"), size_t{kPushes}) << log;
    EXPECT_NE(log.find("pulling from ssh://"), std::string::npos) << log;
  }

  // The leader ends every replication session (as a restart of its sshd
  // would): the next push costs each mirror one retry on a new session.
  ProcessResult killed = RunProcess({"pkill", "-f", "hg -R repo serve --stdio"});
  ASSERT_EQ(killed.exit_code, 0) << "no replication session to end";
  ASSERT_EQ(c.Push(client, "repo", "-r " + std::to_string(kPushes)).exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  for (int m = 1; m <= 2; ++m) {
    std::string log = c.MirrorLog(m);
    EXPECT_EQ(CountOccurrences(log, "a kept connection to the leader failed; pulling on a new one"),
              1u)
        << log;
    EXPECT_EQ(log.find("parked"), std::string::npos) << log;
  }

  // The replication account reads every repository and pushes to none.
  nlohmann::json repl = c.Status()["leader"]["frontdoor"]["replication"];
  int port = c.Status()["leader"]["frontdoor"]["port"].get<int>();
  std::string url = repl["pull_url_prefix"].get<std::string>() + "repo";
  std::string ssh = repl["ssh"].get<std::string>() + " -p " + std::to_string(port);
  ASSERT_EQ(c.Hg("-R " + client + " commit --config ui.allowemptycommit=1 -m extra").exit_code, 0);
  ProcessResult push = c.Hg("-R " + client + " push -f -e '" + ssh + "' " + url);
  EXPECT_NE(push.exit_code, 0) << push.out << push.err;
  EXPECT_EQ(ChangelogIndex::Load(c.LeaderRepo("repo")).size(), kPushes + 1);
  ProcessResult incoming = c.Hg("-R " + client + " incoming -e '" + ssh + "' " + url);
  EXPECT_EQ(incoming.exit_code, 1) << "reading over the replication account: " << incoming.err;
}

}  // namespace
}  // namespace hgc::test
