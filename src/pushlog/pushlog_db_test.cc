// PushlogDb on a real repository: rows of a push that never committed are
// healed by the next push (the reference's "UNIQUE constraint failed:
// changesets.rev"), an aborted push gives its id back, replicated pushes
// apply idempotently, and a strip repair renumbers and deletes rows.
#include "pushlog/pushlog_db.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace hgc {
namespace {

using test::ScratchDir;
using test::Sh;

class PushlogDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_ / "repo";
    ASSERT_TRUE(
        Sh("hg init " + root_ + " && hg -R " + root_ + " debugbuilddag '+3'", {{"HGRCPATH", ""}})
            .ok());
    index_ = ChangelogIndex::Load(root_);
    for (int r = 0; r < 3; ++r) n_.push_back(index_.NodeHex(r));
  }
  ScratchDir dir_;
  std::string root_;
  ChangelogIndex index_;
  std::vector<std::string> n_;
};

TEST_F(PushlogDbTest, StaleRowsOfAPushThatNeverCommittedAreRemovedByTheNextPush) {
  auto db = PushlogDb::OpenForWrite(root_);
  db->RecordPush("a", 1, {0, 1}, {n_[0], n_[1]});
  // A push of rev 2 recorded, then the process died before hg committed:
  // its row names a node the repository (rolled back to 2 revisions) lacks.
  db->RecordPush("b", 2, {2}, {std::string(40, 'e')});
  auto stale = db->RemoveStaleChangesets(index_, 2);
  EXPECT_EQ(stale, std::vector<std::string>{std::string(40, 'e')});
  EXPECT_EQ(db->LastPushId(), 1);
  // The real push of rev 2 now records without a UNIQUE failure.
  EXPECT_EQ(db->RecordPush("c", 3, {2}, {n_[2]}), 3);
  EXPECT_EQ(db->PushIdOfNode(n_[2]), 3);
}

TEST_F(PushlogDbTest, RemovePushGivesTheNewestIdBack) {
  auto db = PushlogDb::OpenForWrite(root_);
  EXPECT_EQ(db->RecordPush("a", 1, {0}, {n_[0]}), 1);
  EXPECT_EQ(db->RecordPush("b", 2, {1}, {n_[1]}), 2);
  db->RemovePush(2);
  EXPECT_FALSE(db->Push(2));
  EXPECT_EQ(db->RecordPush("c", 3, {1}, {n_[1]}), 2);
}

TEST_F(PushlogDbTest, ReplicatedPushesApplyIdempotentlyWithLocalRevs) {
  auto db = PushlogDb::OpenForWrite(root_);
  std::vector<PushRecord> pushes{{5, "a", 10, {n_[0], n_[1]}}, {7, "b", 20, {n_[2]}}};
  EXPECT_TRUE(db->ApplyReplicated(pushes, index_).empty());
  EXPECT_TRUE(db->ApplyReplicated(pushes, index_).empty());
  EXPECT_EQ(db->PushesFrom(0), pushes);
  auto unknown = db->ApplyReplicated({{8, "c", 30, {std::string(40, 'f')}}}, index_);
  EXPECT_EQ(unknown, std::vector<std::string>{std::string(40, 'f')});
  EXPECT_EQ(db->LastPushId(), 8);
}

TEST_F(PushlogDbTest, ReadOnlyOpenNeverCreatesTheFile) {
  EXPECT_EQ(PushlogDb::OpenReadOnly(root_), nullptr);
  EXPECT_FALSE(std::filesystem::exists(PushlogDb::PathFor(root_)));
}

}  // namespace
}  // namespace hgc
