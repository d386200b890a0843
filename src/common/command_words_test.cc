#include "common/command_words.h"

#include <gtest/gtest.h>

namespace hgc {
namespace {

using Words = std::vector<std::string>;

TEST(CommandWordsTest, SplitsLikeShlex) {
  EXPECT_EQ(SplitCommandWords("hg -R repo serve --stdio").value(),
            (Words{"hg", "-R", "repo", "serve", "--stdio"}));
  EXPECT_EQ(SplitCommandWords("  a\t b  ").value(), (Words{"a", "b"}));
  EXPECT_EQ(SplitCommandWords("hg -R 'my repo' serve").value(),
            (Words{"hg", "-R", "my repo", "serve"}));
  EXPECT_EQ(SplitCommandWords("a\"b c\"d e\\ f").value(), (Words{"ab cd", "e f"}));
  EXPECT_EQ(SplitCommandWords("''").value(), (Words{""}));
  EXPECT_TRUE(SplitCommandWords("").value().empty());
}

TEST(CommandWordsTest, UnterminatedQuoteIsAnError) {
  EXPECT_FALSE(SplitCommandWords("hg -R 'repo serve").has_value());
  EXPECT_FALSE(SplitCommandWords("a \"b").has_value());
  EXPECT_FALSE(SplitCommandWords("a\\").has_value());
}

}  // namespace
}  // namespace hgc
