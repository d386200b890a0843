// What `hgcluster up` writes for a notifier (ToIni) is what the notifier
// reads (Load): the consumer section and the webhooks section.
#include "notify/notifier_config.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "notify/webhook_sink.h"

namespace hgc {
namespace {

TEST(NotifierConfigIni, WhatUpWritesIsWhatTheNotifierReads) {
  NotifierConfig c;
  c.hg = "/opt/hg/bin/hg";
  c.log_url = "kafka://k1:9092,k2:9092";
  c.client_id = "webhooks";
  c.topic = "replicatedpushdata";
  c.group = "webhooks";
  c.poll_timeout = 0.25;
  c.allow_symlinks = true;
  c.path_rewrites = {{"{moz}", "/repo/hg/mozilla"}};
  c.public_url_rewrites = {{"{moz}/", "https://hg.example.org/"}};
  c.ignore_paths = {"{moz}/users/", "{moz}/try"};
  std::string text = ToIni(c, "webhooksconsumer", "written by a test");
  NotifierConfig back = NotifierConfig::Load(IniFile::Parse(text), "webhooksconsumer");
  EXPECT_EQ(back.hg, c.hg);
  EXPECT_EQ(back.log_url, c.log_url);
  EXPECT_EQ(back.client_id, c.client_id);
  EXPECT_EQ(back.topic, c.topic);
  EXPECT_EQ(back.group, c.group);
  EXPECT_DOUBLE_EQ(back.poll_timeout, c.poll_timeout);
  EXPECT_TRUE(back.allow_symlinks);
  EXPECT_EQ(back.path_rewrites, c.path_rewrites);
  EXPECT_EQ(back.public_url_rewrites, c.public_url_rewrites);
  EXPECT_EQ(back.ignore_paths, c.ignore_paths);
  EXPECT_EQ(back.PublicUrl("{moz}/central"), "https://hg.example.org/central");
  EXPECT_TRUE(back.Ignored("{moz}/users/pat/x"));
}

TEST(NotifierConfigIni, DefaultsLeaveOptionalSectionsOut) {
  NotifierConfig c;
  c.log_url = "sqlite:///srv/log.db";
  c.client_id = c.group = "pulse";
  c.topic = "replicatedpushdata";
  std::string text = ToIni(c, "pulseconsumer", "pulse");
  for (const char* absent : {"[programs]", "allow_symlinks", "[ignore_paths]", "_rewrites]"}) {
    EXPECT_EQ(text.find(absent), std::string::npos) << absent << " in\n" << text;
  }
  NotifierConfig back = NotifierConfig::Load(IniFile::Parse(text), "pulseconsumer");
  EXPECT_EQ(back.hg, "hg");
  EXPECT_FALSE(back.allow_symlinks);
  EXPECT_TRUE(back.ignore_paths.empty());
}

TEST(WebhooksConfigIni, TargetsSecretAndTimeoutsRoundTrip) {
  WebhooksConfig c;
  c.secret = "s3cret";
  c.targets = {{"ci", "http://127.0.0.1:8080/hook"}, {"bots", "https://bots.example/hg"}};
  c.connect_timeout = std::chrono::milliseconds(2500);
  c.timeout = std::chrono::milliseconds(45000);
  WebhooksConfig back = WebhooksConfig::Load(IniFile::Parse(ToIni(c)));
  EXPECT_EQ(back.secret, c.secret);
  ASSERT_EQ(back.targets.size(), 2u);
  EXPECT_EQ(back.targets[0].name, "ci");
  EXPECT_EQ(back.targets[0].url, "http://127.0.0.1:8080/hook");
  EXPECT_EQ(back.targets[1].name, "bots");
  EXPECT_EQ(back.targets[1].url, "https://bots.example/hg");
  EXPECT_EQ(back.connect_timeout, c.connect_timeout);
  EXPECT_EQ(back.timeout, c.timeout);
}

TEST(WebhooksConfigIni, ATargetThatIsNoUrlIsRefusedOnLoad) {
  WebhooksConfig c;
  c.secret = "s";
  c.targets = {{"ci", "not a url"}};
  EXPECT_THROW(WebhooksConfig::Load(IniFile::Parse(ToIni(c))), Error);
}

}  // namespace
}  // namespace hgc
