// The ZooKeeper ensemble fixture itself: it comes up with one leader, fails
// over when the leader dies, takes a restarted server back as a follower,
// and its connect string works for the C client (libzookeeper_mt).
#include "zk_ensemble.h"

#include <gtest/gtest.h>
#include <zookeeper/zookeeper.h>

#include <cstdio>
#include <fstream>

namespace hgc::test {
namespace {

using std::chrono::seconds;

int CountMode(const ZkEnsemble& zk, const std::string& mode) {
  int n = 0;
  for (int i = 0; i < zk.size(); ++i) n += zk.Mode(i) == mode;
  return n;
}

TEST(ZkEnsembleTest, OneLeaderFailoverAndRejoin) {
  ZkEnsemble zk;
  ASSERT_EQ(zk.size(), 3);
  int leader = zk.WaitLeader(ZkEnsemble::In(seconds(10)));
  ASSERT_GE(leader, 0);
  EXPECT_EQ(CountMode(zk, "follower"), 2);
  EXPECT_EQ(zk.connect_string(), zk.host_port(0) + "," + zk.host_port(1) + "," + zk.host_port(2));
  std::ifstream cfg(zk.config_path(0));
  std::string text((std::istreambuf_iterator<char>(cfg)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("tickTime=500\n"), std::string::npos) << text;
  EXPECT_NE(text.find(";" + zk.host_port(2) + "\n"), std::string::npos) << text;

  zk.Kill(leader);
  EXPECT_FALSE(zk.running(leader));
  EXPECT_EQ(zk.Mode(leader), "");
  // Survivors report their stale mode for a moment: wait for a new leader.
  int next = -1;
  EXPECT_TRUE(WaitFor(
      [&] {
        next = zk.LeaderIndex();
        return next >= 0 && next != leader;
      },
      seconds(20)));
  ASSERT_GE(next, 0);

  zk.Start(leader);
  ASSERT_TRUE(zk.WaitServing(leader, ZkEnsemble::In(seconds(30)))) << zk.log_path(leader);
  EXPECT_EQ(zk.Mode(leader), "follower");
  EXPECT_EQ(zk.LeaderIndex(), next);

  zk.Stop(next);
  EXPECT_FALSE(zk.running(next));
  int third = -1;
  EXPECT_TRUE(WaitFor(
      [&] {
        third = zk.LeaderIndex();
        return third >= 0 && third != next;
      },
      seconds(20)));
}

void IgnoreEvents(zhandle_t*, int, int, const char*, void*) {}

TEST(ZkEnsembleTest, CClientWritesThroughConnectString) {
  ZkEnsemble zk;
  FILE* quiet = std::fopen("/dev/null", "w");
  zoo_set_log_stream(quiet);
  zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
  zhandle_t* zh =
      zookeeper_init(zk.connect_string().c_str(), IgnoreEvents, 4000, nullptr, nullptr, 0);
  ASSERT_NE(zh, nullptr);
  EXPECT_TRUE(WaitFor([&] { return zoo_state(zh) == ZOO_CONNECTED_STATE; }, seconds(20)));
  EXPECT_EQ(zoo_create(zh, "/fixture", "x", 1, &ZOO_OPEN_ACL_UNSAFE, 0, nullptr, 0), ZOK);

  int leader = zk.LeaderIndex();
  ASSERT_GE(leader, 0);
  zk.Kill(leader);
  // The client reconnects by itself once a new leader serves.
  EXPECT_TRUE(WaitFor(
      [&] {
        // A create whose reply was lost to the failover is retried as ZNODEEXISTS.
        int rc = zoo_create(zh, "/after-failover", "y", 1, &ZOO_OPEN_ACL_UNSAFE, 0, nullptr, 0);
        return rc == ZOK || rc == ZNODEEXISTS;
      },
      seconds(30)));
  char buf[8];
  int len = sizeof buf;
  EXPECT_EQ(zoo_get(zh, "/fixture", 0, buf, &len, nullptr), ZOK);
  EXPECT_EQ(std::string(buf, len), "x");
  zookeeper_close(zh);
  zoo_set_log_stream(nullptr);
  std::fclose(quiet);
}

}  // namespace
}  // namespace hgc::test
