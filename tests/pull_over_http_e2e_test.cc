// Mirrors that pull from the leader over HTTP (`up --pull-over http`): the
// leader's `hg serve` for mirrors, run by its master monitor, read-only and
// answering each pull from fresh state (hgext/hgclusterserve.py); each
// mirror keeps one connection per repository between pulls
// (hgext/hgclusterpull.py). The endpoint refuses pushes.
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

TEST(PullOverHttpE2E, MirrorsPullFromTheLeadersHttpEndpointOnKeptConnections) {
  ClusterOptions options;
  options.up_args = {"--pull-over", "http", "--no-push-bundles"};
  Cluster c(options);
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("repo");
  const std::string endpoint = c.Status()["leader"]["pull_http"].get<std::string>();
  ASSERT_EQ(endpoint.rfind("http://127.0.0.1:", 0), 0u) << endpoint;
  const std::string url = endpoint + "repo";
  // The master monitor starts the endpoint; it serves the repository soon.
  ASSERT_TRUE(WaitFor([&] { return c.Hg("identify " + url).exit_code == 0; }, 30s))
      << ReadFileOrEmpty(c.root() + "/leader/pull-http.log");

  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  constexpr int kPushes = 8;
  ASSERT_EQ(
      c.Hg("-R " + client + " debugbuilddag '+" + std::to_string(kPushes + 1) + "'").exit_code, 0);
  for (int rev = 0; rev < kPushes; ++rev) {
    ASSERT_EQ(c.Push(client, "repo", "-r " + std::to_string(rev)).exit_code, 0);
    ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  }
  for (int m = 1; m <= 2; ++m) {
    std::string log = c.MirrorLog(m);
    EXPECT_EQ(CountOccurrences(log, "$ hg pull"), size_t{kPushes})
        << log << "\nthe endpoint's error log:\n"
        << ReadFileOrEmpty(c.root() + "/leader/pull-http-error.log");
    EXPECT_NE(log.find("pulling from " + endpoint), std::string::npos) << log;
    EXPECT_EQ(log.find("parked"), std::string::npos) << log;
  }
  // Every new connection starts with `capabilities`: 2 mirrors × 8 pulls
  // on fresh connections would ask 16 times (our identify asked once).
  std::string access = ReadFileOrEmpty(c.root() + "/leader/pull-http-access.log");
  EXPECT_GE(CountOccurrences(access, "cmd=capabilities"), 3u) << access;
  EXPECT_LE(CountOccurrences(access, "cmd=capabilities"), 5u) << "pulls did not keep connections:\n"
                                                              << access;

  // Read-only: a push through the endpoint is refused and changes nothing.
  ASSERT_EQ(c.Hg("-R " + client + " commit --config ui.allowemptycommit=1 -m extra").exit_code, 0);
  ProcessResult push = c.Hg("-R " + client + " push -f " + url);
  EXPECT_NE(push.exit_code, 0) << push.out << push.err;
  EXPECT_EQ(ChangelogIndex::Load(c.LeaderRepo("repo")).size(), kPushes);
  ProcessResult incoming = c.Hg("-R " + client + " incoming " + url);
  EXPECT_EQ(incoming.exit_code, 1) << "reading from the endpoint: " << incoming.err;
}

}  // namespace
}  // namespace hgc::test
