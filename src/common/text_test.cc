#include "common/text.h"

#include <gtest/gtest.h>

namespace hgc {
namespace {

TEST(Text, TrimsAsciiWhitespaceOnly) {
  EXPECT_EQ(Trim(" \t\r\n value \v\f\n"), "value");
  EXPECT_EQ(Trim("   "), "");
  EXPECT_EQ(Trim("a b"), "a b");
  EXPECT_EQ(Trim("\xc2\xa0x\xc2\xa0"), "\xc2\xa0x\xc2\xa0");  // NBSP is not ASCII space
  EXPECT_EQ(TrimRight("  node\r\n"), "  node");
  EXPECT_EQ(TrimTrailingSlashes("http://h/b//"), "http://h/b");
  EXPECT_EQ(TrimTrailingSlashes("/"), "");
}

TEST(Text, LowersAsciiLettersOnly) {
  EXPECT_EQ(Lower("Content-LENGTH"), "content-length");
  EXPECT_EQ(Lower("\xc3\x89T\xc3\x89"), "\xc3\x89t\xc3\x89");
}

}  // namespace
}  // namespace hgc
