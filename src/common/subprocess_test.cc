#include "common/subprocess.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "test_support.h"

namespace hgc {
namespace {

using test::ScratchDir;
using test::WaitFor;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Reaps `pid` (a child of ours) within `timeout`; returns its wait status or -1.
int ReapWithin(pid_t pid, std::chrono::milliseconds timeout) {
  int status = -1;
  bool done = WaitFor([&] { return waitpid(pid, &status, WNOHANG) == pid; }, timeout);
  return done ? status : -1;
}

TEST(RunProcessTest, CapturesStdoutStderrAndExitCode) {
  auto r = RunProcess({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(RunProcess({"true"}).ok());
}

TEST(RunProcessTest, KilledBySignalIs128PlusSignal) {
  auto r = RunProcess({"/bin/sh", "-c", "kill -9 $$"});
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
}

TEST(RunProcessTest, FeedsLargeStdinWhileCapturingLargeStdout) {
  // 4 MB both ways: more than any pipe buffer, so a blocking writer or a
  // reader that waits for exit would deadlock.
  std::string input(4 << 20, 'x');
  for (size_t i = 0; i < input.size(); i += 100) input[i] = '\n';
  ProcessOptions o;
  o.stdin_data = input;
  auto r = RunProcess({"cat"}, o);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, input);
  // No stdin_data: the child reads end of file at once.
  EXPECT_EQ(RunProcess({"cat"}).out, "");
}

TEST(RunProcessTest, EnvironmentSetAndUnset) {
  setenv("HGC_SUBPROCESS_TEST_GONE", "present", 1);
  ProcessOptions o;
  o.env_set = {{"HGC_SUBPROCESS_TEST", "a value with spaces"}};
  o.env_unset = {"HGC_SUBPROCESS_TEST_GONE"};
  auto r = RunProcess(
      {"/bin/sh", "-c", "echo \"$HGC_SUBPROCESS_TEST|${HGC_SUBPROCESS_TEST_GONE-unset}\""}, o);
  unsetenv("HGC_SUBPROCESS_TEST_GONE");
  EXPECT_EQ(r.out, "a value with spaces|unset\n");
}

TEST(RunProcessTest, WorkingDirectory) {
  ScratchDir dir;
  ProcessOptions o;
  o.cwd = dir.path();
  auto r = RunProcess({"pwd"}, o);
  EXPECT_EQ(r.out, dir.path() + "\n");
  // A relative program path is relative to the child's directory, as execvp.
  std::ofstream(dir / "script.sh") << "#!/bin/sh\necho from script\n";
  ASSERT_EQ(chmod((dir / "script.sh").c_str(), 0755), 0);
  EXPECT_EQ(RunProcess({"./script.sh"}, o).out, "from script\n");
}

TEST(RunProcessTest, ProgramIsLookedUpInTheChildsPath) {
  ScratchDir dir;
  std::ofstream(dir / "only-here") << "#!/bin/sh\necho found me\n";
  ASSERT_EQ(chmod((dir / "only-here").c_str(), 0755), 0);
  ProcessOptions o;
  o.env_set = {{"PATH", "/nonexistent:" + dir.path() + ":/bin:/usr/bin"}};
  auto r = RunProcess({"only-here"}, o);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "found me\n");
  // Not executable: skipped like execvp does, then reported.
  std::ofstream(dir / "not-exec") << "#!/bin/sh\necho no\n";
  o.env_set = {{"PATH", dir.path()}};
  auto denied = RunProcess({"not-exec"}, o);
  EXPECT_EQ(denied.exit_code, 127);
  EXPECT_EQ(denied.err, "cannot execute not-exec: Permission denied\n");
}

TEST(RunProcessTest, MissingProgramOrDirectoryIsExit127WithAReason) {
  auto missing = RunProcess({"hgcluster-no-such-program"});
  EXPECT_EQ(missing.exit_code, 127);
  EXPECT_EQ(missing.err, "cannot execute hgcluster-no-such-program: No such file or directory\n");
  auto missing_path = RunProcess({"/nonexistent/prog"});
  EXPECT_EQ(missing_path.exit_code, 127);
  EXPECT_NE(missing_path.err.find("cannot execute /nonexistent/prog"), std::string::npos);
  ProcessOptions o;
  o.cwd = "/nonexistent-dir";
  auto bad_cwd = RunProcess({"true"}, o);
  EXPECT_EQ(bad_cwd.exit_code, 127);
  EXPECT_EQ(bad_cwd.err, "cannot chdir to /nonexistent-dir: No such file or directory\n");
  EXPECT_THROW(RunProcess(std::vector<std::string>{}), Error);
}

TEST(RunProcessTest, SigpipeIsDefaultInTheChildEvenWhenIgnoredHere) {
  // A signal ignored when sh starts stays ignored: the child would survive.
  auto old = signal(SIGPIPE, SIG_IGN);
  auto r = RunProcess({"/bin/sh", "-c", "kill -PIPE $$; echo survived"});
  signal(SIGPIPE, old);
  EXPECT_EQ(r.exit_code, 128 + SIGPIPE) << r.out;
}

TEST(RunProcessTest, ManyThreadsLaunchingAtOnceWhileOthersAllocate) {
  // The reason for posix_spawn: no allocator lock can be inherited held.
  std::atomic<bool> stop{false};
  std::thread allocator([&] {
    while (!stop) {
      std::vector<std::string> v;
      for (int i = 0; i < 1000; ++i) v.emplace_back(100, 'x');
    }
  });
  std::atomic<int> bad{0};
  std::vector<std::thread> launchers;
  for (int t = 0; t < 4; ++t) {
    launchers.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        std::string word = std::to_string(t) + "-" + std::to_string(i);
        auto r = RunProcess({"echo", word});
        if (r.exit_code != 0 || r.out != word + "\n") ++bad;
      }
    });
  }
  for (auto& l : launchers) l.join();
  stop = true;
  allocator.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST(SpawnDaemonTest, OutputGoesToTheLogAndStdinIsEmpty) {
  ScratchDir dir;
  std::string log = dir / "daemon.log";
  ProcessOptions o;
  o.cwd = dir.path();
  o.env_set = {{"HGC_DAEMON_WORD", "hello"}};
  pid_t pid =
      SpawnDaemon({"/bin/sh", "-c", "echo $HGC_DAEMON_WORD; pwd; cat; echo err >&2"}, log, o);
  ASSERT_GT(pid, 0);
  int status = ReapWithin(pid, std::chrono::seconds(30));
  ASSERT_NE(status, -1);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(ReadAll(log), "hello\n" + dir.path() + "\nerr\n");
}

