// Wire-protocol arguments hg would fail on with a 500 are refused first.
#include "web/wire_args.h"

#include <gtest/gtest.h>

#include <string>

namespace hgc {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;
const std::string kA(40, 'a'), kB(40, 'b');

std::optional<std::string> Problem(const std::string& query, const Headers& headers = {},
                                   const std::string& body = "") {
  return WireRequestProblem({query, &headers, body});
}

TEST(WireArgsTest, WhatHgClientsSendPasses) {
  EXPECT_EQ(Problem("cmd=capabilities"), std::nullopt);
  EXPECT_EQ(Problem(""), std::nullopt);  // not a wire command: an hgweb page
  EXPECT_EQ(Problem("cmd=getbundle", {{"X-HgArg-1", "heads=" + kA + "+" + kB + "&com"},
                                      {"X-HgArg-2", "mon=" + kB + "&cg=1&bundlecaps=HG20"}}),
            std::nullopt);
  std::string post = "heads=" + kA + "&common=" + kB;
  EXPECT_EQ(Problem("cmd=getbundle", {{"X-HgArgs-Post", std::to_string(post.size())}},
                    post + "PAYLOAD"),
            std::nullopt);
  EXPECT_EQ(Problem("cmd=batch",
                    {{"X-HgArg-1", "cmds=heads+%3Bknown+nodes%3D" + kA + "+" + kB +
                                       "%3Blistkeys+namespace%3Dbookmarks"}}),
            std::nullopt);
  EXPECT_EQ(Problem("cmd=known&nodes="), std::nullopt);  // an empty list
  EXPECT_EQ(Problem("cmd=between&pairs=" + kA + "-" + kB), std::nullopt);
  EXPECT_EQ(Problem("cmd=lookup&key=tip"), std::nullopt);
  EXPECT_EQ(Problem("cmd=someextension&x=y"), std::nullopt);  // not ours to judge
}

TEST(WireArgsTest, MalformedArgumentsAreNamed) {
  EXPECT_EQ(Problem("cmd=getbundle&heads=zzz"),
            "getbundle: argument 'heads' must be 40-hex-digit node ids separated by space, not "
            "'zzz'");
  EXPECT_NE(Problem("cmd=getbundle&common=" + kA + "+" + kA.substr(1)), std::nullopt);
  EXPECT_EQ(Problem("cmd=known"), "known: missing argument 'nodes'");
  EXPECT_EQ(Problem("cmd=lookup"), "lookup: missing argument 'key'");
  EXPECT_EQ(Problem("cmd=batch&cmds=heads"),
            "batch: command 1 ('heads') must be 'NAME ARG=VALUE,...'");
  EXPECT_EQ(Problem("cmd=batch&cmds=heads+%3Bknown+nodes%3Dxyz"),
            "batch: known: argument 'nodes' must be 40-hex-digit node ids separated by space, "
            "not 'xyz'");
  EXPECT_EQ(Problem("cmd=batch&cmds=lookup+key"), "batch: argument 'key' of lookup must be NAME=VALUE");
  EXPECT_EQ(Problem("cmd=batch&cmds=lookup+a%3D1"), "batch: lookup: missing argument 'key'");
  EXPECT_NE(Problem("cmd=between&pairs=" + kA + kB), std::nullopt);
  EXPECT_EQ(Problem("cmd=getbundle", {{"X-HgArgs-Post", "12x"}}),
            "X-HgArgs-Post must be the byte count of the arguments in the body");
  EXPECT_EQ(Problem("cmd=getbundle", {{"X-HgArgs-Post", "100"}}, "heads="),
            "X-HgArgs-Post says 100 bytes of arguments, the body has 6");
  // A batch argument escaped as hg escapes it (":e" is '=') is unescaped first.
  EXPECT_EQ(Problem("cmd=batch&cmds=lookup+key%3Da%3Ae"), std::nullopt);
}

}  // namespace
}  // namespace hgc
