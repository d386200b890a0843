// Path and URL rewrites of spec §2.4 and §2.5.
#include "routing/rewrites.h"

#include <gtest/gtest.h>

namespace hgc {
namespace {

TEST(LeaderRootToWirePathTest, LowerCasedMatchKeepsRemainderCase) {
  const RewriteRules rules = {{"/repo/hg/mozilla/", "{moz}/"}};
  EXPECT_EQ(LeaderRootToWirePath(rules, "/repo/hg/mozilla/integration/autoland"),
            "{moz}/integration/autoland");
  EXPECT_EQ(LeaderRootToWirePath(rules, "/REPO/hg/Mozilla/Users/Foo"), "{moz}/Users/Foo");
  EXPECT_EQ(LeaderRootToWirePath(rules, "/tmp/repo0"), std::nullopt);
  // Sources are compared as written: an upper-case source never matches.
  EXPECT_EQ(LeaderRootToWirePath({{"/Repo/", "x/"}}, "/Repo/a"), std::nullopt);
}

TEST(LeaderRootToWirePathTest, FirstRuleInFileOrderWins) {
  const RewriteRules rules = {{"/repo/", "a/"}, {"/repo/hg/", "b/"}};
  EXPECT_EQ(LeaderRootToWirePath(rules, "/repo/hg/x"), "a/hg/x");
}

TEST(WirePathToLocalTest, PrefixReplacedOnlyAtStart) {
  const RewriteRules rules = {{"{moz}", "/repo/hg/mozilla"}};
  EXPECT_EQ(WirePathToLocal(rules, "{moz}/mozilla-central"), "/repo/hg/mozilla/mozilla-central");
  // The reference's str.replace would also rewrite the second "{moz}".
  EXPECT_EQ(WirePathToLocal(rules, "{moz}/users/{moz}"), "/repo/hg/mozilla/users/{moz}");
}

TEST(WirePathToLocalTest, NoMatchIsVerbatimAndCaseSensitive) {
  const RewriteRules rules = {{"{moz}", "/repo"}};
  EXPECT_EQ(WirePathToLocal(rules, "{MOZ}/a"), "{MOZ}/a");
  EXPECT_EQ(WirePathToLocal({}, "{moz}/projects/ash"), "{moz}/projects/ash");
  EXPECT_EQ(WirePathToLocal({{"{moz}/a", "/1"}, {"{moz}", "/2"}}, "{moz}/ab"), "/1b");
}

TEST(WirePathToPullUrlTest, ValuePlusRemainder) {
  EXPECT_EQ(WirePathToPullUrl({{"{moz}/", "ssh://hgssh/"}}, "{moz}/mozilla-central"),
            "ssh://hgssh/mozilla-central");
  EXPECT_EQ(WirePathToPullUrl({{"{moz}", "ssh://host:123"}}, "{moz}/mozilla-central"),
            "ssh://host:123/mozilla-central");
  EXPECT_EQ(WirePathToPullUrl({{"{moz}/", "ssh://hgssh/"}}, "other/x"), std::nullopt);
  EXPECT_EQ(WirePathToPullUrl({}, "{moz}/x"), std::nullopt);
}

}  // namespace
}  // namespace hgc
