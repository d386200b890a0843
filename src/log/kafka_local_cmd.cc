// Command line of `hgcluster kafka-local`: start (foreground or --detach),
// --stop, --add-broker and --remove-node of a real local Kafka cluster.
// Thread-safety: runs on the main thread during argument parsing.
#include <signal.h>
#include <sys/wait.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "common/error.h"
#include "log/kafka_local.h"

namespace hgc {
namespace {

struct KafkaLocalArgs {
  KafkaLocalOptions options;
  bool detach = false;
  bool stop = false;
  bool add_broker = false;
  int remove_node = 0;
  int node = 0;
  int timeout = 120;
};

int Run(KafkaLocalArgs& a) {
  a.options.ready_timeout = std::chrono::seconds(a.timeout);
  if (a.add_broker) {
    int id = AddKafkaLocalBroker(a.options);
    std::cout << "kafka-local: broker " << id << " joined; it holds no partitions until they are "
              << "reassigned to it" << std::endl;
    std::cout << "bootstrap.servers=" << KafkaLocalBootstrap(a.options.dir) << std::endl;
    return 0;
  }
  if (a.remove_node > 0) {
    RemoveKafkaLocalBroker(a.options, a.remove_node);
    std::cout << "kafka-local: broker " << a.remove_node << " stopped, unregistered and removed"
              << std::endl;
    std::cout << "bootstrap.servers=" << KafkaLocalBootstrap(a.options.dir) << std::endl;
    return 0;
  }
  if (a.stop) {
    int stopped = StopKafkaLocal(a.options.dir, a.node);
    std::cout << "kafka-local: stopped " << stopped << " node(s) at " << a.options.dir << std::endl;
    return 0;
  }
  a.options.die_with_parent = !a.detach;
  std::string bootstrap = StartKafkaLocal(a.options);
  std::cout << "bootstrap.servers=" << bootstrap << std::endl;
  if (a.detach) {
    std::cout << "kafka-local: running in the background; stop it with `hgcluster kafka-local "
                 "--dir "
              << a.options.dir << " --stop`" << std::endl;
    return 0;
  }
  // Blocked only now: the JVMs must not inherit a mask hiding SIGTERM.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  int sig = 0;
  while (sigwait(&signals, &sig) != 0) {
  }
  int stopped = StopKafkaLocal(a.options.dir);
  while (waitpid(-1, nullptr, WNOHANG) > 0) {  // the nodes were our children
  }
  std::cout << "kafka-local: stopped " << stopped << " node(s)" << std::endl;
  return 0;
}

}  // namespace

void RegisterKafkaLocalCommand(CLI::App& app) {
  auto args = std::make_shared<KafkaLocalArgs>();
  CLI::App* cmd = app.add_subcommand(
      "kafka-local", "run a real Apache Kafka cluster (KRaft) on 127.0.0.1 (for tests and demos)");
  cmd->footer(
      "Every node is broker and controller, a JVM with its files in DIR/nodeN (server.properties, "
      "data/, kafka.log, pid). Ports are picked once and kept in DIR/kafka-local.json: running "
      "again on the same DIR reuses storage and ports and starts only the nodes that are not "
      "running. Prints 'bootstrap.servers=HOST:PORT,...' and writes DIR/bootstrap once every "
      "broker serves. In the foreground, SIGTERM or SIGINT stops every node. The jars come from "
      "scripts/install-kafka.sh.");
  cmd->add_option("--dir", args->options.dir, "cluster directory")->required();
  cmd->add_option("--brokers", args->options.brokers, "number of nodes (on first start)")
      ->capture_default_str()
      ->check(CLI::Range(1, 9));
  cmd->add_option("--libs", args->options.libs,
                  "directory of Kafka's jars (default: $HGCLUSTER_KAFKA_LIBS, else "
                  "~/.cache/hgcluster/kafka-4.1.1/libs)");
  cmd->add_option("--hosts", args->options.hosts,
                  "on first start: one address per node (nodes on separate hosts or network "
                  "namespaces), each listening on ADDRESS:9092 and ADDRESS:9093; --brokers is "
                  "their number")
      ->delimiter(',');
  cmd->add_option("--launch", args->options.launch,
                  "on first start, kept: a command prefix for each node's JVM, {id} the node id "
                  "(e.g. 'ip netns exec kafka{id}')");
  cmd->add_option("--timeout", args->timeout, "seconds to wait until every broker serves")
      ->capture_default_str();
  cmd->add_flag("--detach", args->detach, "return once the cluster serves, leave it running");
  cmd->add_flag("--stop", args->stop, "stop the cluster's running nodes (SIGTERM, then SIGKILL)");
  cmd->add_option("--node", args->node, "with --stop: only this node id")->check(CLI::Range(1, 9));
  cmd->add_flag("--add-broker", args->add_broker,
                "add a broker-only node to the running cluster (runbook: adding a new server)");
  cmd->add_option("--remove-node", args->remove_node,
                  "stop, unregister and forget an added broker that holds no partitions")
      ->check(CLI::Range(1, 99));
  cmd->callback([args] {
    try {
      throw CLI::RuntimeError(Run(*args));
    } catch (const Error& e) {
      std::cerr << "kafka-local: " << e.what() << std::endl;
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace hgc
