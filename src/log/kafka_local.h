// A real Apache Kafka cluster (KRaft, every node broker + controller) on
// 127.0.0.1 for people and tests: `hgcluster kafka-local`. Each node is a JVM
// started detached, with its config, data, log and pid file under DIR/nodeN;
// ports, the cluster id and the node count are chosen once and kept in
// DIR/kafka-local.json, so a restart on the same DIR reuses storage and ports.
// Jars come from scripts/install-kafka.sh (HGCLUSTER_KAFKA_LIBS or the
// user's cache).
// Thread-safety: process-level; call from one thread.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace hgc {

struct KafkaLocalOptions {
  std::string dir;
  int brokers = 3;   // only used when DIR holds no cluster yet
  std::string libs;  // empty: DefaultKafkaLibs()
  // Only used when DIR holds no cluster yet: one address per node, each node
  // listening on ADDRESS:9092 (clients) and ADDRESS:9093 (controllers), for
  // nodes on separate hosts (network namespaces); brokers = its size. Empty:
  // every node on 127.0.0.1 with ports picked once.
  std::vector<std::string> hosts;
  // Only used when DIR holds no cluster yet, then kept: a command prefix for
  // each node's JVM, "{id}" replaced by the node id, e.g.
  // "ip netns exec kafka{id}" to start node N inside namespace kafkaN.
  std::string launch;
  std::chrono::seconds ready_timeout{120};
  // Foreground use: the nodes get SIGTERM when the starting thread dies.
  bool die_with_parent = false;
  // Map the class archive of kafka_class_archive.h, writing it first if there
  // is none (once per install: a broker's start and stop).
  bool class_archive = true;
  // Extra JVM options for the nodes this call starts.
  std::vector<std::string> jvm_options;
};

// $HGCLUSTER_KAFKA_LIBS, else ${XDG_CACHE_HOME:-$HOME/.cache}/hgcluster/kafka-4.1.1/libs.
std::string DefaultKafkaLibs();

// Creates DIR's cluster on first use (ports, config, formatted storage),
// starts every node that is not running, and waits until the cluster's
// metadata lists every broker. Writes and returns the bootstrap list
// (DIR/bootstrap). Throws Error(kConfig) when the jars or java are missing or
// DIR holds a cluster of another size, Error(kLogUnavailable) when the
// cluster does not serve within the timeout (naming the node logs).
std::string StartKafkaLocal(const KafkaLocalOptions& options);

// The bootstrap list of DIR's cluster (from kafka-local.json), running or not.
std::string KafkaLocalBootstrap(const std::string& dir);

// The runbook's "Adding a new server": a broker-only node (the KRaft
// controller quorum stays as it is) joins DIR's running cluster with the
// next free id, its storage formatted with the cluster's id; returns once
// the cluster's metadata lists it. It holds no data until partitions are
// reassigned to it (kafka-reassign-partitions). Returns its node id.
int AddKafkaLocalBroker(const KafkaLocalOptions& options);

// "Removing an old Kafka Node": refuses (Error(kUsage), naming them) while
// any partition still has a replica on broker `id` — move them first — and
// refuses a controller node; else stops the node, unregisters it from the
// cluster (Kafka's ClusterTool) and forgets it (its files stay, renamed
// DIR/nodeN.removed).
void RemoveKafkaLocalBroker(const KafkaLocalOptions& options, int id);

// java and its arguments to run `main_class` (one of Kafka's tools) from the
// jars in `libs`; throws Error(kConfig) saying how to install what is missing.
std::vector<std::string> KafkaJavaCommand(const std::string& libs, const std::string& main_class);

// Pid of node `id` (1-based) if it is running, else 0.
int KafkaLocalNodePid(const std::string& dir, int id);
// Node ids of DIR's cluster.
std::vector<int> KafkaLocalNodes(const std::string& dir);

// SIGTERM to the running nodes (all, or only `id`), SIGKILL to any still
// running after `grace`. Returns how many were running.
int StopKafkaLocal(const std::string& dir, int id = 0,
                   std::chrono::seconds grace = std::chrono::seconds(60));

// Adds the `kafka-local` subcommand.
void RegisterKafkaLocalCommand(CLI::App& app);

}  // namespace hgc
