#include "master/epoch_fence.h"

#include <gtest/gtest.h>

#include "hg/repo_state.h"
#include "test_support.h"

namespace hgc {
namespace {

nlohmann::json Event(int64_t epoch, const std::string& host = "hgssh1") {
  return {{"name", "hg-changegroup-2"},
          {"path", "{moz}/try"},
          {"_master_epoch", epoch},
          {"_master_host", host}};
}

TEST(EpochFence, DropsLowerEpochsPerPartitionInLogOrder) {
  EpochFence fence("");
  EXPECT_EQ(fence.Admit(0, Event(3)), std::nullopt);
  EXPECT_EQ(fence.Admit(0, Event(3)), std::nullopt);  // same master, later event
  EXPECT_EQ(fence.Admit(0, Event(5, "hgssh2")), std::nullopt);
  auto refused = fence.Admit(0, Event(3));
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(*refused,
            "dropping hg-changegroup-2 from deposed master hgssh1 (epoch 3; partition 0 is at "
            "epoch 5); to replicate what it wrote, run `hg replicatesync` in {moz}/try on the "
            "master");
  // Another partition has not seen the new master yet: the old one's events
  // written before the failover are still good there.
  EXPECT_EQ(fence.Admit(1, Event(3)), std::nullopt);
  EXPECT_EQ(fence.Highest(0), 5);
  EXPECT_EQ(fence.Highest(1), 3);
}

TEST(EpochFence, EventsWithoutAnEpochPass) {
  EpochFence fence("");
  EXPECT_EQ(fence.Admit(0, Event(7)), std::nullopt);
  EXPECT_EQ(fence.Admit(0, nlohmann::json{{"name", "heartbeat-1"}}), std::nullopt);
  EXPECT_EQ(fence.Highest(0), 7);
}

TEST(EpochFence, RestartedConsumerStillRefuses) {
  test::ScratchDir dir;
  std::string file = dir / "epochs.json";
  {
    EpochFence fence(file);
    EXPECT_EQ(fence.Admit(2, Event(9)), std::nullopt);
  }
  EpochFence again(file);
  EXPECT_EQ(again.Highest(2), 9);
  EXPECT_TRUE(again.Admit(2, Event(8)).has_value());
  // An unreadable file starts empty instead of stopping the consumer.
  WriteFileAtomic(file, "garbage");
  EpochFence fresh(file);
  EXPECT_EQ(fresh.Highest(2), 0);
}

}  // namespace
}  // namespace hgc
