// The applier's pushkey events on a real scratch repository (real hg, one
// process per command): a mirror whose bookmark or phase is already past an
// event's precondition converges to the event's value instead of failing;
// what truly cannot be applied still fails.
#include "consumer/applier.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "hg/repo_state.h"
#include "hg/revlog_index.h"
#include "test_support.h"

namespace hgc {
namespace {

class ApplierPushkeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = dir_ / "repos/repo";
    ASSERT_EQ(test::Sh("hg init " + repo_ + " && hg -R " + repo_ + " debugbuilddag '+3'").exit_code,
              0);
    ChangelogIndex index = ChangelogIndex::Load(repo_);
    for (int r = 0; r < 3; ++r) nodes_.push_back(index.NodeHex(r));
    config_.path_rewrites = {{"{moz}", dir_ / "repos"}};
    config_.topic = "pushdata";
    hg_ = MakeProcessHgRunner("hg", "");
  }

  void Apply(const std::string& ns, const std::string& key, const std::string& old_value,
             const std::string& new_value, int64_t offset) {
    Applier applier(config_, *hg_, "test");
    applier.Apply(DecodeMessage(EncodeMessage(
                      MakePushkey("{moz}/repo", ns, key, old_value, new_value, 0, 1.0))),
                  0, offset);
  }

  std::string Phase(int rev) {
    return test::Sh("hg -R " + repo_ + " log -r " + std::to_string(rev) + " -T '{phase}'").out;
  }

  test::ScratchDir dir_;
  std::string repo_;
  std::vector<std::string> nodes_;
  ConsumerConfig config_;
  std::unique_ptr<HgRunner> hg_;
};

TEST_F(ApplierPushkeyTest, BookmarkAheadOfTheEventIsSetToTheEventsValueThenToTheNext) {
  // The pull for an earlier event brought the leader's newest value (third);
  // the events still to apply move first -> second -> third.
  ASSERT_EQ(test::Sh("hg -R " + repo_ + " bookmark -r 2 feat").exit_code, 0);
  Apply("bookmarks", "feat", nodes_[0], nodes_[1], 10);
  EXPECT_EQ(ReadBookmarks(repo_).at("feat"), nodes_[1]) << "the leader's value after event 10";
  Apply("bookmarks", "feat", nodes_[1], nodes_[2], 11);
  EXPECT_EQ(ReadBookmarks(repo_).at("feat"), nodes_[2]);
}

TEST_F(ApplierPushkeyTest, DeletedBookmarkAndBookmarkAlreadyGoneConverge) {
  ASSERT_EQ(test::Sh("hg -R " + repo_ + " bookmark -r 2 feat").exit_code, 0);
  Apply("bookmarks", "feat", nodes_[0], "", 10);  // deleted on the leader; ours is elsewhere
  EXPECT_EQ(ReadBookmarks(repo_).count("feat"), 0u);
  Apply("bookmarks", "feat", nodes_[1], "", 11);  // and again: nothing to do
  EXPECT_EQ(ReadBookmarks(repo_).count("feat"), 0u);
  Apply("bookmarks", "gone", nodes_[1], nodes_[2], 12);  // created here from nothing
  EXPECT_EQ(ReadBookmarks(repo_).at("gone"), nodes_[2]);
}

TEST_F(ApplierPushkeyTest, PhaseAlreadyMorePublicIsLeftAloneLessPublicIsAdvanced) {
  ASSERT_EQ(test::Sh("hg -R " + repo_ + " phase --public -r 1").exit_code, 0);
  ASSERT_EQ(test::Sh("hg -R " + repo_ + " phase --force --secret -r 2").exit_code, 0);
  // Event: secret -> draft for rev 1, which a pull already made public.
  Apply("phases", nodes_[1], "2", "1", 10);
  EXPECT_EQ(Phase(1), "public");
  // Event: draft -> public for rev 2, which is secret here.
  Apply("phases", nodes_[2], "1", "0", 11);
  EXPECT_EQ(Phase(2), "public");
}

TEST_F(ApplierPushkeyTest, BookmarkToAChangesetTheMirrorLacksStillFails) {
  std::string unknown(40, 'a');
  ASSERT_EQ(test::Sh("hg -R " + repo_ + " bookmark -r 2 feat").exit_code, 0);
  EXPECT_THROW(Apply("bookmarks", "feat", nodes_[0], unknown, 10), Error);
  EXPECT_EQ(ReadBookmarks(repo_).at("feat"), nodes_[2]);
  EXPECT_THROW(Apply("phases", unknown, "1", "0", 11), Error);
}

}  // namespace
}  // namespace hgc
