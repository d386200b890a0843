// Command line of `hgcluster kafka-topics`: creates the reference's topics on
// a real Kafka cluster, idempotently.
// Thread-safety: runs on the main thread during argument parsing.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "common/error.h"
#include "log/kafka_admin.h"
#include "log/kafka_topics_cmd.h"

namespace hgc {

void RegisterKafkaTopicsCommand(CLI::App& app) {
  struct Args {
    std::string bootstrap;
    int partitions = 8;
    KafkaTopicOptions options;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "kafka-topics", "create the replication topics on a Kafka cluster (idempotent)");
  cmd->footer(
      "Creates pushdata (--partitions), replicatedpushdatapending and replicatedpushdata (1 "
      "partition each) where missing, with replication factor min(3, brokers) and "
      "min.insync.replicas min(2, replication factor) unless given. Topics that exist are left "
      "as they are (an error if pushdata has fewer partitions than asked).");
  cmd->add_option("--bootstrap-server", args->bootstrap, "host:port[,host:port]")->required();
  cmd->add_option("--partitions", args->partitions, "partitions of pushdata")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--retention-ms", args->options.retention_ms, "retention.ms of every topic")
      ->capture_default_str();
  cmd->add_option("--max-message-bytes", args->options.max_message_bytes,
                  "max.message.bytes of every topic (the largest compressed record)")
      ->capture_default_str();
  cmd->add_option("--segment-ms", args->options.segment_ms,
                  "segment.ms of every topic (default: the broker's, 7 days)");
  cmd->add_option("--replication-factor", args->options.replication_factor,
                  "replicas per partition (default min(3, brokers))");
  cmd->add_option("--min-insync-replicas", args->options.min_insync_replicas,
                  "min.insync.replicas (default min(2, replication factor))");
  cmd->callback([args] {
    try {
      for (const KafkaTopicResult& r :
           CreateKafkaTopics(args->bootstrap, ReferenceTopics(args->partitions), args->options)) {
        std::cout << fmt::format("{} {}: {} partition(s), replication factor {}\n",
                                 r.created ? "created" : "exists ", r.name, r.partitions,
                                 r.replication_factor);
      }
    } catch (const Error& e) {
      std::cerr << "kafka-topics: " << e.what() << std::endl;
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace hgc
