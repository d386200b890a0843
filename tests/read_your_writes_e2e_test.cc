// Read-your-writes on a real local cluster (src/leader/served_wait.h): a
// push asked to wait (`--pushvars READYOURWRITES=1`, or `[readyourwrites]
// enabled` in the repository's hgrc) returns only once every mirror serves
// it, so CI that pushes and then pulls from any mirror finds its changeset;
// with a mirror's consumer stopped it returns after the timeout with a
// warning naming that mirror, and the push is not lost.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <regex>
#include <thread>

#include "cluster_fixture.h"
#include "hg/repo_state.h"
#include "hg/revlog_index.h"

namespace hgc::test {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

std::string MirrorUrl(Cluster& c, int mirror, const std::string& name) {
  int port = c.Status()["mirrors"][mirror - 1]["http_port"].get<int>();
  return "http://127.0.0.1:" + std::to_string(port) + "/" + name;
}

void SetLeaderTimeout(Cluster& c, const std::string& seconds) {
  std::string hgrc = c.root() + "/leader/hgrc";
  std::string text = ReadFileOrEmpty(hgrc);
  text = std::regex_replace(text, std::regex("\ntimeout = [0-9.]+\n"),
                            "\ntimeout = " + seconds + "\n");
  WriteFileAtomic(hgrc, text);
}

TEST(ReadYourWritesE2E, APushThatWaitsIsServedByEveryMirrorWhenItReturns) {
  constexpr int kPushes = 20;
  Cluster c;
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("ryw");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(
      c.Hg("-R " + client + " debugbuilddag '+" + std::to_string(kPushes + 2) + "'").exit_code, 0);
  ChangelogIndex nodes = ChangelogIndex::Load(client);
  ASSERT_EQ(c.Push(client, "ryw", "-r 0").exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("ryw")) << c.Explain("ryw");
  // What CI does: pull from the load-balanced mirrors right after its push.
  std::string pulls[2] = {work / "from1", work / "from2"};
  std::string urls[2] = {MirrorUrl(c, 1, "ryw"), MirrorUrl(c, 2, "ryw")};
  for (int m = 0; m < 2; ++m) {
    ASSERT_EQ(c.Hg("clone -q -U " + urls[m] + " " + pulls[m]).exit_code, 0);
  }
  std::regex served("remote: served by 2/2 mirrors in [0-9]+ ms\n");
  int found = 0;
  for (int i = 1; i <= kPushes; ++i) {
    std::string node = nodes.NodeHex(i);
    auto push = c.Push(client, "ryw", "-r " + node + " --pushvars READYOURWRITES=1");
    ASSERT_EQ(push.exit_code, 0) << push.out << push.err;
    std::string said = push.out + push.err;
    EXPECT_TRUE(std::regex_search(said, served)) << said;
    // Both mirrors at once, as two CI jobs would.
    ProcessResult pulled[2];
    std::thread other(
        [&] { pulled[1] = c.Hg("-R " + pulls[1] + " pull -q -r " + node + " " + urls[1]); });
    pulled[0] = c.Hg("-R " + pulls[0] + " pull -q -r " + node + " " + urls[0]);
    other.join();
    int both = 0;
    for (int m = 0; m < 2; ++m) {
      if (pulled[m].exit_code == 0 && ChangelogHas(pulls[m], node)) {
        ++both;
      } else {
        ADD_FAILURE() << "mirror " << m + 1 << " does not serve " << node
                      << " right after the push: " << pulled[m].out << pulled[m].err;
      }
    }
    if (both == 2) ++found;
  }
  EXPECT_EQ(found, kPushes) << "pushes whose changeset both mirrors served when the push returned";

  // Without being asked, a push does not wait (and says nothing about it).
  auto plain = c.Push(client, "ryw", "-r " + nodes.NodeHex(kPushes + 1));
  ASSERT_EQ(plain.exit_code, 0);
  EXPECT_EQ((plain.out + plain.err).find("served by"), std::string::npos) << plain.out;
}

TEST(ReadYourWritesE2E, AStoppedMirrorMakesThePushReturnAtTheTimeoutNamingIt) {
  Cluster c;
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("ryw");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(CommitChange(client), 0);
  ASSERT_EQ(c.Push(client, "ryw").exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("ryw")) << c.Explain("ryw");
  SetLeaderTimeout(c, "2");
  // On for every push to this repository, from its own hgrc.
  std::string repo_hgrc = c.LeaderRepo("ryw") + "/.hg/hgrc";
  WriteFileAtomic(repo_hgrc, ReadFileOrEmpty(repo_hgrc) + "\n[readyourwrites]\nenabled = true\n");

  int consumer = c.Status()["mirrors"][1].value("pid", 0);
  ASSERT_GT(consumer, 0);
  ASSERT_EQ(kill(consumer, SIGSTOP), 0);
  ASSERT_EQ(CommitChange(client), 0);
  std::string node = TipNode(client);
  auto t = SteadyClock::now();
  auto push = c.Push(client, "ryw");
  auto took = SteadyClock::now() - t;
  ASSERT_EQ(kill(consumer, SIGCONT), 0);
  ASSERT_EQ(push.exit_code, 0) << push.out << push.err;
  std::string said = push.out + push.err;
  EXPECT_NE(said.find("remote: served by 0/2 mirrors after 2.0 s; late: mirror1 (applied, not "
                      "serving yet), mirror2 (not applied yet)\n"),
            std::string::npos)
      << said;
  EXPECT_GE(took, 2s);
  EXPECT_LT(took, 20s);
  EXPECT_EQ(TipNode(c.LeaderRepo("ryw")), node) << "the push is on the leader";
  // Resumed, the mirror catches up: nothing was lost.
  ASSERT_TRUE(c.WaitConverged("ryw")) << c.Explain("ryw");
  EXPECT_EQ(TipNode(c.MirrorRepo(2, "ryw")), node);

  // Both running again: the next push waits for both and says so.
  ASSERT_EQ(CommitChange(client), 0);
  auto next = c.Push(client, "ryw");
  ASSERT_EQ(next.exit_code, 0);
  EXPECT_NE((next.out + next.err).find("remote: served by 2/2 mirrors in "), std::string::npos)
      << next.out << next.err;
  // A bookmark-only push waits too (in txnclose: no changegroup hook runs).
  ASSERT_EQ(c.Hg("-R " + client + " bookmark -r tip feat").exit_code, 0);
  auto book = c.Push(client, "ryw", "-B feat");
  ASSERT_LE(book.exit_code, 1) << book.out << book.err;  // 1: no changesets sent
  EXPECT_NE((book.out + book.err).find("remote: served by 2/2 mirrors in "), std::string::npos)
      << book.out << book.err;
  for (int m = 1; m <= 2; ++m) {
    EXPECT_EQ(ReadBookmarks(c.MirrorRepo(m, "ryw")).count("feat"), 1u) << "mirror " << m;
  }
  // A value it does not understand: said, and the push goes through unharmed.
  ASSERT_EQ(CommitChange(client), 0);
  auto odd = c.Push(client, "ryw", "--pushvars READYOURWRITES=maybe");
  ASSERT_EQ(odd.exit_code, 0) << odd.out << odd.err;
  EXPECT_NE((odd.out + odd.err)
                .find("not waiting for the mirrors (read-your-writes): --pushvars "
                      "READYOURWRITES=maybe: expected 1"),
            std::string::npos)
      << odd.out << odd.err;
  ASSERT_TRUE(c.WaitConverged("ryw")) << c.Explain("ryw");
}

}  // namespace
}  // namespace hgc::test
