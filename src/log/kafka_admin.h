// Administration of a real Kafka cluster through librdkafka's admin API: how
// many brokers serve right now, and the reference's topics created
// idempotently (pushdata, replicatedpushdatapending, replicatedpushdata).
// librdkafka's mock cluster answers neither CreateTopics nor configs, so on
// it this only succeeds when the topics already exist (kafka-mock creates them).
// Thread-safety: each call opens and closes its own client; safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace hgc {

struct KafkaTopicSpec {
  std::string name;
  int partitions = 1;
};

struct KafkaTopicOptions {
  // retention.ms of every topic; the reference keeps 72 hours.
  int64_t retention_ms = 72LL * 3600 * 1000;
  // segment.ms of every topic; 0: the broker's (7 days). Retention deletes
  // whole closed segments only, so a retention shorter than a segment's age
  // needs a shorter segment.ms to take effect.
  int64_t segment_ms = 0;
  // max.message.bytes of every topic (the reference's 100 MiB); the
  // leader's [replicationproducer] maxmessagebytes must not exceed it.
  int64_t max_message_bytes = 104857600;
  // 0: min(3, brokers in the cluster).
  int replication_factor = 0;
  // 0: min(2, replication factor).
  int min_insync_replicas = 0;
  std::chrono::milliseconds timeout{30'000};
};

// What happened to one topic.
struct KafkaTopicResult {
  std::string name;
  bool created = false;  // false: it already existed with enough partitions
  int partitions = 0;
  int replication_factor = 0;
};

// pushdata with `pushdata_partitions`, replicatedpushdatapending and
// replicatedpushdata with one partition each.
std::vector<KafkaTopicSpec> ReferenceTopics(int pushdata_partitions = 8);

// Brokers listed by the cluster's metadata (live, registered brokers). Throws
// Error(kLogUnavailable) when no broker answers within `timeout`.
int KafkaBrokerCount(const std::string& brokers, std::chrono::milliseconds timeout);

// "topic/partition" of every partition (internal topics included) with a
// replica on broker `node`, per the cluster's metadata. Throws
// Error(kLogUnavailable) when no broker answers within `timeout`.
std::vector<std::string> KafkaReplicasOn(const std::string& brokers, int node,
                                         std::chrono::milliseconds timeout);

// The broker id leading topic/partition per the cluster's metadata, -1 when
// none is known (no leader, or no broker answered within `timeout`).
int KafkaPartitionLeader(const std::string& brokers, const std::string& topic, int partition,
                         std::chrono::milliseconds timeout);

// Creates the topics that do not exist yet (CreateTopics, replication factor
// and min.insync.replicas as in `options`), then waits until every partition
// of every topic has a leader. A topic that exists with fewer partitions than
// asked is an Error(kConfig); one that exists otherwise is left alone.
// Throws Error(kLogUnavailable) when the cluster does not answer in time.
std::vector<KafkaTopicResult> CreateKafkaTopics(const std::string& brokers,
                                                const std::vector<KafkaTopicSpec>& topics,
                                                const KafkaTopicOptions& options = {});

}  // namespace hgc
