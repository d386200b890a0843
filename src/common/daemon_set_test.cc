#include "common/daemon_set.h"

#include <gtest/gtest.h>
#include <signal.h>

#include "common/clock.h"
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
  ASSERT_TRUE(test::WaitFor(
      [&] {
        set.Tick();
        int now = set.entries()[0].pid;
        return now > 0 && now != first;
      },
      std::chrono::seconds(10)));
  ASSERT_TRUE(test::WaitFor(
      [&] {
        set.Tick();
        return ReadFileOrEmpty(dir / "ticks") == "tick\ntick\ntick\n" ||
               ReadFileOrEmpty(dir / "ticks").size() > 15;
      },
      std::chrono::seconds(10)));
  set.StopAll(std::chrono::seconds(5));
  EXPECT_EQ(set.entries()[0].pid, 0);
  EXPECT_FALSE(set.running());
}

// A daemon that dies at once is restarted 1 s, 2 s, 4 s ... 30 s after each
// exit, and after a minute of good running 1 s again. Time is a
// ManualClock: the schedule is checked to the millisecond without waiting.
TEST(DaemonSet, RestartBackoffDoublesToThirtySecondsAndResetsAfterAMinute) {
  test::ScratchDir dir;
  ManualClock clock;
  DaemonSet set("test", clock);
  set.Add({"crasher", {"sh", "-c", "exit 3"}, dir / "crasher.log"});
  set.StartAll();
  auto pid = [&] { return set.entries()[0].pid; };
  ASSERT_GT(pid(), 0);
  // Real time passes while the child exits; the manual clock stands still.
  auto reaped = [&] {
    return test::WaitFor(
        [&] {
          set.Tick();
          return pid() == 0;
        },
        std::chrono::seconds(10));
  };
  auto restarted_after = [&](std::chrono::milliseconds due) {
    clock.Advance(due - std::chrono::milliseconds(1));
    set.Tick();
    if (pid() != 0) return false;  // too early
    clock.Advance(std::chrono::milliseconds(1));
    set.Tick();
    return pid() > 0;
  };
  for (int seconds : {1, 2, 4, 8, 16, 30, 30}) {
    ASSERT_TRUE(reaped());
    EXPECT_TRUE(restarted_after(std::chrono::seconds(seconds))) << "after " << seconds << " s";
  }
  // A run longer than a minute: the next restart is 1 s after the exit.
  clock.Advance(std::chrono::seconds(61));
  ASSERT_TRUE(reaped());
  EXPECT_TRUE(restarted_after(std::chrono::seconds(1)));
  set.StopAll(std::chrono::seconds(5));
}

// A timer first runs one period after the start, then one period after each
// run ended (systemd's OnActiveSec + OnUnitInactiveSec).
TEST(DaemonSet, ATimerRunsOnePeriodAfterTheStartAndAfterEachRun) {
  test::ScratchDir dir;
  ManualClock clock;
  DaemonSet set("test", clock);
  DaemonSpec timer{"ticker", {"sh", "-c", "echo tick >> " + dir / "ticks"}, dir / "t.log"};
  timer.every = 5;
  set.Add(timer);
  set.StartAll();
  auto pid = [&] { return set.entries()[0].pid; };
  for (int run = 1; run <= 3; ++run) {
    clock.Advance(std::chrono::milliseconds(4999));
    set.Tick();
    EXPECT_EQ(pid(), 0) << "run " << run << " started early";
    clock.Advance(std::chrono::milliseconds(1));
    set.Tick();
    ASSERT_GT(pid(), 0) << "run " << run << " did not start";
    ASSERT_TRUE(test::WaitFor(
        [&] {
          set.Tick();
          return pid() == 0;
        },
        std::chrono::seconds(10)));
  }
  EXPECT_EQ(ReadFileOrEmpty(dir / "ticks"), "tick\ntick\ntick\n");
  set.StopAll(std::chrono::seconds(5));
}

}  // namespace
}  // namespace hgc
