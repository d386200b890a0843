#include "checks/zoo_cfg.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace hgc {
namespace {

std::string Describe(const std::vector<ZkMember>& members) {
  std::string out;
  for (const auto& m : members) {
    out += std::to_string(m.id) + "=" + m.host + ":" + std::to_string(m.client_port) + " ";
  }
  return out;
}

TEST(ZookeeperConfigTest, ParsesKeyValueLines) {
  auto cfg = ParseZooCfg(
      "# comment\n\n  tickTime = 2000 \ndataDir=/var/lib/zookeeper\nnot a pair\n"
      "server.1=a:2888:3888\nclientPort=2181\nclientPort=2182\n");
  EXPECT_EQ(cfg.size(), 4u);
  EXPECT_EQ(cfg["tickTime"], "2000");
  EXPECT_EQ(cfg["dataDir"], "/var/lib/zookeeper");
  EXPECT_EQ(cfg["server.1"], "a:2888:3888");
  EXPECT_EQ(cfg["clientPort"], "2182");
}

TEST(ZookeeperConfigTest, ReferenceFormUsesLineHostAndSharedClientPort) {
  EXPECT_EQ(Describe(EnsembleMembers(ParseZooCfg("server.2=zk2:2888:3888\n"
                                                 "server.1=zk1.example:2888:3888\n"))),
            "1=zk1.example:2181 2=zk2:2181 ");
  EXPECT_EQ(Describe(EnsembleMembers(
                ParseZooCfg("clientPort=2999\nserver.1=zk1:2888:3888:participant\n"))),
            "1=zk1:2999 ");
}

TEST(ZookeeperConfigTest, SortsIdsAsNumbers) {
  EXPECT_EQ(Describe(EnsembleMembers(ParseZooCfg("server.10=c:1:2\nserver.2=b:1:2\n"
                                                 "server.1=a:1:2\n"))),
            "1=a:2181 2=b:2181 10=c:2181 ");
}

TEST(ZookeeperConfigTest, ClientAddressOnTheServerLineWins) {
  auto members =
      EnsembleMembers(ParseZooCfg("clientPort=2181\nclientPortAddress=127.0.0.1\n"
                                  "server.1=127.0.0.1:20001:20002;127.0.0.1:20003\n"
                                  "server.2=zk2:2888:3888;2182\n"
                                  "server.3=zk3:2888:3888:observer;10.0.0.3:2183\n"
                                  "server.4=zk4:2888:3888;0.0.0.0:2184\n"));
  EXPECT_EQ(Describe(members), "1=127.0.0.1:20003 2=zk2:2182 3=10.0.0.3:2183 4=zk4:2184 ");
}

TEST(ZookeeperConfigTest, WildcardHostIsThisMachine) {
  EXPECT_EQ(Describe(EnsembleMembers(ParseZooCfg("clientPortAddress=10.1.2.3\n"
                                                 "server.1=0.0.0.0:2888:3888\n"
                                                 "server.2=zk2:2888:3888\n"))),
            "1=10.1.2.3:2181 2=zk2:2181 ");
  EXPECT_EQ(Describe(EnsembleMembers(ParseZooCfg("server.1=0.0.0.0:2888:3888\n"))),
            "1=127.0.0.1:2181 ");
}

TEST(ZookeeperConfigTest, BadNumbersAreConfigErrors) {
  EXPECT_THROW(EnsembleMembers(ParseZooCfg("clientPort=x\nserver.1=a:1:2\n")), Error);
  EXPECT_THROW(EnsembleMembers(ParseZooCfg("server.one=a:1:2\n")), Error);
  EXPECT_THROW(EnsembleMembers(ParseZooCfg("server.1=a:1:2;70000\n")), Error);
  EXPECT_TRUE(EnsembleMembers(ParseZooCfg("tickTime=2000\n")).empty());
}

}  // namespace
}  // namespace hgc
