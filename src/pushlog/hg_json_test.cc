#include "pushlog/hg_json.h"

#include <gtest/gtest.h>

namespace hgc {
namespace {

// The doctests of mercurial/encoding.py jsonescape(paranoid=True).
TEST(HgJson, MatchesMercurialParanoidEscaping) {
  EXPECT_EQ(HgJsonString("this is a test"), "\"this is a test\"");
  EXPECT_EQ(HgJsonString(std::string("escape characters: \0 \x0b \x7f", 24)),
            R"("escape characters: \u0000 \u000b \u007f")");
  EXPECT_EQ(HgJsonString("escape characters: \b \t \n \f \r \" \\"),
            R"("escape characters: \b \t \n \f \r \" \\")");
  EXPECT_EQ(HgJsonString("escape boundary: \x7e \x7f \xc2\x80"),
            R"("escape boundary: ~ \u007f \u0080")");
  EXPECT_EQ(HgJsonString("a weird byte: \xdd"), R"("a weird byte: \udcdd")");
  EXPECT_EQ(HgJsonString("utf-8: caf\xc3\xa9"), R"("utf-8: caf\u00e9")");
  EXPECT_EQ(HgJsonString("non-BMP: \xf0\x9d\x84\x9e"), R"("non-BMP: \ud834\udd1e")");
  EXPECT_EQ(HgJsonString("<foo@example.org>"), R"("\u003cfoo@example.org\u003e")");
  EXPECT_EQ(HgJsonString(""), "\"\"");
}

}  // namespace
}  // namespace hgc
