// Aggregator throughput: messages copied per second from an 8-partition
// topic to the single-partition aggregate topic with 3 mirror groups, on the
// embedded log (each batch of up to 200 is one fsynced append plus one
// fsynced offset commit), or with --kafka on a real 3-broker Kafka cluster
// started for the run (`kafka-local`, replication factor 3,
// min.insync.replicas 2: each batch is one acks=all produce plus one offset
// commit).
//
//   build/aggregator_bench [--messages N] [--kafka]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>

#include "aggregator/aggregator.h"
#include "log/kafka_admin.h"
#include "log/kafka_local.h"
#include "hg/repo_state.h"
#include "message/message.h"

int main(int argc, char** argv) {
  int n = 20000;
  bool kafka = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--messages") && i + 1 < argc) n = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--kafka")) kafka = true;
  }
  char tmpl[] = "/tmp/hgcluster-aggbench-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string url = "sqlite://" + dir + "/log.db";
  if (kafka) {
    hgc::KafkaLocalOptions k;
    k.dir = dir + "/kafka";
    k.brokers = 3;
    std::string bootstrap = hgc::StartKafkaLocal(k);
    hgc::CreateKafkaTopics(bootstrap, hgc::ReferenceTopics(8));
    url = "kafka://" + bootstrap;
  }
  // Stops the brokers however the run ends.
  struct Cleanup {
    std::string dir;
    bool kafka;
    ~Cleanup() {
      if (kafka) hgc::StopKafkaLocal(dir + "/kafka");
      std::filesystem::remove_all(dir);
    }
  } cleanup{dir, kafka};
  auto log = hgc::OpenLog(url, "aggregator-bench");
  log->EnsureTopic("pushdata", 8);
  log->EnsureTopic("replicatedpushdatapending", 1);
  std::map<int, std::vector<std::string>> per_partition;
  for (int i = 0; i < n; ++i) {
    per_partition[i % 8].push_back(hgc::EncodeMessage(hgc::MakeChangegroup(
        "{moz}/repo" + std::to_string(i % 97), "serve", 1, {std::string(40, 'a')}, 1.0 + i)));
  }
  std::map<int, int64_t> ends;
  for (auto& [p, values] : per_partition) {
    log->AppendBatch("pushdata", p, values);
    ends[p] = static_cast<int64_t>(values.size());
  }
  for (const char* g : {"hgweb1", "hgweb2", "hgweb3"}) log->Commit(g, "pushdata", ends);
  hgc::WriteFileAtomic(dir + "/groups", "hgweb1\nhgweb2\nhgweb3\n");
  hgc::AggregatorConfig c;
  c.log_url = url;
  c.monitor_topic = "pushdata";
  c.monitor_groups_file = dir + "/groups";
  c.ack_group = "pushdataaggregator";
  c.aggregate_topic = "replicatedpushdatapending";
  hgc::Aggregator agg(c, *log);
  // Keep the per-message log lines out of the measurement's output.
  std::fflush(stdout);
  FILE* saved = fdopen(dup(fileno(stdout)), "w");
  if (!freopen("/dev/null", "w", stdout)) return 1;
  auto t0 = std::chrono::steady_clock::now();
  int copied = 0;
  while (copied < n) {
    int k = agg.Iterate();
    if (k == 0) break;
    copied += k;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(saved,
               "aggregator (%s): %d messages from 8 partitions x 3 groups copied in %.3f s = %.0f "
               "messages/s\n",
               kafka ? "real Kafka, 3 brokers" : "embedded log", copied, secs, copied / secs);
  std::fclose(saved);
  return copied == n ? 0 : 1;
}
