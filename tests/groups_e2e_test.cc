// `hgcluster groups` on a real local cluster: the groups file is edited
// safely (never empty, no never-consumed group without --force) and the
// aggregators follow it.
#include <gtest/gtest.h>

#include "cluster_fixture.h"
#include "hg/repo_state.h"

namespace hgc::test {
namespace {

TEST(GroupsE2E, AddAndRemoveMirrorGroupsSafely) {
  Cluster c;
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("repo");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + client + " debugbuilddag '+2'").exit_code, 0);
  ASSERT_EQ(c.Push(client, "repo", "-r 0").exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("repo"));
  std::string file = c.root() + "/leader/pushdataaggregator_groups";

  auto list = Hgcluster({"groups", "list", "--root", c.root()});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("mirror1  "), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("mirror2  "), std::string::npos) << list.out;

  auto removed = Hgcluster({"groups", "remove", "--root", c.root(), "mirror2"});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(ReadFileOrEmpty(file), "mirror1\n");
  auto last = Hgcluster({"groups", "remove", "--root", c.root(), "mirror1"});
  EXPECT_EQ(last.exit_code, 1);
  EXPECT_NE(last.err.find("is the last group"), std::string::npos) << last.err;
  EXPECT_EQ(ReadFileOrEmpty(file), "mirror1\n");

  auto never = Hgcluster({"groups", "add", "--root", c.root(), "nobody"});
  EXPECT_EQ(never.exit_code, 1);
  EXPECT_NE(never.err.find("has never consumed pushdata"), std::string::npos) << never.err;
  auto back = Hgcluster({"groups", "add", "--root", c.root(), "mirror2"});
  EXPECT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(ReadFileOrEmpty(file), "mirror1\nmirror2\n");
  EXPECT_EQ(Hgcluster({"groups", "add", "--root", c.root(), "mirror2"}).exit_code, 0);
  EXPECT_EQ(ReadFileOrEmpty(file), "mirror1\nmirror2\n");

  // Pushes keep replicating with the edited file.
  ASSERT_EQ(c.Push(client, "repo").exit_code, 0);
  EXPECT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
}

}  // namespace
}  // namespace hgc::test
