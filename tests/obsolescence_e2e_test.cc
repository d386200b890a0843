// Obsolescence markers replicated like bookmarks and phases (issue 16): a
// push that carries only markers (a prune), markers that come with
// changesets (an amend), and `hg replicatesync` carrying them. Every mirror
// ends with the leader's markers and hides what the leader hides, and each
// `obsolete` event is announced once per webhook target (obsolete.1), after
// every mirror has it.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cluster_fixture.h"
#include "hg/obsstore.h"
#include "hg/repo_state.h"
#include "notify/test_http_receiver.h"

namespace hgc::test {
namespace {

constexpr const char* kEvolve = " --config experimental.evolution=all ";

// `hg debugobsolete` of `repo`, lines sorted, dates included.
std::string Markers(Cluster& c, const std::string& repo) {
  auto r = c.Hg(std::string(kEvolve) + "-R " + repo + " debugobsolete");
  std::istringstream in(r.out);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

bool Serves(Cluster& c, int mirror, const std::string& node) {
  std::string url = c.Status()["mirrors"][mirror - 1]["http"].get<std::string>() + "repo";
  return c.Hg("id -r " + node + " " + url).exit_code == 0;
}

// obsolete.1 webhook bodies whose markers name `precursor`.
int Announced(const TestHttpReceiver& receiver, const std::string& precursor) {
  int n = 0;
  for (const auto& r : receiver.requests()) {
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    if (body.is_discarded() || body.value("type", "") != "obsolete.1") continue;
    for (const auto& m : body["data"]["markers"]) n += m["precursor"]["node"] == precursor;
  }
  return n;
}

class ObsolescenceE2E : public ::testing::Test {
 protected:
  ObsolescenceE2E() : c_(Options()) {}
  ClusterOptions Options() {
    ClusterOptions o;
    o.up_args = {"--webhook", "ci=" + ci_.url() + "/hook"};
    return o;
  }

  void SetUp() override {
    c_.CreateRepo("repo");
    leader_ = c_.LeaderRepo("repo");
    WriteFileAtomic(leader_ + "/.hg/hgrc",
                    "[phases]\npublish = False\n[experimental]\nevolution = all\n");
    auto sent = Sh("cd " + leader_ + " && command hg replicatehgrc", {{"HGRCPATH", ""}});
    ASSERT_EQ(sent.exit_code, 0) << sent.out << sent.err;
    ASSERT_EQ(c_.Hg("init " + client_).exit_code, 0);
    ASSERT_EQ(Client("debugbuilddag '+3'").exit_code, 0);
    ASSERT_EQ(c_.Push(client_, "repo", kEvolve).exit_code, 0);
    ASSERT_TRUE(c_.WaitConverged("repo")) << c_.Explain("repo");
  }

  ProcessResult Client(const std::string& args) {
    return Sh("cd " + client_ + " && hg" + kEvolve + args,
              {{"HGRCPATH", ""}, {"HGUSER", "t <t@example.com>"}});
  }
  std::string Node(const std::string& rev) {
    return Client("log --hidden -r '" + rev + "' -T '{node}'").out;
  }
  // Every mirror holds exactly the leader's markers.
  bool MarkersConverged() {
    std::string leader = Markers(c_, leader_);
    for (int m = 1; m <= 2; ++m) {
      if (Markers(c_, c_.MirrorRepo(m, "repo")) != leader) return false;
    }
    return !leader.empty();
  }

  TestHttpReceiver ci_;
  Cluster c_;
  ScratchDir work_;
  std::string client_ = work_ / "client";
  std::string leader_;
};

TEST_F(ObsolescenceE2E, AMarkerOnlyPushHidesThePrunedHeadOnEveryMirror) {
  std::string pruned = Node("tip"), parent = Node("tip^");
  ASSERT_EQ(Client("debugobsolete --record-parents " + pruned).exit_code, 0);
  auto pushed = c_.Push(client_, "repo", kEvolve);
  // "no changes found" (1), but the marker went: the leader has it.
  ASSERT_NE(pushed.out.find("recorded updates to obsolete in replication log"), std::string::npos)
      << pushed.out << pushed.err;
  ASSERT_EQ(ReadObsStore(leader_).size(), 1u);
  ASSERT_TRUE(WaitFor([&] { return MarkersConverged(); }))
      << Markers(c_, leader_) << "mirror1:\n"
      << Markers(c_, c_.MirrorRepo(1, "repo")) << c_.Explain("repo");
  EXPECT_TRUE(c_.WaitConverged("repo")) << c_.Explain("repo");
  for (int m = 1; m <= 2; ++m) {
    EXPECT_TRUE(WaitFor([&] { return !Serves(c_, m, pruned); })) << "mirror" << m;
    EXPECT_TRUE(Serves(c_, m, parent)) << "mirror" << m;
  }
  EXPECT_TRUE(WaitFor([&] { return Announced(ci_, pruned) == 1; }))
      << ReadFileOrEmpty(c_.root() + "/leader/webhooks.log");
}

TEST_F(ObsolescenceE2E, AnAmendReplicatesItsMarkerAndIsAnnouncedOnce) {
  std::string old_tip = Node("tip");
  ASSERT_EQ(Client("update -q -C tip").exit_code, 0);
  ASSERT_EQ(Sh("echo amended >> " + client_ + "/amended").exit_code, 0);
  ASSERT_EQ(Client("commit -q -A --amend -m amended").exit_code, 0);
  std::string amended = Node("tip");
  auto pushed = c_.Push(client_, "repo", kEvolve);
  ASSERT_EQ(pushed.exit_code, 0) << pushed.out << pushed.err;
  EXPECT_NE(pushed.out.find("recorded updates to obsolete in replication log"), std::string::npos)
      << pushed.out;
  ASSERT_TRUE(WaitFor([&] { return MarkersConverged(); })) << c_.Explain("repo");
  ASSERT_TRUE(c_.WaitConverged("repo")) << c_.Explain("repo");
  for (int m = 1; m <= 2; ++m) {
    EXPECT_TRUE(WaitFor([&] { return Serves(c_, m, amended) && !Serves(c_, m, old_tip); }))
        << "mirror" << m;
  }
  ASSERT_TRUE(WaitFor([&] { return Announced(ci_, old_tip) == 1; }))
      << ReadFileOrEmpty(c_.root() + "/leader/webhooks.log");
  // The successor came in the event's bundle, its marker as a pushkey: no
  // mirror asked the leader for it.
  for (int m = 1; m <= 2; ++m) {
    std::string log = c_.MirrorLog(m);
    EXPECT_NE(log.find("nodes from the event's bundle"), std::string::npos) << log;
    EXPECT_EQ(log.find("pulling"), std::string::npos) << log;
  }
}

// A mirror's repository re-cloned from the leader (`repo reclone`, and the
// consumer's repair of a parked repository) keeps the markers.
TEST_F(ObsolescenceE2E, ARecloneKeepsTheMarkers) {
  std::string old_tip = Node("tip");
  ASSERT_EQ(Client("update -q -C tip").exit_code, 0);
  ASSERT_EQ(Sh("echo amended >> " + client_ + "/amended").exit_code, 0);
  ASSERT_EQ(Client("commit -q -A --amend -m amended").exit_code, 0);
  ASSERT_EQ(c_.Push(client_, "repo", kEvolve).exit_code, 0);
  std::string pruned = Node("tip^");
  ASSERT_EQ(Client("update -q -C 'tip^^'").exit_code, 0);
  ASSERT_EQ(Client("debugobsolete --record-parents " + Node("tip")).exit_code, 0);
  c_.Push(client_, "repo", kEvolve);
  ASSERT_TRUE(WaitFor([&] { return MarkersConverged(); })) << c_.Explain("repo");
  auto reclone = Hgcluster({"repo", "reclone", "--root", c_.root(), "repo"});
  ASSERT_EQ(reclone.exit_code, 0) << reclone.out << reclone.err;
  ASSERT_TRUE(std::filesystem::exists(c_.MirrorRepo(1, "repo") + "/.hg/hgcluster-recloned"));
  EXPECT_TRUE(WaitFor([&] { return MarkersConverged(); })) << Markers(c_, leader_) << "mirror1:\n"
                                                           << Markers(c_, c_.MirrorRepo(1, "repo"));
  EXPECT_TRUE(c_.WaitConverged("repo")) << c_.Explain("repo");
}

// Markers made on the leader reach the mirrors; a mirror that lost them
// (its obsstore removed) gets them back from `hg replicatesync`.
TEST_F(ObsolescenceE2E, ReplicatesyncCarriesTheMarkers) {
  std::string pruned = Node("tip");
  // On the leader itself, as an operator would (the reference's test does),
  // and without the parents recorded, so a pull never brings it back.
  auto made = Sh("cd " + leader_ + " && hg debugobsolete " + pruned, {{"HGRCPATH", ""}});
  ASSERT_EQ(made.exit_code, 0) << made.out << made.err;
  EXPECT_NE(made.out.find("recorded updates to obsolete in replication log"), std::string::npos)
      << made.out;
  ASSERT_TRUE(WaitFor([&] { return MarkersConverged(); })) << c_.Explain("repo");
  std::string mirror1 = c_.MirrorRepo(1, "repo");
  std::filesystem::remove(mirror1 + "/.hg/store/obsstore");
  ASSERT_FALSE(MarkersConverged());
  auto synced = Sh("cd " + leader_ + " && command hg replicatesync", {{"HGRCPATH", ""}});
  ASSERT_EQ(synced.exit_code, 0) << synced.out << synced.err;
  EXPECT_TRUE(WaitFor([&] { return MarkersConverged(); })) << Markers(c_, leader_) << "mirror1:\n"
                                                           << Markers(c_, mirror1);
  EXPECT_TRUE(WaitFor([&] { return !Serves(c_, 1, pruned); }));
}

}  // namespace
}  // namespace hgc::test
