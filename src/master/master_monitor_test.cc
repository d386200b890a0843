#include "master/master_monitor.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "hg/repo_state.h"
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

}  // namespace
}  // namespace hgc
