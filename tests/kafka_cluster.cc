#include "kafka_cluster.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>

#include <memory>

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
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap_.c_str(), errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof errstr);
  std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)> rk(
      rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr), rd_kafka_destroy);
  if (!rk) return -1;
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(rk.get(), 1, nullptr, &md, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) return -1;
  int leader = -1;
  for (int t = 0; t < md->topic_cnt; ++t) {
    if (topic != md->topics[t].topic) continue;
    for (int p = 0; p < md->topics[t].partition_cnt; ++p) {
      if (md->topics[t].partitions[p].id == partition) leader = md->topics[t].partitions[p].leader;
    }
  }
  rd_kafka_metadata_destroy(md);
  return leader;
}

}  // namespace hgc::test
