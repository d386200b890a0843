#include "consumer/consumer_config.h"

#include <gtest/gtest.h>

#include "hg/repo_state.h"
#include "test_support.h"

namespace hgc {
namespace {

ConsumerConfig RoundTrip(const ConsumerConfig& c, const test::ScratchDir& dir) {
  std::string path = dir / "consumer.ini";
  WriteFileAtomic(path, ToIni(c, "written by a test"));
  return ConsumerConfig::Load(path);
}

TEST(ConsumerConfigIni, WhatUpWritesIsWhatTheConsumerReads) {
  test::ScratchDir dir;
  ConsumerConfig c;
  c.log_url = "sqlite:///srv/log.db";
  c.client_id = "mirror2";
  c.topic = "pushdata";
  c.group = "mirror2";
  c.poll_timeout = 0.25;
  c.workers = 6;
  c.bundle_store = "/srv/pushbundles";
  c.hgrcpath = "/srv/mirrors/mirror2/pull.rc";
  c.path_rewrites = {{"{moz}", "/srv/mirrors/mirror2/repos"}};
  c.pull_url_rewrites = {{"{moz}/", "ssh://vcs-sync@leader:22/"}};
  ConsumerConfig back = RoundTrip(c, dir);
  EXPECT_EQ(back.log_url, c.log_url);
  EXPECT_EQ(back.client_id, c.client_id);
  EXPECT_EQ(back.topic, c.topic);
  EXPECT_EQ(back.group, c.group);
  EXPECT_DOUBLE_EQ(back.poll_timeout, c.poll_timeout);
  EXPECT_EQ(back.workers, c.workers);
  EXPECT_EQ(back.bundle_store, c.bundle_store);
  EXPECT_EQ(back.hgrcpath, c.hgrcpath);
  EXPECT_EQ(back.path_rewrites, c.path_rewrites);
  EXPECT_EQ(back.pull_url_rewrites, c.pull_url_rewrites);
  EXPECT_EQ(WirePathToLocal(back.path_rewrites, "{moz}/central"),
            "/srv/mirrors/mirror2/repos/central");
}

TEST(ConsumerConfigIni, AHeadsConsumerHasNoStoreNoHgrcpathAndNoPullSource) {
  test::ScratchDir dir;
  ConsumerConfig c;
  c.log_url = "kafka://127.0.0.1:9092";
  c.client_id = c.group = "mirror1";
  c.topic = "replicatedpushdatapending";
  c.path_rewrites = {{"{moz}", "/r"}};
  std::string text = ToIni(c, "heads");
  EXPECT_EQ(text.find("bundle_store"), std::string::npos) << text;
  EXPECT_EQ(text.find("pull_url_rewrites"), std::string::npos) << text;
  ConsumerConfig back = RoundTrip(c, dir);
  EXPECT_EQ(back.log_url, c.log_url);
  EXPECT_EQ(back.topic, "replicatedpushdatapending");
  EXPECT_TRUE(back.bundle_store.empty());
  EXPECT_TRUE(back.pull_url_rewrites.empty());
}

}  // namespace
}  // namespace hgc
