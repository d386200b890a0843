// Command line of `hgcluster kafka-mock`.
// Thread-safety: runs on the main thread during argument parsing.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "log/kafka_mock.h"

namespace hgc {
namespace {

std::pair<std::string, int> ParseTopicSpec(const std::string& spec) {
  size_t colon = spec.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size()) {
    throw CLI::ValidationError("--topic", "'" + spec + "' is not NAME:PARTITIONS");
  }
  int partitions = 0;
  try {
    size_t used = 0;
    partitions = std::stoi(spec.substr(colon + 1), &used);
    if (used != spec.size() - colon - 1) partitions = 0;
  } catch (const std::exception&) {
    partitions = 0;
  }
  if (partitions < 1) {
    throw CLI::ValidationError("--topic",
                               "'" + spec + "': the partition count must be a positive number");
  }
  return {spec.substr(0, colon), partitions};
}

}  // namespace

void RegisterKafkaMockCommand(CLI::App& app) {
  struct Args {
    int brokers = 3;
    int port = 0;
    std::string bootstrap_file;
    std::vector<std::string> topics;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "kafka-mock", "run librdkafka's in-memory mock Kafka cluster (for tests and demos)");
  cmd->footer(
      "Nothing is persisted. Prints 'bootstrap.servers=HOST:PORT,...' on stdout once the "
      "cluster is up. The brokers listen on random ports: use the printed list or "
      "--bootstrap-file. Signals: SIGUSR1 takes every broker down, SIGUSR2 brings them back "
      "(each prints a line saying so), SIGTERM or SIGINT stops the cluster.");
  cmd->add_option("--brokers", args->brokers, "Number of brokers")
      ->default_val(3)
      ->check(CLI::Range(1, 64));
  cmd->add_option("--port", args->port,
                  "Accepted for compatibility but ignored: librdkafka 2.0.2's mock cluster "
                  "cannot choose its ports; read the actual addresses from stdout or "
                  "--bootstrap-file");
  cmd->add_option("--bootstrap-file", args->bootstrap_file,
                  "Write the bootstrap list to FILE (atomically) once the cluster is up; "
                  "removed on exit");
  cmd->add_option("--topic", args->topics,
                  "Create topic NAME:PARTITIONS (repeatable; replaces the defaults "
                  "pushdata:8 replicatedpushdatapending:1 replicatedpushdata:1)");
  cmd->callback([args] {
    std::vector<std::pair<std::string, int>> topics;
    for (const std::string& spec : args->topics) topics.push_back(ParseTopicSpec(spec));
    if (topics.empty()) topics = DefaultMockTopics();
    int code = RunKafkaMock(args->brokers, args->port, args->bootstrap_file, topics);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace hgc
