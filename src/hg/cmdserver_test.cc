// Tests of the command-server runner against real hg: every answer must be
// the one ProcessHgRunner gives for the same command. A fake server script
// covers protocol corners hg does not produce on demand.
#include "hg/cmdserver.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "common/error.h"
#include "test_support.h"

namespace hgc {
namespace {

using test::ScratchDir;
using test::Sh;

void MakeRepo(const std::string& path, const std::string& dag) {
  std::string cmd = "hg init " + path;
  if (!dag.empty()) cmd += " && hg -R " + path + " debugbuilddag '" + dag + "'";
  auto r = Sh(cmd, {{"HGRCPATH", ""}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

void ExpectSame(const ProcessResult& expected, const ProcessResult& got) {
  EXPECT_EQ(expected.exit_code, got.exit_code);
  EXPECT_EQ(expected.out, got.out);
  EXPECT_EQ(expected.err, got.err);
}

class CmdServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = dir_ / "a";
    MakeRepo(repo_, "+5");
  }

  ScratchDir dir_;
  std::string repo_;
  std::unique_ptr<HgRunner> process_ = MakeProcessHgRunner("hg", "");
  CmdServerHgRunner fast_{"hg", "", {}};
};

TEST_F(CmdServerTest, LogMatchesProcessAndReusesTheServer) {
  std::vector<std::string> args{"log", "-r", "tip", "-T", "{node}"};
  auto expected = process_->Run(repo_, args);
  ASSERT_EQ(expected.exit_code, 0) << expected.err;
  ASSERT_EQ(expected.out.size(), 40u);
  ExpectSame(expected, fast_.Run(repo_, args));
  auto pids = fast_.IdleServerPids(repo_);
  ASSERT_EQ(pids.size(), 1u);
  ExpectSame(expected, fast_.Run(repo_, args));
  EXPECT_EQ(fast_.IdleServerPids(repo_), pids);
  auto s = fast_.stats();
  EXPECT_EQ(s.server_commands, 2u);
  EXPECT_EQ(s.servers_started, 1u);
  EXPECT_EQ(s.process_commands, 0u);
}

TEST_F(CmdServerTest, PullIsVisibleToTheNextCommandOfTheSameServer) {
  std::string fast_repo = dir_ / "fast", slow_repo = dir_ / "slow";
  MakeRepo(fast_repo, "");
  MakeRepo(slow_repo, "");
  std::vector<std::string> tip{"log", "-r", "tip", "-T", "{node}"};
  ExpectSame(process_->Run(slow_repo, tip), fast_.Run(fast_repo, tip));  // starts the server
  auto pids = fast_.IdleServerPids(fast_repo);
  ASSERT_EQ(pids.size(), 1u);

  auto node = process_->Run(repo_, {"log", "-r", "3", "-T", "{node}"}).out;
  ASSERT_EQ(node.size(), 40u);
  std::vector<std::string> pull{"pull", "-r", node, "--", repo_};
  auto expected = process_->Run(slow_repo, pull);
  ASSERT_EQ(expected.exit_code, 0) << expected.err;
  ExpectSame(expected, fast_.Run(fast_repo, pull));
  EXPECT_EQ(fast_.IdleServerPids(fast_repo), pids);

  auto after = fast_.Run(fast_repo, tip);
  EXPECT_EQ(after.out, node);
  EXPECT_EQ(fast_.IdleServerPids(fast_repo), pids);
  // Pulling what is already there is a no-op with the same words.
  ExpectSame(process_->Run(slow_repo, pull), fast_.Run(fast_repo, pull));
}

TEST_F(CmdServerTest, FailingCommandMatchesProcessAndDropsTheServer) {
  std::vector<std::string> args{"log", "-r", "nosuchrev"};
  auto expected = process_->Run(repo_, args);
  EXPECT_EQ(expected.exit_code, 255);
  EXPECT_EQ(expected.err, "abort: unknown revision 'nosuchrev'\n");
  ExpectSame(expected, fast_.Run(repo_, args));
  EXPECT_TRUE(fast_.IdleServerPids(repo_).empty());
  EXPECT_EQ(fast_.stats().server_commands, 1u);
  EXPECT_EQ(fast_.live_servers(), 0u);
}

TEST_F(CmdServerTest, MissingRepoFallsBackToAProcess) {
  std::string missing = dir_ / "missing";
  std::vector<std::string> args{"log", "-r", "tip"};
  auto expected = process_->Run(missing, args);
  EXPECT_EQ(expected.exit_code, 255);
  ExpectSame(expected, fast_.Run(missing, args));
  auto s = fast_.stats();
  EXPECT_EQ(s.process_commands, 1u);
  EXPECT_EQ(s.servers_started, 0u);
}

TEST_F(CmdServerTest, EmptyRepoRunsAProcessAndTheNewRepoThenGetsAServer) {
  std::string created = dir_ / "created";
  auto init = fast_.Run("", {"init", "--", created});
  EXPECT_EQ(init.exit_code, 0) << init.err;
  EXPECT_EQ(fast_.stats().process_commands, 1u);
  auto r = fast_.Run(created, {"log", "-r", "tip", "-T", "{rev}"});
  EXPECT_EQ(r.out, "-1");
  EXPECT_EQ(fast_.stats().server_commands, 1u);
}

TEST_F(CmdServerTest, InputRequestsGetEndOfFileLikeDevNull) {
  std::vector<std::string> args{"import", "-"};  // reads the patch from the 'I' channel
  auto expected = process_->Run(repo_, args);
  EXPECT_EQ(expected.exit_code, 255);
  ExpectSame(expected, fast_.Run(repo_, args));
  EXPECT_EQ(fast_.stats().server_commands, 1u);
}

TEST_F(CmdServerTest, ExtraConfigAndRepoHgrcChangesAreSeen) {
  CmdServerHgRunner fast("hg", "", {"ui.extra=yes"});
  auto process = MakeProcessHgRunner("hg", "", {"ui.extra=yes"});
  // Not `config ui`: a command server adds ui.nontty=true to every command's ui.
  std::vector<std::string> args{"config", "ui.extra"};
  ExpectSame(process->Run(repo_, args), fast.Run(repo_, args));
  EXPECT_EQ(fast.Run(repo_, args).out, "yes\n");
  auto pids = fast.IdleServerPids(repo_);
  ASSERT_EQ(pids.size(), 1u);
  // A server reads .hg/hgrc once; the runner must notice the new file.
  std::ofstream(repo_ + "/.hg/hgrc") << "[ui]\nfromrepo = 1\n";
  args = {"config", "ui.fromrepo"};
  auto expected = process->Run(repo_, args);
  EXPECT_EQ(expected.out, "1\n");
  ExpectSame(expected, fast.Run(repo_, args));
  EXPECT_NE(fast.IdleServerPids(repo_), pids);
}

TEST_F(CmdServerTest, StartupWarningsAreRepeatedForEveryCommandLikeAProcessDoes) {
  CmdServerHgRunner fast("hg", "", {"extensions.nosuchextension="});
  auto process = MakeProcessHgRunner("hg", "", {"extensions.nosuchextension="});
  std::vector<std::string> args{"log", "-r", "tip", "-T", "{rev}"};
  auto expected = process->Run(repo_, args);
  EXPECT_NE(expected.err.find("failed to import extension"), std::string::npos);
  ExpectSame(expected, fast.Run(repo_, args));
  ExpectSame(expected, fast.Run(repo_, args));
  EXPECT_EQ(fast.stats().servers_started, 1u);
}

TEST_F(CmdServerTest, ServerDeathIsRetriedOnAFreshServer) {
  std::vector<std::string> args{"log", "-r", "tip", "-T", "{node}"};
  auto expected = process_->Run(repo_, args);
  ExpectSame(expected, fast_.Run(repo_, args));
  auto pids = fast_.IdleServerPids(repo_);
  ASSERT_EQ(pids.size(), 1u);
  ASSERT_EQ(kill(pids[0], SIGKILL), 0);
  ExpectSame(expected, fast_.Run(repo_, args));
  auto s = fast_.stats();
  EXPECT_EQ(s.server_failures, 1u);
  EXPECT_EQ(s.servers_started, 2u);
  EXPECT_EQ(s.process_commands, 0u);
  auto now = fast_.IdleServerPids(repo_);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_NE(now[0], pids[0]);
}

TEST_F(CmdServerTest, CommandThatKillsEveryServerEndsUpInAProcess) {
  // The hook's shell is a child of hg: it kills whichever hg runs it.
  std::vector<std::string> args{"--config", "hooks.pre-log=kill -9 $PPID", "log", "-r", "tip"};
  auto expected = process_->Run(repo_, args);
  EXPECT_EQ(expected.exit_code, 128 + SIGKILL);
  ExpectSame(expected, fast_.Run(repo_, args));
  auto s = fast_.stats();
  EXPECT_EQ(s.server_failures, 2u);  // the first server and the one fresh retry
  EXPECT_EQ(s.servers_started, 2u);
  EXPECT_EQ(s.process_commands, 1u);
  EXPECT_EQ(fast_.live_servers(), 0u);
}

TEST_F(CmdServerTest, TimeoutThrowsWithoutRetrying) {
  fast_.set_command_timeout(std::chrono::milliseconds(500));
  EXPECT_EQ(fast_.Run(repo_, {"log", "-r", "tip", "-T", "{rev}"}).out, "4");
  try {
    fast_.Run(repo_, {"--config", "hooks.pre-log=sleep 3", "log", "-r", "tip"});
    FAIL() << "no timeout";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kHgFailed);
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
  }
  auto s = fast_.stats();
  EXPECT_EQ(s.process_commands, 0u);
  EXPECT_EQ(s.servers_started, 1u);
  EXPECT_EQ(fast_.live_servers(), 0u);
  EXPECT_EQ(fast_.Run(repo_, {"log", "-r", "tip", "-T", "{rev}"}).out, "4");
}

TEST_F(CmdServerTest, DeletedRepoDropsItsServer) {
  std::vector<std::string> args{"log", "-r", "tip", "-T", "{rev}"};
  EXPECT_EQ(fast_.Run(repo_, args).out, "4");
  ASSERT_EQ(Sh("rm -rf " + repo_).exit_code, 0);
  MakeRepo(repo_, "+2");
  auto pids = fast_.IdleServerPids(repo_);
  ExpectSame(process_->Run(repo_, args), fast_.Run(repo_, args));
  EXPECT_EQ(fast_.Run(repo_, args).out, "1");
  EXPECT_NE(fast_.IdleServerPids(repo_), pids);
}

TEST_F(CmdServerTest, EvictsTheLeastRecentlyUsedServer) {
  CmdServerHgRunner fast("hg", "", {}, /*max_servers=*/2);
  std::vector<std::string> repos{dir_ / "r0", dir_ / "r1", dir_ / "r2"};
  for (const auto& r : repos) MakeRepo(r, "+1");
  for (const auto& r : repos) EXPECT_EQ(fast.Run(r, {"log", "-r", "tip", "-T", "{rev}"}).out, "0");
  EXPECT_EQ(fast.live_servers(), 2u);
  EXPECT_TRUE(fast.IdleServerPids(repos[0]).empty());
  EXPECT_EQ(fast.IdleServerPids(repos[2]).size(), 1u);
}

TEST_F(CmdServerTest, ConcurrentRunsOnDifferentRepos) {
  constexpr int kThreads = 4, kRuns = 10;
  std::vector<std::string> repos, expected;
  for (int i = 0; i < kThreads; ++i) {
    repos.push_back(dir_ / ("c" + std::to_string(i)));
    MakeRepo(repos.back(), "+" + std::to_string(i + 1));
    expected.push_back(process_->Run(repos.back(), {"log", "-r", "tip", "-T", "{rev} {node}"}).out);
  }
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int n = 0; n < kRuns; ++n) {
        auto r = fast_.Run(repos[i], {"log", "-r", "tip", "-T", "{rev} {node}"});
        if (r.ok() && r.out == expected[i]) ++good;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), kThreads * kRuns);
  EXPECT_EQ(fast_.stats().servers_started, static_cast<uint64_t>(kThreads));
}

