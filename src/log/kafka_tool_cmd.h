// `hgcluster kafka TOOL [ARGS...]`: Apache Kafka's own command-line tools
// (kafka-topics.sh, kafka-reassign-partitions.sh, ...) run from the jars
// scripts/install-kafka.sh fetched, for hosts without a Kafka distribution's
// bin/ directory. The runbook's Kafka procedures use them (docs/operations.md).
// Thread-safety: registration only, from the main thread.
#pragma once

#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace hgc {

// The Java main class of a tool named as Kafka's scripts are
// ("reassign-partitions", "kafka-reassign-partitions" or
// "kafka-reassign-partitions.sh"); nullopt for a name it does not know.
std::optional<std::string> KafkaToolClass(const std::string& name);

void RegisterKafkaToolCommand(CLI::App& app);

}  // namespace hgc
