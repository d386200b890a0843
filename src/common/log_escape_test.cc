// Outside text cannot add or end a line in our logs.
#include "common/log_escape.h"

#include <gtest/gtest.h>

namespace hgc {
namespace {

TEST(EscapeForLogTest, ControlCharactersCannotStartALine) {
  EXPECT_EQ(EscapeForLog("plain {moz}/a-b_c.d"), "plain {moz}/a-b_c.d");
  EXPECT_EQ(EscapeForLog("a\nb\r\tc"), "a\\nb\\r\\tc");
  EXPECT_EQ(EscapeForLog(std::string("x\0y\x1b[31m\x7f", 9)), "x\\x00y\\x1b[31m\\x7f");
  // A backslash in the input is doubled: "\\n" typed by a user is not our "\n".
  EXPECT_EQ(EscapeForLog("a\\nb"), "a\\\\nb");
  EXPECT_EQ(EscapeForLog("it's"), "it's");
  EXPECT_EQ(EscapeForLog("it's", "'"), "it\\'s");
  EXPECT_EQ(EscapeForLog("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(EscapeForLog("a\nb").find('\n'), std::string::npos);
}

TEST(EscapeControlTest, KeepsBackslashesEscapesLineBreaks) {
  EXPECT_EQ(EscapeControl("re:\\{moz\\}/.*"), "re:\\{moz\\}/.*");
  EXPECT_EQ(EscapeControl("one\ntwo"), "one\\ntwo");
}

}  // namespace
}  // namespace hgc