TEST_F(CmdServerTest, ConcurrentRunsOnTheSameRepoNeverShareAServer) {
  constexpr int kThreads = 3, kRuns = 5;
  auto expected = process_->Run(repo_, {"log", "-r", "tip", "-T", "{node}"}).out;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int n = 0; n < kRuns; ++n) {
        auto r = fast_.Run(repo_, {"log", "-r", "tip", "-T", "{node}"});
        if (r.ok() && r.out == expected) ++good;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), kThreads * kRuns);
  EXPECT_LE(fast_.IdleServerPids(repo_).size(), 1u);
}

// --- CommandServer on its own -------------------------------------------------

TEST(CmdServerProtocolTest, TimeoutKillsTheServer) {
  ScratchDir dir;
  std::string repo = dir / "a";
  MakeRepo(repo, "+1");
  CommandServerOptions o;
  o.repo = repo;
  o.extra_config = {"hooks.pre-log=sleep 3"};
  CommandServer server(o);
  pid_t pid = server.pid();
  ASSERT_GT(pid, 0);
  server.set_timeout(std::chrono::milliseconds(300));
  EXPECT_THROW(server.Run({"log", "-r", "tip"}), Error);
  EXPECT_TRUE(server.timed_out());
  EXPECT_FALSE(server.usable());
  EXPECT_NE(kill(pid, 0), 0);  // reaped: the pid is gone
  EXPECT_THROW(server.Run({"log"}), Error);
}

