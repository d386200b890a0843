#include "common/daemon_set.h"

#include <gtest/gtest.h>
#include <signal.h>

#include "common/error.h"
#include "hg/repo_state.h"
#include "test_support.h"

namespace hgc {
namespace {

TEST(DaemonSet, RestartsADaemonAndRerunsATimer) {
  test::ScratchDir dir;
  DaemonSet set("test");
  set.Add({"sleeper", {"sleep", "60"}, dir / "sleeper.log"});
  DaemonSpec timer{"ticker", {"sh", "-c", "echo tick >> " + dir / "ticks"}, dir / "t.log"};
  timer.every = 0.05;
  set.Add(timer);
  set.StartAll();
  int first = set.entries()[0].pid;
  ASSERT_GT(first, 0);
  kill(first, SIGKILL);
  ASSERT_TRUE(test::WaitFor([&] {
    set.Tick();
    int now = set.entries()[0].pid;
    return now > 0 && now != first;
  }, std::chrono::seconds(10)));
  ASSERT_TRUE(test::WaitFor([&] {
    set.Tick();
    return ReadFileOrEmpty(dir / "ticks") == "tick\ntick\ntick\n" ||
           ReadFileOrEmpty(dir / "ticks").size() > 15;
  }, std::chrono::seconds(10)));
  set.StopAll(std::chrono::seconds(5));
  EXPECT_EQ(set.entries()[0].pid, 0);
  EXPECT_FALSE(set.running());
}

}  // namespace
}  // namespace hgc
