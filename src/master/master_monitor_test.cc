#include "master/master_monitor.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "common/clock.h"
#include "common/error.h"
#include "common/stop_signal.h"
#include "hg/repo_state.h"
#include "master/master_state.h"
#include "test_support.h"

namespace hgc {
namespace {

TEST(MasterStartStop, TheReferencesFourMessages) {
  auto d = DecideStartStop(true, false, 30);
  EXPECT_EQ(d.message, "hg-master.target not active; starting after 30s sleep...");
  EXPECT_EQ(d.action, 1);
  d = DecideStartStop(true, true, 30);
  EXPECT_EQ(d.message, "hg-master.target already started; nothing to do");
  EXPECT_EQ(d.action, 0);
  d = DecideStartStop(false, true, 30);
  EXPECT_EQ(d.message, "hg-master.target is active; stopping ");
  EXPECT_EQ(d.action, -1);
  d = DecideStartStop(false, false, 30);
  EXPECT_EQ(d.message, "hg-master.target is already inactive; nothing to do");
  EXPECT_EQ(d.action, 0);
  EXPECT_EQ(DecideStartStop(true, false, 0.5).message,
            "hg-master.target not active; starting after 0.5s sleep...");
}

TEST(MasterConfig, ServicesTimersAndMethods) {
  test::ScratchDir dir;
  WriteFileAtomic(dir / "m.ini",
                  "[master]\nhost = hgssh1\nmethod = file\nmasterfile = /repo/hg/master.hgssh1\n"
                  "statedir = /var/lib/hgcluster/master\n"
                  "[service pushdataaggregator]\n"
                  "command = hgcluster aggregate '/etc/my dir/agg.ini'\nlog = /tmp/a.log\n"
                  "[timer heartbeat]\ncommand = hgcluster replicate heartbeat\nevery = 30\n"
                  "log = /tmp/h.log\n");
  // The file's host wins over an inherited $HGCLUSTER_HOST: two monitors
  // started from one shell must not both become "elsewhere".
  setenv("HGCLUSTER_HOST", "elsewhere", 1);
  MasterConfig c = MasterConfig::Load(dir / "m.ini");
  unsetenv("HGCLUSTER_HOST");
  EXPECT_EQ(c.host, "hgssh1");
  EXPECT_EQ(c.epoch_file, "/repo/hg/master-epoch");
  EXPECT_EQ(c.interval, 15);
  EXPECT_EQ(c.start_delay, 30);
  EXPECT_EQ(c.state_path(), "/var/lib/hgcluster/master/hgssh1.json");
  ASSERT_EQ(c.services.size(), 2u);
  EXPECT_EQ(c.services[0].argv,
            (std::vector<std::string>{"hgcluster", "aggregate", "/etc/my dir/agg.ini"}));
  EXPECT_EQ(c.services[0].every, 0);
  EXPECT_EQ(c.services[1].every, 30);

  WriteFileAtomic(dir / "bad.ini", "[master]\nmethod = raft\nstatedir = /x\n");
  try {
    MasterConfig::Load(dir / "bad.ini");
    FAIL() << "accepted method raft";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("must be `file` or `zookeeper` (got `raft`)"),
              std::string::npos);
  }
  WriteFileAtomic(dir / "zk.ini",
                  "[master]\nmethod = zookeeper\nzookeeper = z1:2181\nstatedir = /x\n"
                  "znode = relative\n");
  EXPECT_THROW(MasterConfig::Load(dir / "zk.ini"), Error);
}

// What `up` writes for a leader host is what the monitor reads, arguments
// with spaces and quotes included.
TEST(MasterConfig, ToIniIsWhatLoadReads) {
  test::ScratchDir dir;
  for (const std::string method : {"file", "zookeeper"}) {
    MasterConfig c;
    c.host = "standby";
    c.method = method;
    c.state_dir = "/srv/leader/master-state";
    c.stop_grace = 30;
    c.master_file = "/srv/leader/master.standby";
    c.epoch_file = "/srv/leader/master-epoch";
    c.interval = 0.5;
    c.start_delay = 2;
    c.zookeeper = "127.0.0.1:2181,127.0.0.1:2182";
    c.session_timeout_ms = 3000;
    c.services = {{"service pushdataaggregator",
                   {"/usr/bin/hgcluster", "aggregate", "/etc/my dir/a'b.ini"},
                   "/var/log/a.log"},
                  {"timer heartbeat", {"hgcluster", "replicate", "heartbeat"}, "/var/log/h.log"}};
    c.services[1].every = 30;
    WriteFileAtomic(dir / "m.ini", ToIni(c, "a test"));
    MasterConfig b = MasterConfig::Load(dir / "m.ini");
    EXPECT_EQ(b.host, c.host);
    EXPECT_EQ(b.method, method);
    EXPECT_EQ(b.state_dir, c.state_dir);
    EXPECT_EQ(b.stop_grace, c.stop_grace);
    if (method == "file") {
      EXPECT_EQ(b.master_file, c.master_file);
      EXPECT_EQ(b.epoch_file, c.epoch_file);
      EXPECT_DOUBLE_EQ(b.interval, c.interval);
      EXPECT_DOUBLE_EQ(b.start_delay, c.start_delay);
    } else {
      EXPECT_EQ(b.zookeeper, c.zookeeper);
      EXPECT_EQ(b.znode, c.znode);
      EXPECT_EQ(b.session_timeout_ms, c.session_timeout_ms);
    }
    ASSERT_EQ(b.services.size(), 2u);
    for (size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(b.services[i].name, c.services[i].name);
      EXPECT_EQ(b.services[i].argv, c.services[i].argv);
      EXPECT_EQ(b.services[i].log, c.services[i].log);
      EXPECT_DOUBLE_EQ(b.services[i].every, c.services[i].every);
    }
  }
}

// The file method's role transitions, with minutes of them in manual time:
// the master file appears, and after the start delay this host is master
// with a new epoch and runs its service; the file goes, and it is not master
// and the service is stopped; the file is back, and after the delay again
// it is master with a higher epoch.
TEST(MasterMonitor, FileMethodFollowsTheMasterFileAfterItsStartDelay) {
  using namespace std::chrono_literals;
  test::ScratchDir dir;
  MasterConfig c;
  c.path = dir / "master.ini";
  c.host = "hgssh1";
  c.method = "file";
  c.master_file = dir / "master.hgssh1";
  c.epoch_file = dir / "master-epoch";
  c.interval = 15;
  c.start_delay = 30;
  c.state_dir = dir / "state";
  c.stop_grace = 5;
  c.services = {
      {"svc", {"sh", "-c", "echo $$ > " + dir / "svc.pid" + "; exec sleep 600"}, dir / "svc.log"}};
  auto state = [&] { return ReadMasterState(c.state_path()); };
  auto service_pid = [&] {
    std::string text = ReadFileOrEmpty(dir / "svc.pid");
    return text.empty() ? 0 : std::stoi(text);
  };
  ManualClock clock;
  double appeared = clock.WallSeconds();
  WriteFileAtomic(c.master_file, "");
  std::thread monitor([&] { RunMasterMonitor(c, clock); });

  ASSERT_TRUE(test::WaitFor([&] { return state() && state()->master; }, 10s));
  MasterState first = *state();
  EXPECT_GE(first.since - appeared, 30) << "became master before the start delay";
  EXPECT_EQ(first.epoch, 1);
  ASSERT_TRUE(test::WaitFor([&] { return service_pid() > 0; }, 10s));
  int pid = service_pid();
  EXPECT_EQ(kill(pid, 0), 0) << "the master-only service runs";

  std::filesystem::remove(c.master_file);
  ASSERT_TRUE(test::WaitFor([&] { return state() && !state()->master; }, 10s));
  EXPECT_TRUE(test::WaitFor([&] { return kill(pid, 0) != 0; }, 10s))
      << "the service outlived the role";

  double back = clock.WallSeconds();
  WriteFileAtomic(c.master_file, "");
  ASSERT_TRUE(test::WaitFor([&] { return state() && state()->master; }, 10s));
  EXPECT_GE(state()->since - back, 30);
  EXPECT_EQ(state()->epoch, 2) << "every acquisition has a higher epoch";

  StopRequested() = true;
  monitor.join();
  StopRequested() = false;
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  EXPECT_FALSE(state()->master) << "a monitor that stops gives the role up first";
}

}  // namespace
}  // namespace hgc
