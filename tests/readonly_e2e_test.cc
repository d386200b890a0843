// Read-only repositories on a real local cluster (spec/hosting.md §4.9): a
// per-repository or global reason refuses pushes of changesets and of
// bookmarks with the reference's exact client output, nothing reaches the
// log or the mirrors while frozen, and `hgcluster readonly --off` lets the
// next push through. (hg words an external hook's failure "hook exited with
// status 1" where the reference's in-process hook got "hook failed".)
#include <gtest/gtest.h>

#include "cluster_fixture.h"
#include "hg/repo_state.h"

namespace hgc::test {
namespace {

TEST(ReadonlyE2E, FrozenRepositoryRefusesChangesetsAndBookmarksUntilThawed) {
  Cluster c;
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("frozen");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + client + " debugbuilddag '+2'").exit_code, 0);
  ASSERT_EQ(c.Push(client, "frozen").exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("frozen")) << c.Explain("frozen");
  std::string before = TipNode(c.LeaderRepo("frozen"));

  auto set = Hgcluster(
      {"readonly", "--root", c.root(), "frozen", "--reason", "repository is no longer active"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_NE(set.out.find("frozen now read-only: repository is no longer active"), std::string::npos)
      << set.out;

  ASSERT_EQ(Sh("cd " + client + " && hg update -q tip && echo x > f && hg commit -qAm more",
               {{"HGRCPATH", ""}, {"HGUSER", "t <t@example.com>"}})
                .exit_code,
            0);
  auto refused = c.Push(client, "frozen");
  EXPECT_EQ(refused.exit_code, 255);
  EXPECT_NE((refused.out + refused.err)
                .find("remote: repository is read only\n"
                      "remote: repository is no longer active\n"
                      "remote: refusing to add changesets\n"
                      "remote: prechangegroup.readonly hook exited with status 1\n"),
            std::string::npos)
      << refused.out << refused.err;
  EXPECT_NE(refused.err.find("abort: push failed on remote"), std::string::npos) << refused.err;
  EXPECT_EQ(TipNode(c.LeaderRepo("frozen")), before);

  // A bookmark on a changeset the leader has: refused too.
  ASSERT_EQ(c.Hg("-R " + client + " bookmark -r 1 stable").exit_code, 0);
  auto book = c.Push(client, "frozen", "-r 1 -B stable");
  EXPECT_NE(book.exit_code, 0);
  EXPECT_NE((book.out + book.err)
                .find("remote: refusing to update bookmarks\n"
                      "remote: prepushkey.readonly hook exited with status 1\n"),
            std::string::npos)
      << book.out << book.err;
  EXPECT_TRUE(ReadBookmarks(c.LeaderRepo("frozen")).empty());

  // Everything read-only: the global reason, other repositories too.
  c.CreateRepo("other");
  ASSERT_EQ(
      Hgcluster({"readonly", "--root", c.root(), "--all", "--reason", "maintenance until 10:00"})
          .exit_code,
      0);
  std::string client2 = work / "client2";
  ASSERT_EQ(c.Hg("init " + client2).exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + client2 + " debugbuilddag '+1'").exit_code, 0);
  auto global = c.Push(client2, "other");
  EXPECT_EQ(global.exit_code, 255);
  EXPECT_NE((global.out + global.err)
                .find("remote: all repositories currently read only\n"
                      "remote: maintenance until 10:00\n"
                      "remote: refusing to add changesets\n"),
            std::string::npos)
      << global.out;
  // The per-repository reason wins when both exist.
  auto both = c.Push(client, "frozen");
  EXPECT_NE((both.out + both.err).find("remote: repository is read only\n"), std::string::npos);

  // Thawed: pushes go through and replicate.
  ASSERT_EQ(Hgcluster({"readonly", "--root", c.root(), "--all", "--off"}).exit_code, 0);
  ASSERT_EQ(Hgcluster({"readonly", "--root", c.root(), "frozen", "--off"}).exit_code, 0);
  auto thawed = c.Push(client, "frozen");
  ASSERT_EQ(thawed.exit_code, 0) << thawed.out << thawed.err;
  c.Push(client, "frozen", "-B stable");  // exit 1: no changesets, only the bookmark
  EXPECT_EQ(ReadBookmarks(c.LeaderRepo("frozen")).count("stable"), 1u);
  EXPECT_NE(TipNode(c.LeaderRepo("frozen")), before);
  EXPECT_TRUE(c.WaitConverged("frozen")) << c.Explain("frozen");
  ASSERT_EQ(c.Push(client2, "other").exit_code, 0);
  EXPECT_TRUE(c.WaitConverged("other")) << c.Explain("other");
}

}  // namespace
}  // namespace hgc::test
