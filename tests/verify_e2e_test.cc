// `hg replicateverify` end to end: every mirror compares its copy with the
// leader's digest at the same point of the log. A copy changed by hand
// behind the consumer's back (a bookmark moved on mirror1) is found, named
// in the consumer log, re-cloned from the leader and reported in status;
// the untouched mirror reports "ok", and a second verify finds both equal.
#include <gtest/gtest.h>

#include "cluster_fixture.h"

namespace hgc::test {
namespace {

std::string VerifyResultOf(Cluster& c, int mirror, const std::string& repo) {
  auto verify = c.Status()["mirrors"][mirror - 1].value("verify", nlohmann::json::object());
  return verify.contains(repo) ? verify[repo]["result"].get<std::string>() : "";
}

TEST(VerifyE2E, BookmarkMovedByHandOnAMirrorIsFoundAndRepaired) {
  Cluster c;
  ScratchDir work;
  c.CreateRepo("repo");
  std::string client = work / "client";
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(CommitChange(client, "a"), 0);
  ASSERT_EQ(CommitChange(client, "b"), 0);
  ASSERT_EQ(c.Hg("-R " + client + " bookmark -r tip feat").exit_code, 0);
  ASSERT_EQ(c.Push(client, "repo", "-B feat").exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");

  std::string mirror = c.MirrorRepo(1, "repo");
  auto bookmark = [&](const std::string& repo) {
    return Sh("hg -R " + repo + " log -r feat -T '{node}'", {{"HGRCPATH", ""}}).out;
  };
  std::string leader_feat = bookmark(c.LeaderRepo("repo"));
  ASSERT_EQ(leader_feat.size(), 40u);
  ASSERT_EQ(bookmark(mirror), leader_feat);
  auto moved = Sh("hg -R " + mirror + " bookmark -f -r 0 feat", {{"HGRCPATH", ""}});
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  ASSERT_NE(bookmark(mirror), leader_feat);

  auto verify = Sh("cd " + c.LeaderRepo("repo") + " && command hg replicateverify", {{"HGRCPATH", ""}});
  ASSERT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("recorded verify of {moz}/repo in replication log"),
            std::string::npos)
      << verify.out;

  ASSERT_TRUE(WaitFor([&] { return VerifyResultOf(c, 1, "{moz}/repo") == "repaired"; },
                      std::chrono::seconds(60)))
      << c.Status().dump(2) << c.MirrorLog(1);
  ASSERT_TRUE(WaitFor([&] { return VerifyResultOf(c, 2, "{moz}/repo") == "ok"; }))
      << c.Status().dump(2);
  EXPECT_EQ(bookmark(mirror), leader_feat);
  std::string log = c.MirrorLog(1);
  EXPECT_NE(log.find("differs from the leader: bookmarks: leader has"), std::string::npos) << log;
  EXPECT_NE(log.find("repaired " + mirror), std::string::npos) << log;
  auto differences = c.Status()["mirrors"][0]["verify"]["{moz}/repo"]["differences"];
  ASSERT_EQ(differences.size(), 1u) << differences.dump();
  EXPECT_EQ(differences[0].get<std::string>().rfind("bookmarks:", 0), 0u);

  // The repair held: a second verify (the operator's command for every
  // repository of a local cluster) finds mirror1 equal to the leader.
  verify = Hgcluster({"verify", "--root", c.root()});
  ASSERT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("recorded verify of 1 repositories"), std::string::npos)
      << verify.out;
  auto unknown = Hgcluster({"verify", "--root", c.root(), "nosuch"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no repository 'nosuch' on the leader"), std::string::npos)
      << unknown.err;
  ASSERT_TRUE(WaitFor([&] { return VerifyResultOf(c, 1, "{moz}/repo") == "ok"; },
                      std::chrono::seconds(60)))
      << c.Status().dump(2) << c.MirrorLog(1);
  EXPECT_TRUE(c.Status()["mirrors"][0]["parked"].empty());
}

}  // namespace
}  // namespace hgc::test
