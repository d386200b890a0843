// The mock Kafka daemon behind `hgcluster kafka-mock`. Signals are blocked
// and taken synchronously with sigwait, so the broker up/down calls run on the
// main thread rather than in a signal handler.
// Thread-safety: single-threaded apart from librdkafka's own threads.
#include "log/kafka_mock.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>

namespace hgc {
namespace {

// Publishes the bootstrap list so a reader never sees a half-written file.
bool WriteBootstrapFile(const std::string& path, const std::string& bootstrap) {
  std::string tmp = path + ".tmp";
  FILE* f = fopen(tmp.c_str(), "w");
  if (!f) {
    fprintf(stderr, "kafka-mock: cannot write %s: %s\n", tmp.c_str(), strerror(errno));
    return false;
  }
  bool ok = fprintf(f, "%s\n", bootstrap.c_str()) > 0;
  ok = (fclose(f) == 0) && ok;
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    fprintf(stderr, "kafka-mock: cannot publish %s: %s\n", path.c_str(), strerror(errno));
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

std::string ReadFirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

void SetAllBrokers(rd_kafka_mock_cluster_t* cluster, int brokers, bool up) {
  for (int32_t id = 1; id <= brokers; ++id) {
    rd_kafka_resp_err_t err =
        up ? rd_kafka_mock_broker_set_up(cluster, id) : rd_kafka_mock_broker_set_down(cluster, id);
    if (err) fprintf(stderr, "kafka-mock: broker %d: %s\n", id, rd_kafka_err2str(err));
  }
  // Tests wait for this line to know the fault is in place.
  printf("kafka-mock: all %d brokers %s\n", brokers, up ? "up" : "down");
  fflush(stdout);
}

}  // namespace

std::vector<std::pair<std::string, int>> DefaultMockTopics() {
  return {{"pushdata", 8}, {"replicatedpushdatapending", 1}, {"replicatedpushdata", 1}};
}

int RunKafkaMock(int brokers, int port_hint, const std::string& bootstrap_file,
                 const std::vector<std::pair<std::string, int>>& topics) {
  if (brokers < 1) {
    fprintf(stderr, "kafka-mock: --brokers must be at least 1\n");
    return 2;
  }
  // Block before librdkafka starts threads so they inherit the mask and
  // every one of these signals waits for sigwait below.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);  // hide CONFWARN noise
  std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)> rk(
      rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr), rd_kafka_destroy);
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    fprintf(stderr, "kafka-mock: cannot create a Kafka handle: %s\n", errstr);
    return 1;
  }
  std::unique_ptr<rd_kafka_mock_cluster_t, void (*)(rd_kafka_mock_cluster_t*)> cluster(
      rd_kafka_mock_cluster_new(rk.get(), brokers), rd_kafka_mock_cluster_destroy);
  if (!cluster) {
    fprintf(stderr, "kafka-mock: cannot start a mock cluster of %d brokers\n", brokers);
    return 1;
  }
  for (const auto& [name, partitions] : topics) {
    rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(cluster.get(), name.c_str(), partitions, std::min(brokers, 3));
    if (err) {
      fprintf(stderr, "kafka-mock: cannot create topic %s with %d partitions: %s\n", name.c_str(),
              partitions, rd_kafka_err2str(err));
      return 1;
    }
  }
  std::string bootstrap = rd_kafka_mock_cluster_bootstraps(cluster.get());
  if (port_hint > 0) {
    fprintf(stderr,
            "kafka-mock: --port %d ignored: librdkafka's mock cluster listens on random ports; "
            "use the bootstrap list printed below\n",
            port_hint);
  }
  if (!bootstrap_file.empty() && !WriteBootstrapFile(bootstrap_file, bootstrap)) return 1;
  printf("bootstrap.servers=%s\n", bootstrap.c_str());
  fflush(stdout);

  while (true) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGUSR1) {
      SetAllBrokers(cluster.get(), brokers, false);
    } else if (sig == SIGUSR2) {
      SetAllBrokers(cluster.get(), brokers, true);
    } else {
      break;
    }
  }
  // A stale file would point the next reader at dead ports; but a newer
  // mock may already have published its own list there.
  if (!bootstrap_file.empty() && ReadFirstLine(bootstrap_file) == bootstrap) {
    unlink(bootstrap_file.c_str());
  }
  return 0;
}

}  // namespace hgc
