#include "common/stop_signal.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace hgc {
namespace {

// Puts the default handlers back and clears the flag: the test binary is one
// process for every test.
struct Restore {
  ~Restore() {
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    StopRequested() = false;
  }
};

TEST(StopSignal, SigtermOrSigintSetsTheFlagAndNamesTheSignal) {
  Restore restore;
  InstallStopSignals();
  EXPECT_FALSE(StopRequested());
  raise(SIGINT);
  EXPECT_TRUE(StopRequested());
  EXPECT_EQ(StopSignal(), SIGINT);
  raise(SIGTERM);  // without a second-signal line, a second one only records itself
  EXPECT_EQ(StopSignal(), SIGTERM);
}

TEST(StopSignal, WithALineTheSecondSignalAbortsAtOnce) {
  EXPECT_EXIT(
      {
        InstallStopSignals("already received exit signal; forcefully aborting\n");
        raise(SIGTERM);
        if (!StopRequested()) _exit(3);
        raise(SIGTERM);
        _exit(4);  // not reached
      },
      ::testing::ExitedWithCode(1), "");
}

}  // namespace
}  // namespace hgc
