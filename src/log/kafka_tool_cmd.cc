#include "log/kafka_tool_cmd.h"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <vector>

#include "log/kafka_local.h"

namespace hgc {
namespace {

const std::map<std::string, std::string>& Tools() {
  static const auto* tools = new std::map<std::string, std::string>{
      {"topics", "org.apache.kafka.tools.TopicCommand"},
      {"reassign-partitions", "org.apache.kafka.tools.reassign.ReassignPartitionsCommand"},
      {"consumer-groups", "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand"},
      {"metadata-quorum", "org.apache.kafka.tools.MetadataQuorumCommand"},
      {"cluster", "org.apache.kafka.tools.ClusterTool"},
      {"configs", "kafka.admin.ConfigCommand"},
      {"log-dirs", "org.apache.kafka.tools.LogDirsCommand"},
      {"delete-records", "org.apache.kafka.tools.DeleteRecordsCommand"},
      {"get-offsets", "org.apache.kafka.tools.GetOffsetShell"},
  };
  return *tools;
}

struct KafkaToolArgs {
  std::string tool;
  std::string libs;
};

}  // namespace

std::optional<std::string> KafkaToolClass(const std::string& name) {
  std::string n = name;
  if (n.size() > 3 && n.compare(n.size() - 3, 3, ".sh") == 0) n.resize(n.size() - 3);
  if (n.rfind("kafka-", 0) == 0) n = n.substr(6);
  auto it = Tools().find(n);
  if (it == Tools().end()) return std::nullopt;
  return it->second;
}

void RegisterKafkaToolCommand(CLI::App& app) {
  auto args = std::make_shared<KafkaToolArgs>();
  std::string names;
  for (const auto& [name, cls] : Tools()) names += (names.empty() ? "" : ", ") + name;
  CLI::App* cmd = app.add_subcommand(
      "kafka",
      "run one of Apache Kafka's tools (kafka-topics.sh, kafka-reassign-partitions.sh, "
      "...) from the installed jars");
  cmd->footer("TOOL is one of: " + names +
              " (also as kafka-NAME or kafka-NAME.sh). Every argument after it goes to the tool, "
              "e.g. `hgcluster kafka reassign-partitions --bootstrap-server HOST:PORT --verify "
              "--reassignment-json-file plan.json`.");
  cmd->add_option("--libs", args->libs,
                  "directory of Kafka's jars (default: $HGCLUSTER_KAFKA_LIBS, else "
                  "~/.cache/hgcluster/kafka-4.1.1/libs)");
  cmd->add_option("tool", args->tool, "the tool")->required();
  cmd->prefix_command();
  cmd->callback([cmd, args] {
    auto cls = KafkaToolClass(args->tool);
    if (!cls) {
      std::cerr << fmt::format("kafka: no tool named '{}'; see `hgcluster kafka --help`",
                               args->tool)
                << std::endl;
      throw CLI::RuntimeError(2);
    }
    std::string libs = args->libs.empty() ? DefaultKafkaLibs() : args->libs;
    std::vector<std::string> argv = KafkaJavaCommand(libs, *cls);
    for (const std::string& a : cmd->remaining()) argv.push_back(a);
    std::vector<char*> c_argv;
    for (std::string& a : argv) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);
    std::cout.flush();
    // The tool replaces this process: its output, input and exit status are the command's.
    execv(c_argv[0], c_argv.data());
    std::cerr << fmt::format("kafka: cannot run {}: {}", argv[0], std::strerror(errno))
              << std::endl;
    throw CLI::RuntimeError(127);
  });
}

}  // namespace hgc
