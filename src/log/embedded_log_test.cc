#include "log/embedded_log.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "common/error.h"
#include "test_support.h"

namespace hgc {
namespace {

using std::chrono::milliseconds;

TEST(EmbeddedLogTest, AppendAssignsDenseOffsetsPerPartition) {
  test::ScratchDir dir;
  auto log = OpenEmbeddedLog(dir / "log.db");
  log->EnsureTopic("pushdata", 4);
  EXPECT_EQ(log->PartitionCount("pushdata"), 4);
  EXPECT_EQ(log->Append("pushdata", 2, "a"), 0);
  EXPECT_EQ(log->Append("pushdata", 2, "b"), 1);
  EXPECT_EQ(log->Append("pushdata", 1, "c"), 0);
  EXPECT_EQ(log->AppendBatch("pushdata", 2, {"d", "e", "f"}), 2);
  auto w = log->GetWatermarks("pushdata", 2);
  EXPECT_EQ(w.low, 0);
  EXPECT_EQ(w.high, 5);
  EXPECT_EQ(log->GetWatermarks("pushdata", 0).high, 0);
}

TEST(EmbeddedLogTest, UnknownTopicAndPartitionAreClearErrors) {
  test::ScratchDir dir;
  auto log = OpenEmbeddedLog(dir / "log.db");
  log->EnsureTopic("pushdata", 2);
  try {
    log->Append("nope", 0, "x");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
    EXPECT_NE(std::string(e.what()).find("topic nope does not exist"), std::string::npos);
  }
  EXPECT_THROW(log->Append("pushdata", 2, "x"), Error);
}

TEST(EmbeddedLogTest, CommittedOffsetsArePerGroupAndSurviveReopen) {
  test::ScratchDir dir;
  {
    auto log = OpenEmbeddedLog(dir / "log.db");
    log->EnsureTopic("t", 3);
    log->Commit("mirror1", "t", {{0, 5}, {2, 7}});
    log->Commit("mirror1", "t", {{0, 6}});
  }
  auto log = OpenEmbeddedLog(dir / "log.db");
  auto c = log->Committed("mirror1", "t", {0, 1, 2});
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0], 6);
  EXPECT_EQ(c[2], 7);
  EXPECT_TRUE(log->Committed("mirror2", "t", {0, 1, 2}).empty());
}

TEST(EmbeddedLogTest, CursorReadsFromPositionsAndTimesOutWhenEmpty) {
  test::ScratchDir dir;
  auto log = OpenEmbeddedLog(dir / "log.db");
  log->EnsureTopic("t", 2);
  for (int i = 0; i < 5; ++i) log->Append("t", 0, "p0-" + std::to_string(i));
  log->Append("t", 1, "p1-0");
  auto cursor = log->OpenCursor({{"t", 0, 3}, {"t", 1, 0}});
  auto recs = cursor->Poll(100, milliseconds(100));
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].value, "p0-3");
  EXPECT_EQ(recs[0].offset, 3);
  EXPECT_EQ(recs[1].value, "p0-4");
  EXPECT_EQ(recs[2].value, "p1-0");
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(cursor->Poll(10, milliseconds(50)).empty());
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(45));
  cursor->Seek("t", 0, 0);
  EXPECT_EQ(cursor->Poll(1, milliseconds(10)).at(0).value, "p0-0");
}

// A reader blocked in Poll wakes when *another process* appends, well
// before its timeout: the wake-up is an inotify event, not a poll interval.
TEST(EmbeddedLogTest, BlockedReaderWakesOnAppendFromAnotherProcess) {
  test::ScratchDir dir;
  std::string path = dir / "log.db";
  auto log = OpenEmbeddedLog(path);
  log->EnsureTopic("t", 1);
  auto cursor = log->OpenCursor({{"t", 0, 0}});
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  pid_t pid = fork();
  if (pid == 0) {
    char c;
    if (read(pipefd[0], &c, 1) != 1) _exit(2);
    auto child_log = OpenEmbeddedLog(path);
    child_log->Append("t", 0, "from-child");
    _exit(0);
  }
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(write(pipefd[1], "x", 1), 1);
  auto recs = cursor->Poll(1, milliseconds(10000));
  auto waited = std::chrono::steady_clock::now() - start;
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].value, "from-child");
  EXPECT_LT(waited, milliseconds(5000)) << "reader did not wake on the append";
}

TEST(EmbeddedLogTest, ConcurrentAppendersNeverShareAnOffset) {
  test::ScratchDir dir;
  std::string path = dir / "log.db";
  OpenEmbeddedLog(path)->EnsureTopic("t", 1);
  std::vector<pid_t> kids;
  for (int k = 0; k < 3; ++k) {
    pid_t pid = fork();
    if (pid == 0) {
      auto l = OpenEmbeddedLog(path);
      for (int i = 0; i < 50; ++i) l->Append("t", 0, "x");
      _exit(0);
    }
    kids.push_back(pid);
  }
  for (pid_t p : kids) {
    int status = 0;
    waitpid(p, &status, 0);
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  auto log = OpenEmbeddedLog(path);
  EXPECT_EQ(log->GetWatermarks("t", 0).high, 150);
  auto recs = log->OpenCursor({{"t", 0, 0}})->Poll(1000, milliseconds(100));
  ASSERT_EQ(recs.size(), 150u);
  for (size_t i = 0; i < recs.size(); ++i) EXPECT_EQ(recs[i].offset, static_cast<int64_t>(i));
}

TEST(EmbeddedLogTest, ImmutableDatabaseFileMakesAppendsFailCleanly) {
  test::ScratchDir dir;
  std::string path = dir / "log.db";
  OpenEmbeddedLog(path)->EnsureTopic("t", 1);
  ASSERT_EQ(test::Sh("chattr +i " + path).exit_code, 0) << "chattr needed (ext4, root)";
  bool threw = false;
  try {
    OpenEmbeddedLog(path)->Append("t", 0, "x");
  } catch (const Error& e) {
    threw = true;
    EXPECT_EQ(e.kind(), ErrorKind::kLogUnavailable);
  }
  test::Sh("chattr -i " + path);
  EXPECT_TRUE(threw);
  EXPECT_EQ(OpenEmbeddedLog(path)->GetWatermarks("t", 0).high, 0);
}

}  // namespace
}  // namespace hgc
