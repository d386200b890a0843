#include "aggregator/aggregator_config.h"

#include <gtest/gtest.h>

#include "hg/repo_state.h"
#include "test_support.h"

namespace hgc {
namespace {

TEST(AggregatorConfigIni, WhatUpWritesIsWhatTheAggregatorReads) {
  test::ScratchDir dir;
  AggregatorConfig c;
  c.log_url = "sqlite:///srv/log.db";
  c.client_id = "pushdataaggregator";
  c.monitor_topic = "replicatedpushdatapending";
  c.monitor_groups_file = "/srv/leader/pushdataaggregator_groups";
  c.ack_group = "pushdataaggregator";
  c.aggregate_topic = "replicatedpushdata";
  std::string path = dir / "aggregator.ini";
  WriteFileAtomic(path, ToIni(c, "written by a test"));
  AggregatorConfig back = AggregatorConfig::Load(path);
  EXPECT_EQ(back.log_url, c.log_url);
  EXPECT_EQ(back.client_id, c.client_id);
  EXPECT_EQ(back.monitor_topic, c.monitor_topic);
  EXPECT_EQ(back.monitor_groups_file, c.monitor_groups_file);
  EXPECT_EQ(back.ack_group, c.ack_group);
  EXPECT_EQ(back.aggregate_topic, c.aggregate_topic);
}

}  // namespace
}  // namespace hgc
