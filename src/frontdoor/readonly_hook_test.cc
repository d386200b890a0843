// The read-only hooks with real hg: per-repository and global reason files,
// changesets and bookmarks, the per-repository file winning.
#include "frontdoor/readonly_hook.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "hg/repo_state.h"
#include "test_support.h"

namespace hgc {
namespace {

using test::ScratchDir;
using test::Sh;

class ReadonlyHookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string hook =
        test::HgclusterBin() + " readonly-hook --global-reason-file " + (dir_ / "global-reason");
    WriteFileAtomic(dir_ / "server.rc", "[hooks]\nprechangegroup.readonly = " + hook +
                                            "\nprepushkey.readonly = " + hook + "\n");
    ASSERT_TRUE(Hg("init " + (dir_ / "server")).ok());
    ASSERT_TRUE(Hg("init " + (dir_ / "work")).ok());
    WriteFileAtomic(dir_ / "work/a", "one\n");
    ASSERT_TRUE(Hg("-R " + (dir_ / "work") + " commit -Am first").ok());
  }

  ProcessResult Hg(const std::string& args) {
    return Sh(
        "hg " + args,
        {{"HGRCPATH", dir_ / "server.rc"}, {"HGUSER", "T <t@example.com>"}, {"HGPLAIN", "1"}});
  }
  ProcessResult Push(const std::string& extra = "") {
    return Hg("-R " + (dir_ / "work") + " push " + extra + " " + (dir_ / "server"));
  }

  ScratchDir dir_;
};

TEST_F(ReadonlyHookTest, RepositoryReasonRefusesChangesets) {
  WriteFileAtomic(dir_ / "server/.hg/readonlyreason", "repository is no longer active\n");
  auto r = Push();
  EXPECT_EQ(r.exit_code, 255);
  EXPECT_NE(r.err.find("repository is read only\nrepository is no longer active\n"
                       "refusing to add changesets\n"),
            std::string::npos)
      << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("prechangegroup.readonly hook exited with status 1"),
            std::string::npos);
  EXPECT_EQ(Hg("-R " + (dir_ / "server") + " log -T x").out, "");
}

TEST_F(ReadonlyHookTest, GlobalReasonRefusesAndEmptyReasonPrintsNoLine) {
  WriteFileAtomic(dir_ / "global-reason", "");
  auto r = Push();
  EXPECT_EQ(r.exit_code, 255);
  EXPECT_NE(r.err.find("all repositories currently read only\nrefusing to add changesets\n"),
            std::string::npos)
      << r.out << r.err;
  // The repository's own file wins when both exist.
  WriteFileAtomic(dir_ / "server/.hg/readonlyreason", "");
  r = Push();
  EXPECT_NE(r.err.find("repository is read only\nrefusing to add changesets\n"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.err.find("all repositories"), std::string::npos);
  std::filesystem::remove(dir_ / "global-reason");
  std::filesystem::remove(dir_ / "server/.hg/readonlyreason");
  r = Push();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(ReadonlyHookTest, BookmarksAreRefusedToo) {
  ASSERT_EQ(Push().exit_code, 0);
  ASSERT_TRUE(Hg("-R " + (dir_ / "work") + " bookmark feature").ok());
  WriteFileAtomic(dir_ / "server/.hg/readonlyreason", "frozen\n");
  auto r = Push("-B feature");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("repository is read only\nfrozen\nrefusing to update bookmarks\n"),
            std::string::npos)
      << r.out << r.err;
  EXPECT_EQ(Hg("-R " + (dir_ / "server") + " bookmarks").out, "no bookmarks set\n");
}

}  // namespace
}  // namespace hgc