TEST(SpawnDaemonTest, RunsInItsOwnSession) {
  ScratchDir dir;
  std::string log = dir / "daemon.log";
  pid_t pid = SpawnDaemon({"/bin/sh", "-c", "read -r l < /proc/$$/stat; set -- $l; echo $6"}, log);
  ASSERT_GT(ReapWithin(pid, std::chrono::seconds(30)), -1);
  EXPECT_EQ(std::stoi(ReadAll(log)), pid);
}

TEST(SpawnDaemonTest, ExecFailureIsLoggedAndExits127) {
  ScratchDir dir;
  std::string log = dir / "daemon.log";
  pid_t pid = SpawnDaemon({"hgcluster-no-such-daemon"}, log);
  int status = ReapWithin(pid, std::chrono::seconds(30));
  ASSERT_NE(status, -1);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 127);
  EXPECT_EQ(ReadAll(log), "cannot execute hgcluster-no-such-daemon: No such file or directory\n");
  ProcessOptions o;
  o.cwd = "/nonexistent-dir";
  pid = SpawnDaemon({"true"}, log, o);
  status = ReapWithin(pid, std::chrono::seconds(30));
  EXPECT_EQ(WEXITSTATUS(status), 127);
  EXPECT_NE(ReadAll(log).find("cannot chdir to /nonexistent-dir: No such file or directory\n"),
            std::string::npos);
}

}  // namespace
}  // namespace hgc
