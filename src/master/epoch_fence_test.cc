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

bool Admitted(EpochFence& fence, int partition, const nlohmann::json& body) {
  auto v = fence.Admit(partition, body);
  return !v.drop && v.line.empty();
}

TEST(EpochFence, DropsLowerEpochsPerPartitionInLogOrder) {
  EpochFence fence("");
  EXPECT_TRUE(Admitted(fence, 0, Event(3)));
  EXPECT_TRUE(Admitted(fence, 0, Event(3)));  // same master, later event
  EXPECT_TRUE(Admitted(fence, 0, Event(5, "hgssh2")));
  auto heads = Event(3);
  heads["name"] = "hg-heads-1";
  auto refused = fence.Admit(0, heads);
  EXPECT_TRUE(refused.drop);
  EXPECT_EQ(refused.line,
            "dropping hg-heads-1 from deposed master hgssh1 (epoch 3; partition 0 is at "
            "epoch 5); to replicate what it wrote, run `hg replicatesync` in {moz}/try on the "
            "master");
  auto beat = nlohmann::json{{"name", "heartbeat-1"}, {"_master_epoch", 1}};
  EXPECT_TRUE(fence.Admit(0, beat).drop);
  // A late changegroup is applied: its changesets are in the shared store.
  auto late = fence.Admit(0, Event(3));
  EXPECT_FALSE(late.drop);
  EXPECT_EQ(late.line,
            "applying hg-changegroup-2 from deposed master hgssh1 (epoch 3; partition 0 is at "
            "epoch 5): its changesets are in the shared repository");
  // Another partition has not seen the new master yet: the old one's events
  // written before the failover are still good there.
  EXPECT_TRUE(Admitted(fence, 1, heads));
  EXPECT_EQ(fence.Highest(0), 5);
  EXPECT_EQ(fence.Highest(1), 3);
}

TEST(EpochFence, AggregatedEventsAreFencedByTheirSourcePartition) {
  EpochFence fence("");
  auto from = [](int source, int64_t epoch) {
    auto e = Event(epoch);
    e["name"] = "hg-heads-1";
    e["_original_partition"] = source;
    return e;
  };
  // On the one aggregated partition, source 3's new master comes before
  // source 5's last event of the old one: both are in order.
  EXPECT_TRUE(Admitted(fence, 0, from(3, 9)));
  EXPECT_TRUE(Admitted(fence, 0, from(5, 4)));
  EXPECT_TRUE(fence.Admit(0, from(3, 4)).drop);
}

TEST(EpochFence, EventsWithoutAnEpochPass) {
  EpochFence fence("");
  EXPECT_TRUE(Admitted(fence, 0, Event(7)));
  EXPECT_TRUE(Admitted(fence, 0, nlohmann::json{{"name", "heartbeat-1"}}));
  EXPECT_EQ(fence.Highest(0), 7);
}

TEST(EpochFence, RestartedConsumerStillRefuses) {
  test::ScratchDir dir;
  std::string file = dir / "epochs.json";
  {
    EpochFence fence(file);
    EXPECT_TRUE(Admitted(fence, 2, Event(9)));
  }
  EpochFence again(file);
  EXPECT_EQ(again.Highest(2), 9);
  auto stale = Event(8);
  stale["name"] = "hg-pushkey-1";
  EXPECT_TRUE(again.Admit(2, stale).drop);
  // An unreadable file starts empty instead of stopping the consumer.
  WriteFileAtomic(file, "garbage");
  EpochFence fresh(file);
  EXPECT_EQ(fresh.Highest(2), 0);
}

}  // namespace
}  // namespace hgc
