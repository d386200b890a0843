// The applier when hg fails at each step (FaultyHgRunner around real hg):
// before the command did anything, or after it did its work but reported
// failure (killed, disk trouble). Either way the event throws, is retried,
// and the retry leaves the mirror exactly as one clean apply would: every
// changeset, each pushlog row once, the bookmark at its value.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/error.h"
#include "consumer/applier.h"
#include "hg/faulty_hg_runner.h"
#include "hg/repo_state.h"
#include "hg/revlog_index.h"
#include "pushlog/pushlog_db.h"
#include "test_support.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;
using When = FaultyHgRunner::When;

class ApplierFaultsTest : public ::testing::TestWithParam<When> {
 protected:
  void SetUp() override {
    leader_ = dir_ / "leader/repo";
    fs::create_directories(dir_ / "repos");
    ASSERT_EQ(test::Sh("hg init " + leader_ + " && hg -R " + leader_ + " debugbuilddag '+3'")
                  .exit_code,
              0);
    ChangelogIndex index = ChangelogIndex::Load(leader_);
    for (int r = 0; r < 3; ++r) nodes_.push_back(index.NodeHex(r));
    config_.path_rewrites = {{"{moz}", dir_ / "repos"}};
    config_.pull_url_rewrites = {{"{moz}", dir_ / "leader"}};
    config_.topic = "pushdata";
    real_ = MakeProcessHgRunner("hg", "");
    faulty_ = std::make_unique<FaultyHgRunner>(*real_);
  }

  // Applies `message` at `offset`; the first attempt must fail with hg's
  // error, the second succeed.
  void ApplyFailingOnce(const nlohmann::json& message, int64_t offset, int injected = 1) {
    Applier applier(config_, *faulty_, "test");
    Message m = DecodeMessage(EncodeMessage(message));
    try {
      applier.Apply(m, 0, offset);
      ADD_FAILURE() << "the injected fault did not surface";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kHgFailed) << e.what();
      EXPECT_NE(std::string(e.what()).find("injected fault"), std::string::npos) << e.what();
    }
    EXPECT_EQ(faulty_->Injected(), injected);
    applier.Apply(m, 0, offset);  // the scheduler's retry
  }

  std::string mirror() const { return dir_ / "repos/repo"; }

  test::ScratchDir dir_;
  std::string leader_;
  std::vector<std::string> nodes_;
  ConsumerConfig config_;
  std::unique_ptr<HgRunner> real_;
  std::unique_ptr<FaultyHgRunner> faulty_;
};

TEST_P(ApplierFaultsTest, PullFailingLeavesNothingHalfAppliedAfterTheRetry) {
  faulty_->FailNth("pull", 1, GetParam());
  nlohmann::json cg = MakeChangegroup("{moz}/repo", "serve", 3, {nodes_[2]}, 1.0);
  AttachPushes(cg, {PushRecord{1, "alice", 1700000000, nodes_}});
  ApplyFailingOnce(cg, 7);
  EXPECT_EQ(ChangelogIndex::Load(mirror()).tip_rev(), 2);
  auto pushes = PushlogDb::OpenReadOnly(mirror())->PushesFrom(0);
  ASSERT_EQ(pushes.size(), 1u);
  EXPECT_EQ(pushes[0].id, 1);
  EXPECT_EQ(pushes[0].nodes, nodes_);
  EXPECT_EQ(faulty_->Calls("pull"), 2);
}

// A refused pushkey is followed, in the same attempt, by a look at the
// mirror's value and a second pushkey from it (ConvergePushkey): a pushkey
// that did its work and then failed is absorbed there; one that did nothing,
// with the second one failing too, throws and the retry sets it.
TEST_P(ApplierFaultsTest, PushkeyFailingConvergesToTheEventsValue) {
  ASSERT_EQ(test::Sh("hg clone -q -U " + leader_ + " " + mirror()).exit_code, 0);
  nlohmann::json event = MakePushkey("{moz}/repo", "bookmarks", "feat", "", nodes_[1], 1, 1.0);
  if (GetParam() == When::kBefore) {
    faulty_->FailNth("debugpushkey", 1, When::kBefore);  // the event's pushkey
    faulty_->FailNth("debugpushkey", 3, When::kBefore);  // the converging one
    ApplyFailingOnce(event, 8, 2);
  } else {
    faulty_->FailNth("debugpushkey", 1, When::kAfter);
    Applier applier(config_, *faulty_, "test");
    applier.Apply(DecodeMessage(EncodeMessage(event)), 0, 8);
    EXPECT_EQ(faulty_->Injected(), 1);
  }
  EXPECT_EQ(ReadBookmarks(mirror()).at("feat"), nodes_[1]);
}

TEST_P(ApplierFaultsTest, InitFailingBeforeIsRetriedAndAfterIsAlreadyDone) {
  faulty_->FailNth("init", 1, GetParam());
  Applier applier(config_, *faulty_, "test");
  Message m = DecodeMessage(EncodeMessage(MakeRepoInit("{moz}/repo", true, 1.0)));
  if (GetParam() == When::kBefore) {
    EXPECT_THROW(applier.Apply(m, 0, 9), Error);
    EXPECT_FALSE(fs::exists(mirror() + "/.hg"));
    applier.Apply(m, 0, 9);
  } else {
    // The repository is there: a failure report after the fact changes nothing.
    applier.Apply(m, 0, 9);
  }
  EXPECT_TRUE(fs::exists(mirror() + "/.hg/requires"));
  EXPECT_EQ(faulty_->Injected(), 1);
}

INSTANTIATE_TEST_SUITE_P(BeforeAndAfter, ApplierFaultsTest,
                         ::testing::Values(When::kBefore, When::kAfter),
                         [](const auto& info) {
                           return info.param == When::kBefore ? "Before" : "After";
                         });

}  // namespace
}  // namespace hgc
