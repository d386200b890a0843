// `hgcluster kafka-mock`: librdkafka's in-memory mock Kafka cluster run as a
// foreground daemon, so tests and demos get a Kafka without a JVM. Other
// processes find it through the bootstrap list it prints and writes to a file.
// Signals drive fault injection from outside: SIGUSR1 takes every broker down,
// SIGUSR2 brings them back; SIGTERM/SIGINT stop it.
// Thread-safety: RunKafkaMock owns the process's signal handling; call it once,
// from the main thread, before any other thread exists.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace hgc {

// Topics a cluster needs: the push log and the two heads/pending topics.
std::vector<std::pair<std::string, int>> DefaultMockTopics();

// Serves until SIGTERM or SIGINT and returns the process exit code (0 on a
// clean stop). `port_hint` is ignored (the mock binds random ports) apart from
// a warning. Prints "bootstrap.servers=<list>" on stdout; if `bootstrap_file`
// is not empty, publishes the list there atomically and removes it on exit.
int RunKafkaMock(int brokers, int port_hint, const std::string& bootstrap_file,
                 const std::vector<std::pair<std::string, int>>& topics);

// Adds the `kafka-mock` subcommand.
void RegisterKafkaMockCommand(CLI::App& app);

}  // namespace hgc
