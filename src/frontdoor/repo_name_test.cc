#include "frontdoor/repo_name.h"

#include <gtest/gtest.h>

namespace hgc {
namespace {

TEST(RepoNameTest, AcceptsTheSpecsValidNames) {
  for (const char* name : {"reponame", "repo/name", "100repos", "1.repo.name", "1-repo-name",
                           "1_repo_name", "a/b/c", "mozilla-central", "projects/ash"}) {
    auto v = ValidateRepoName(name);
    ASSERT_TRUE(v.has_value()) << name;
    EXPECT_EQ(*v, name);
  }
}

TEST(RepoNameTest, RefusesANameLongerThanARepositoryPathMayBe) {
  std::string longest(1024, 'a');
  for (size_t i = 100; i < longest.size(); i += 100) longest[i] = '/';
  EXPECT_TRUE(ValidateRepoName(longest).has_value());
  EXPECT_FALSE(ValidateRepoName(longest + "b").has_value());
  EXPECT_TRUE(ValidateRepoName(longest + "/").has_value()) << "the trailing slash is dropped first";
}

TEST(RepoNameTest, DropsTrailingSlash) {
  EXPECT_EQ(ValidateRepoName("reponame/").value_or("?"), "reponame");
  EXPECT_EQ(ValidateRepoName("repo/name/").value_or("?"), "repo/name");
}

TEST(RepoNameTest, RejectsTheSpecsInvalidNames) {
  for (const char* name :
       {"",      "/",         "/reponame",  "a//b",        ".hidden",    "a/.hidden",
        "..",    "a/../b",    "../etc",     "-R",          "a/-x",       "~user",
        "!bang", "repo name", "repo\tname", "repo.hg",     "x/repo.git", "repo.git/x",
        "re$po", "re;po",     "re`po",      "r\xc3\xa9po", "repo\n",     "a/b\n"}) {
    EXPECT_FALSE(ValidateRepoName(name).has_value()) << "'" << name << "'";
  }
  EXPECT_FALSE(ValidateRepoName(std::string("re\0po", 5)).has_value());
}

TEST(RepoNameTest, RefusalIsTheReferencesTwoLines) {
  EXPECT_STREQ(kInvalidRepoNameMessage,
               "Only alpha-numeric characters, \".\", \"_\", and \"-\" are allowed in repository\n"
               "names.  Additionally the first character of repository names must be "
               "alpha-numeric.\n");
}

}  // namespace
}  // namespace hgc
