// DisplayMessage against the lines of spec §3.5 and §7.3.
#include <gtest/gtest.h>

#include "message/message.h"

namespace hgc {
namespace {

std::string Show(const nlohmann::json& body) {
  return DisplayMessage(DecodeMessage(EncodeMessage(body)));
}

TEST(DisplayMessageTest, EveryType) {
  const std::string n1 = "4c9443886fe8a3b8d2cbbc5d30e0d3cf2f0e5b27";
  const std::string n2 = "4b11352745a6b2c5d9e7f8a0b1c2d3e4f5a6b7c8";
  EXPECT_EQ(Show(MakeHeartbeat(1)), "heartbeat-1");
  EXPECT_EQ(Show(MakeRepoInit("{moz}/mozilla-central", true, 1)),
            "hg-repo-init-2: (repo: {moz}/mozilla-central)");
  EXPECT_EQ(Show(MakeHgrcUpdate("{moz}/a", "x", 1)), "hg-hgrc-update-1: (repo: {moz}/a)");
  EXPECT_EQ(Show(MakeRepoDelete("{moz}/a", 1)), "hg-repo-delete-1: (repo: {moz}/a)");
  EXPECT_EQ(Show(MakeChangegroup("{moz}/mozilla-central", "serve", 4, {n1, n2}, 1)),
            "hg-changegroup-2: (repo: {moz}/mozilla-central, heads: ['4c9443886fe8', "
            "'4b11352745a6'])");
  EXPECT_EQ(Show(MakePushkey("{moz}/mozilla-central", "bookmarks", "my-bookmark", "", n1, 0, 1)),
            "hg-pushkey-1: (repo: {moz}/mozilla-central, namespace/key: bookmarks/my-bookmark)");
  EXPECT_EQ(Show(MakeRepoSync("{moz}/mozilla-central", {}, std::nullopt,
                              {"0000000000000000000000000000000000000000"}, false, 1)),
            "hg-repo-sync-2: (repo: {moz}/mozilla-central, heads: ['000000000000'], "
            "bootstrap: False)");
  EXPECT_EQ(Show(MakeRepoSync("{moz}/a", {}, std::nullopt, {}, true, 1)),
            "hg-repo-sync-2: (repo: {moz}/a, heads: [], bootstrap: True)");
  EXPECT_EQ(
      Show(MakeHeads("{moz}/mozilla-central", {"77538e1ce4bec5f7aac58a7ceca2da0e38e90a72"}, 1, 1)),
      "hg-heads-1: (repo: {moz}/mozilla-central, heads: ['77538e1ce4be'], "
      "last_push_id: 1)");
  EXPECT_EQ(Show(MakeHeads("{moz}/a", {}, std::nullopt, 1)),
            "hg-heads-1: (repo: {moz}/a, heads: [], last_push_id: None)");
}

TEST(DisplayMessageTest, LegacyTypes) {
  EXPECT_EQ(Show({{"name", "hg-repo-init-1"}, {"path", "{moz}/a"}}),
            "hg-repo-init-1: (repo: {moz}/a)");
  EXPECT_EQ(Show({{"name", "hg-changegroup-1"},
                  {"path", "{moz}/a"},
                  {"source", "push"},
                  {"nodes", {"abc"}},
                  {"heads", {"abc"}}}),
            "hg-changegroup-1: (repo: {moz}/a, heads: ['abc'])");
  EXPECT_EQ(Show({{"name", "hg-repo-sync-1"},
                  {"path", "{moz}/a"},
                  {"requirements", nlohmann::json::array()},
                  {"hgrc", nullptr},
                  {"heads", {"abc"}}}),
            "hg-repo-sync-1: (repo: {moz}/a, heads: ['abc'])");
}

TEST(DisplayMessageTest, MoreThan25HeadsAreCounted) {
  std::vector<std::string> heads;
  for (int i = 0; i < 27; ++i) heads.push_back(std::string(40, static_cast<char>('a' + i % 6)));
  const std::string shown = Show(MakeChangegroup("p", "serve", 27, heads, 1));
  EXPECT_EQ(shown.find("'aaaaaaaaaaaa', 'bbbbbbbbbbbb'"), shown.find("'aaaa"));
  EXPECT_TRUE(shown.ends_with("'aaaaaaaaaaaa'] and 2 more)")) << shown;
  heads.resize(25);
  EXPECT_TRUE(Show(MakeChangegroup("p", "serve", 25, heads, 1)).ends_with("'aaaaaaaaaaaa'])"));
}

}  // namespace
}  // namespace hgc
