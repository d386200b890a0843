#include "kafka_cluster.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <memory>

#include "log/kafka_admin.h"
#include "log/kafka_local.h"

namespace hgc::test {

KafkaCluster::KafkaCluster(int brokers) : brokers_(brokers) {
  auto r = Hgcluster({"kafka-local", "--dir", dir_.path(), "--brokers", std::to_string(brokers),
                      "--detach"});
  EXPECT_EQ(r.exit_code, 0) << "hgcluster kafka-local did not start:\n" << r.out << r.err;
  bootstrap_ = KafkaLocalBootstrap(dir_.path());
}

KafkaCluster::~KafkaCluster() {
  for (int node = 1; node <= brokers_; ++node) Kill(node);
}

std::string KafkaCluster::log_path(int node) const {
  return dir_.path() + "/node" + std::to_string(node) + "/kafka.log";
}

int KafkaCluster::Pid(int node) const { return KafkaLocalNodePid(dir_.path(), node); }

void KafkaCluster::Stop(int node) {
  auto r = Hgcluster({"kafka-local", "--dir", dir_.path(), "--stop", "--node",
                      std::to_string(node)});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(running(node));
}

void KafkaCluster::Kill(int node) {
  int pid = Pid(node);
  if (pid <= 0) return;
  kill(pid, SIGKILL);
  EXPECT_TRUE(WaitFor([&] { return !running(node); }, std::chrono::seconds(30)))
      << "Kafka node " << node << " survived SIGKILL";
}

void KafkaCluster::Restart() {
  auto r = Hgcluster({"kafka-local", "--dir", dir_.path(), "--brokers", std::to_string(brokers_),
                      "--detach"});
  EXPECT_EQ(r.exit_code, 0) << "restart failed:\n" << r.out << r.err;
}

int KafkaCluster::PartitionLeader(const std::string& topic, int partition) const {
  return KafkaPartitionLeader(bootstrap_, topic, partition, std::chrono::seconds(5));
}

}  // namespace hgc::test
