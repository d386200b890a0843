#include "web/proxy_retry.h"

#include <gtest/gtest.h>

namespace hgc {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

bool Idempotent(std::string_view method, std::string_view query, const Headers& headers = {},
                std::string_view body = "") {
  return IsIdempotentRequest({method, query, &headers, body});
}

TEST(ProxyRetryTest, PagesReadWithGetOrHeadAreIdempotent) {
  EXPECT_TRUE(Idempotent("GET", ""));
  EXPECT_TRUE(Idempotent("HEAD", ""));
  EXPECT_TRUE(Idempotent("GET", "style=gitweb"));
  EXPECT_FALSE(Idempotent("POST", ""));
  EXPECT_FALSE(Idempotent("PUT", ""));
}

TEST(ProxyRetryTest, ReadOnlyWireCommandsAreIdempotentWhateverTheMethod) {
  for (const char* cmd : {"capabilities", "heads", "known", "getbundle", "listkeys", "lookup",
                          "branchmap", "clonebundles", "protocaps", "stream_out"}) {
    EXPECT_TRUE(Idempotent("GET", std::string("cmd=") + cmd)) << cmd;
    EXPECT_TRUE(Idempotent("POST", std::string("cmd=") + cmd)) << cmd;
  }
  EXPECT_EQ(WireCommandOf("a=1&cmd=getbundle&b=2"), "getbundle");
  EXPECT_EQ(WireCommandOf("a=1"), "");
}

TEST(ProxyRetryTest, WriteAndUnknownCommandsAreNot) {
  EXPECT_FALSE(Idempotent("POST", "cmd=unbundle"));
  EXPECT_FALSE(Idempotent("GET", "cmd=unbundle"));
  EXPECT_FALSE(Idempotent("POST", "cmd=pushkey"));
  EXPECT_FALSE(Idempotent("GET", "cmd=pushkey"));
  EXPECT_FALSE(Idempotent("GET", "cmd=somethingnew"));
}

TEST(ProxyRetryTest, ABatchIsOnlyAsSafeAsItsCommands) {
  // Arguments in headers (hg's default), percent-encoded.
  EXPECT_TRUE(Idempotent("GET", "cmd=batch",
                         {{"X-HgArg-1", "cmds=heads+%3Bknown+nodes%3D"}}));
  EXPECT_FALSE(Idempotent("GET", "cmd=batch",
                          {{"X-HgArg-1", "cmds=heads+%3Bpushkey+key%3Dfoo"}}));
  // Spread over two headers and percent-encoded letter by letter.
  EXPECT_FALSE(Idempotent("GET", "cmd=batch",
                          {{"x-hgarg-1", "cmds=heads+%3B"}, {"x-hgarg-2", "%75nbundle"}}));
  // httppostargs: arguments are the first X-HgArgs-Post bytes of the body.
  std::string args = "cmds=heads+%3Bpushkey+namespace%3Dbookmarks";
  EXPECT_FALSE(Idempotent("POST", "cmd=batch", {{"X-HgArgs-Post", std::to_string(args.size())}},
                          args + "BUNDLEDATA"));
  std::string safe = "cmds=heads+%3Bknown+nodes%3D";
  EXPECT_TRUE(Idempotent("POST", "cmd=batch", {{"X-HgArgs-Post", std::to_string(safe.size())}},
                         safe + "pushkey-looking payload past the arguments"));
  // In the query string.
  EXPECT_FALSE(Idempotent("GET", "cmd=batch&cmds=pushkey+key%3Dx"));
}

}  // namespace
}  // namespace hgc
