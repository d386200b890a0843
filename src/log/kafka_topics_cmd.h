// `hgcluster kafka-topics`: the replication topics on a real Kafka cluster.
// Thread-safety: registration only, from the main thread.
#pragma once

namespace CLI {
class App;
}

namespace hgc {

void RegisterKafkaTopicsCommand(CLI::App& app);

}  // namespace hgc
