#include "log/faulty_log.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "test_support.h"

namespace hgc {
namespace {

TEST(FaultyLogTest, FailsTheChosenCallBeforeOrAfterTheRealLog) {
  test::ScratchDir dir;
  auto real = OpenLog("sqlite://" + (dir / "log.db"));
  real->EnsureTopic("t", 1);
  FaultyLog log(*real);
  log.FailNth(FaultyLog::Op::kAppend, 2, FaultyLog::When::kBefore);
  log.FailNth(FaultyLog::Op::kAppend, 3, FaultyLog::When::kAfter);
  log.FailNth(FaultyLog::Op::kCommit, 1, FaultyLog::When::kAfter);
  EXPECT_EQ(log.Append("t", 0, "a"), 0);
  EXPECT_THROW(log.Append("t", 0, "b"), Error);  // never written
  EXPECT_THROW(log.AppendBatch("t", 0, {"c"}), Error);  // written, reported failed
  EXPECT_EQ(real->GetWatermarks("t", 0).high, 2);
  EXPECT_THROW(log.Commit("g", "t", {{0, 2}}), Error);
  EXPECT_EQ(real->Committed("g", "t", {0})[0], 2);
  EXPECT_EQ(log.Calls(FaultyLog::Op::kAppend), 3);
  EXPECT_EQ(log.Injected(), 3);
  try {
    log.FailNth(FaultyLog::Op::kPoll, 1);
    log.OpenCursor({{"t", 0, 0}})->Poll(10, std::chrono::milliseconds(10));
    FAIL() << "the poll did not fail";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kLogUnavailable);
    EXPECT_STREQ(e.what(), "injected fault: poll failed before reaching the log");
  }
}

}  // namespace
}  // namespace hgc
