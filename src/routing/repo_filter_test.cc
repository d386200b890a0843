// [replicationrules] filtering: the rule sets of the reference's
// test-filter.t (spec §7.1, §7.3 (7)) and the fixed quirks of §3.6.
#include "routing/repo_filter.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace hgc {
namespace {

using Decision = RepoFilter::Decision;

void ExpectDecision(const RepoFilter& filter, const std::string& path, bool pass,
                    const std::string& rule) {
  const Decision d = filter.Evaluate(path);
  EXPECT_EQ(d.pass, pass) << path;
  EXPECT_EQ(d.rule, rule) << path;
}

TEST(RepoFilterTest, NoRulesPassesEverything) {
  ExpectDecision(RepoFilter(), "{moz}/anything", true, "nofilter");
  ExpectDecision(RepoFilter::FromEntries({}), "{moz}/anything", true, "nofilter");
}

TEST(RepoFilterTest, FilteredConsumerRules) {
  const RepoFilter f = RepoFilter::FromEntries({
      {"include.projects", "re:\\{moz\\}/projects/.*"},
      {"include.central", "path:{moz}/mozilla-central"},
      {"exclude.unified", "path:{moz}/mozilla-unified"},
      {"exclude.users", "re:\\{moz\\}/users/.*"},
  });
  ExpectDecision(f, "{moz}/mozilla-unified", false, "unified");
  ExpectDecision(f, "{moz}/projects/ash", true, "projects");
  ExpectDecision(f, "{moz}/mozilla-central", true, "central");
  ExpectDecision(f, "{moz}/users/cosheehan_mozilla.com/vct", false, "users");
  ExpectDecision(f, "{moz}/other", false, "noinclude");
}

TEST(RepoFilterTest, FilteredConsumerDefaultRules) {
  const RepoFilter f = RepoFilter::FromEntries({
      {"exclude.ash", "path:{moz}/projects/ash"},
      {"include.all", "re:\\{moz\\}/.*"},
  });
  ExpectDecision(f, "{moz}/mozilla-unified", true, "all");
  ExpectDecision(f, "{moz}/projects/ash", false, "ash");
  ExpectDecision(f, "{moz}/mozilla-central", true, "all");
  ExpectDecision(f, "{moz}/users/cosheehan_mozilla.com/vct", true, "all");
  ExpectDecision(f, "elsewhere/x", false, "noinclude");
}

TEST(RepoFilterTest, ReportsTheRuleThatMatched) {
  // The reference names the first regex group ("a") whichever matched.
  const RepoFilter f = RepoFilter::FromEntries({
      {"include.a", "re:x/"},
      {"include.b", "re:y/"},
      {"exclude.c", "re:q/"},
      {"exclude.d", "re:z/"},
  });
  ExpectDecision(f, "y/1", true, "b");
  ExpectDecision(f, "z/1", false, "d");
}

TEST(RepoFilterTest, PathRulesBeatRegexesIncludesBeatExcludes) {
  const RepoFilter f = RepoFilter::FromEntries({
      {"exclude.all", "re:.*"},
      {"include.one", "path:a/b"},
      {"exclude.one", "path:a/b"},
      {"exclude.two", "path:a/c"},
      {"include.rest", "re:a/"},
  });
  ExpectDecision(f, "a/b", true, "one");
  ExpectDecision(f, "a/c", false, "two");
  ExpectDecision(f, "a/d", false, "all");  // an exclude regex overrides an include regex
}

TEST(RepoFilterTest, RegexesAnchoredAtStartOnlyAndPathsExact) {
  const RepoFilter f = RepoFilter::FromEntries({{"include.p", "re:abc"}, {"include.q", "path:x"}});
  ExpectDecision(f, "abcdef", true, "p");
  ExpectDecision(f, "zabc", false, "noinclude");
  ExpectDecision(f, "x/y", false, "noinclude");
}

TEST(RepoFilterTest, PatternsMayContainColons) {
  const RepoFilter f =
      RepoFilter::FromEntries({{"include.url", "path:ssh://host/repo"}, {"include.re", "re:a:b"}});
  ExpectDecision(f, "ssh://host/repo", true, "url");
  ExpectDecision(f, "a:bc", true, "re");
}

TEST(RepoFilterTest, BadEntriesNamed) {
  const std::pair<std::string, std::string> bad[] = {
      {"include.x", "glob:*"}, {"include.x", "nocolon"}, {"allow.x", "path:a"},
      {"include", "path:a"},   {"include.", "path:a"},   {"include.x", "re:("},
  };
  for (const auto& entry : bad) {
    try {
      RepoFilter::FromEntries({entry});
      ADD_FAILURE() << entry.first << " = " << entry.second;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kConfig);
      EXPECT_NE(std::string(e.what()).find(entry.first + " = " + entry.second), std::string::npos)
          << e.what();
    }
  }
  try {
    RepoFilter::FromEntries({{"include.x", "glob:*"}});
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad ruletype glob"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hgc
