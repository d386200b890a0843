// A real Apache Kafka cluster for tests: N KRaft nodes (default 3, each broker
// and controller) on 127.0.0.1, started through `hgcluster kafka-local
// --detach` in a scratch directory, so the tests run exactly what people run.
// Nodes are numbered 1..N like Kafka's node.id. The constructor returns once
// every broker serves (fails the test otherwise); the destructor SIGKILLs
// what still runs (the data is scratch).
// Start-up costs a few JVM starts (~10 s on 2 busy cores): one per test suite
// or test, not per assertion.
// Thread-safety: use from one test thread.
#pragma once

#include <chrono>
#include <string>

#include "test_support.h"

namespace hgc::test {

class KafkaCluster {
 public:
  explicit KafkaCluster(int brokers = 3);
  ~KafkaCluster();
  KafkaCluster(const KafkaCluster&) = delete;
  KafkaCluster& operator=(const KafkaCluster&) = delete;

  int size() const { return brokers_; }
  // "127.0.0.1:p1,127.0.0.1:p2,..."
  const std::string& bootstrap() const { return bootstrap_; }
  const std::string& dir() const { return dir_.path(); }
  std::string log_path(int node) const;
  // Pid of node `node` if it runs, else 0.
  int Pid(int node) const;
  bool running(int node) const { return Pid(node) > 0; }

  // SIGTERM (a clean, controlled shutdown) and wait until it exited.
  void Stop(int node);
  // SIGKILL and wait until it is gone.
  void Kill(int node);
  // Starts every node that is not running (same ports and data) and waits
  // until the cluster's metadata lists all brokers again.
  void Restart();

  // The broker id leading topic/partition per the cluster's metadata, -1 if
  // none is known.
  int PartitionLeader(const std::string& topic, int partition) const;

 private:
  ScratchDir dir_;
  int brokers_;
  std::string bootstrap_;
};

}  // namespace hgc::test