TEST(CmdServerProtocolTest, MissingRepoFailsAtStart) {
  ScratchDir dir;
  CommandServerOptions o;
  o.repo = dir / "missing";
  try {
    CommandServer server(o);
    FAIL() << "started";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kHgFailed);
    EXPECT_NE(std::string(e.what()).find("not found"), std::string::npos) << e.what();
  }
}

// A fake `hg`: `--config mode=...` selects its behaviour; commands answer exit code 7.
constexpr char kFakeServer[] = R"(#!/usr/bin/python3
import os, struct, sys, time
mode = sys.argv[sys.argv.index('--config') + 1] if '--config' in sys.argv else ''
out, inp = sys.stdout.buffer, sys.stdin.buffer
def frame(ch, data):
    out.write(struct.pack('>cI', ch, len(data)) + data)
    out.flush()
frame(b'd', b'debug before hello')
caps = b'getencoding' if mode == 'mode=nocaps' else b'getencoding runcommand'
frame(b'o', b'capabilities: ' + caps + b'\nencoding: UTF-8\npid: %d' % os.getpid())
while True:
    if not inp.readline():
        sys.exit(0)
    n = struct.unpack('>I', inp.read(4))[0]
    cmd = inp.read(n).split(b'\0')[0]
    if cmd == b'chatty':
        frame(b'd', b'noise')
        frame(b'z', b'optional channel')
        frame(b'o', b'out')
        sys.stderr.buffer.write(b'stray\n')
        sys.stderr.flush()
        time.sleep(0.05)
        frame(b'e', b'err\n')
    elif cmd == b'input':
        for ch in (b'I', b'L'):
            out.write(struct.pack('>cI', ch, 4096))
            out.flush()
            frame(b'o', b'%s=%d ' % (ch, struct.unpack('>I', inp.read(4))[0]))
    elif cmd == b'required':
        out.write(struct.pack('>cI', b'X', 0))
        out.flush()
        time.sleep(30)
    elif cmd == b'die':
        sys.exit(3)
    frame(b'r', struct.pack('>i', 7))
)";

class CmdServerFakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    script_ = dir_ / "fakehg";
    std::ofstream(script_) << kFakeServer;
    chmod(script_.c_str(), 0755);
  }
  CommandServerOptions Options(const std::string& mode = "") {
    CommandServerOptions o;
    o.hg_path = script_;
    if (!mode.empty()) o.extra_config = {"mode=" + mode};
    return o;
  }
  ScratchDir dir_;
  std::string script_;
};

TEST_F(CmdServerFakeTest, OptionalChannelsAreIgnoredAndStrayStderrIsKept) {
  CommandServer server(Options());
  auto r = server.Run({"chatty"});
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(r.out, "out");
  EXPECT_EQ(r.err, "stray\nerr\n");
}

TEST_F(CmdServerFakeTest, InputChannelsGetZeroLengthBlocks) {
  CommandServer server(Options());
  auto r = server.Run({"input"});
  EXPECT_EQ(r.out, "I=0 L=0 ");
  EXPECT_TRUE(server.usable());
}

TEST_F(CmdServerFakeTest, UnknownRequiredChannelAbortsTheServer) {
  CommandServer server(Options());
  EXPECT_THROW(server.Run({"required"}), Error);
  EXPECT_FALSE(server.usable());
  EXPECT_FALSE(server.timed_out());
}

TEST_F(CmdServerFakeTest, DeathIsAnHgFailedError) {
  CommandServer server(Options());
  try {
    server.Run({"die"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kHgFailed);
    EXPECT_NE(std::string(e.what()).find("exited with status 3"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(server.usable());
  EXPECT_THROW(server.Run({"again"}), Error);
}

TEST_F(CmdServerFakeTest, WritingToAServerThatDiedWhileIdleIsAnErrorNotSigpipe) {
  CommandServer server(Options());
  pid_t pid = server.pid();
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  siginfo_t info{};
  // Wait for the death without reaping: the server still owns its child.
  ASSERT_EQ(waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT), 0);
  try {
    server.Run({"chatty"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("killed by signal 9"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(server.usable());
}

TEST_F(CmdServerFakeTest, NoRuncommandCapabilityFailsAtStart) {
  EXPECT_THROW(CommandServer server(Options("nocaps")), Error);
}

}  // namespace
}  // namespace hgc
