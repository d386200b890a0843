#include <gtest/gtest.h>
#include <stdlib.h>

#include "hg/hg_runner.h"

namespace hgc {
namespace {

// The runner's environment, seen through `sh` standing in for hg (no -R, no
// --config: argv is the program and the arguments as given).
std::string EnvSeen(HgProcessOptions o) {
  o.hg = "sh";
  ProcessResult r = MakeProcessHgRunner(o)->Run(
      "", {"-c",
           "echo \"${HGPLAIN-unset}|${HGRCPATH-unset}|${HGENCODING}|${USER}|"
           "${HG_PENDING-unset}\""});
  EXPECT_TRUE(r.ok()) << r.err;
  return r.out;
}

TEST(ProcessHgRunner, FixesHgrcpathAndPlainAndDropsAHooksPendingState) {
  setenv("HGRCPATH", "/operator/hgrc", 1);
  setenv("HG_PENDING", "/leader/repo", 1);
  HgProcessOptions o;
  o.hgrcpath = "/cluster/hgrc";
  o.env = {{"USER", "dev@example.com"}};
  EXPECT_EQ(EnvSeen(o), "1|/cluster/hgrc|UTF-8|dev@example.com|unset\n");
  // Output shown to a user as hg shows it; the operator's configuration.
  setenv("HGPLAIN", "1", 1);
  o.plain = false;
  o.keep_hgrcpath = true;
  EXPECT_EQ(EnvSeen(o), "unset|/operator/hgrc|UTF-8|dev@example.com|unset\n");
  unsetenv("HGPLAIN");
  unsetenv("HG_PENDING");
  unsetenv("HGRCPATH");
}

}  // namespace
}  // namespace hgc
