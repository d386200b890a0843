// Expectations below were produced by the reference's regular expressions
// (mozautomation/commitparser.py) on the same texts.
#include "pushlog/commit_message.h"

#include <gtest/gtest.h>

namespace hgc {
namespace {

using Strings = std::vector<std::string>;

struct Case {
  const char* text;
  std::vector<int64_t> bugs;
  Strings reviewers;
  std::optional<Strings> backouts;
  std::optional<Strings> reverts;
};

const Case kCases[] = {
    {"Bug 1234567 - Fix the thing r=alice,bob a=carol",
     {1234567},
     {"alice", "bob", "carol"},
     std::nullopt,
     std::nullopt},
    {"bug 123456: foo; r?dave sr=eve", {123456}, {"dave", "eve"}, std::nullopt, std::nullopt},
    {"Bumping gaia.json for 2 gaia revision(s) a=gaia-bump\n\nbug 12345678 b=222",
     {12345678, 222},
     {"gaia-bump"},
     std::nullopt,
     std::nullopt},
    {"12345 - leading number", {12345}, {}, std::nullopt, std::nullopt},
    {"Fix for #123456 and bug#7 and debug 99 and b=1000 and 1234 and 123456789012",
     {123456, 7, 99, 1000},
     {},
     std::nullopt,
     std::nullopt},
    {"Merge mozilla-central to autoland", {}, {}, std::nullopt, std::nullopt},
    {"Bug 1 - foo (r=alice.) [r=bob] .r=carol ;r=dave, r=x/y\\z r=",
     {1},
     {"alice", "bob", "carol", "dave", "x", "y", "z"},
     std::nullopt,
     std::nullopt},
    {"Bug 1 - foo r=alice, a=bob r=Some.Name_1- sr=eve,r=frank",
     {1},
     {"alice", "bob", "Some.Name_1-", "eve", "frank"},
     std::nullopt,
     std::nullopt},
    {"Backed out changeset 0123456789ab (bug 1000) for failures",
     {1000},
     {},
     Strings{"0123456789ab"},
     std::nullopt},
    {"Backed out changeset 0123456789abcdef (bug 1000)", {1000}, {}, std::nullopt, std::nullopt},
    {"Backout 0123456789AB", {}, {}, Strings{"0123456789AB"}, std::nullopt},
    {"Backed out 2 changesets (bug 1234567) for bustage\n\nBacked out changeset 111111111111 (bug "
     "1234567)\nBacked out changeset 222222222222 (bug 1234567)",
     {1234567},
     {},
     Strings{"111111111111", "222222222222"},
     std::nullopt},
    {"Backed out changesets 111111111111, 222222222222 and 333333333333 (bug 5)",
     {5},
     {},
     Strings{"111111111111", "222222222222", "333333333333"},
     std::nullopt},
    {"Backed out  111111111111 and 222222222222", {}, {}, Strings{"111111111111"}, std::nullopt},
    {"Back out  111111111111,222222222222", {}, {}, Strings{"111111111111"}, std::nullopt},
    {"backed outs 111111111111", {}, {}, std::nullopt, std::nullopt},
    {"Revert \"Bug 123456 - x\"\n\nThis reverts commit "
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.\nThis reverts commit "
     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.",
     {123456},
     {},
     std::nullopt,
     Strings{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}},
    {"Bug 1 - x\n\nSource-Repo: https://github.com/mozilla/foo\nSource-Revision: 1234567\nb=99999 "
     "bug 3",
     {1, 99999, 3},
     {},
     std::nullopt,
     std::nullopt},
    {"Bug 1 - x\r\nr=notfirstline", {1}, {}, std::nullopt, std::nullopt},
    {"", {}, {}, std::nullopt, std::nullopt},
    {"bug 100000000 bug 99999999 bug 0012", {99999999, 12}, {}, std::nullopt, std::nullopt},
};

TEST(CommitMessageTest, ReadsBugsReviewersBackoutsAndRevertsAsTheReferenceDoes) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(ParseBugs(c.text), c.bugs);
    EXPECT_EQ(ParseReviewers(c.text), c.reviewers);
    EXPECT_EQ(ParseBackouts(c.text), c.backouts);
    EXPECT_EQ(ParseReverts(c.text), c.reverts);
  }
}

TEST(CommitMessageTest, AMegabyteOfDigitsAndFlagsIsScannedInLinearTime) {
  std::string huge(1 << 20, '7');
  huge += " r=" + std::string(1 << 20, 'a') + ",b";
  // The reference's int() refuses 4,300 digits and more; here the number is
  // simply above the bug number limit.
  EXPECT_TRUE(ParseBugs(huge).empty());
  Strings reviewers = ParseReviewers(huge);
  ASSERT_EQ(reviewers.size(), 2u);
  EXPECT_EQ(reviewers[0].size(), size_t{1} << 20);
  EXPECT_EQ(reviewers[1], "b");
}

TEST(CommitMessageTest, LinesAreCutAsPythonCutsBytes) {
  EXPECT_EQ(SplitLines("a\r\nb\rc\n\nd"), (std::vector<std::string_view>{"a", "b", "c", "", "d"}));
  EXPECT_TRUE(SplitLines("").empty());
  EXPECT_EQ(SplitLines("x\n"), (std::vector<std::string_view>{"x"}));
}

TEST(CommitMessageTest, BugMentionsAreWhereTheWebsubRuleLinks) {
  std::string text = "Bug 123 - x; see bug #45, BUG6789, debug 7, bug 1234567890, bug";
  auto found = FindBugMentions(text);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(text.substr(found[0].begin, found[0].end - found[0].begin), "Bug 123");
  EXPECT_EQ(found[0].number, "123");
  EXPECT_EQ(text.substr(found[1].begin, found[1].end - found[1].begin), "bug #45");
  EXPECT_EQ(found[1].number, "45");
  EXPECT_EQ(found[2].number, "6789");
  EXPECT_TRUE(FindBugMentions(std::string(1 << 20, 'b')).empty());
}

}  // namespace
}  // namespace hgc
