// Admin requests on a short-lived producer handle: metadata for the broker
// count and the topics' state, CreateTopics for what is missing.
#include "log/kafka_admin.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <map>
#include <memory>
#include <thread>

#include "common/error.h"
#include "log/kafka_handle.h"

namespace hgc {
namespace {

using SteadyClock = std::chrono::steady_clock;

using Metadata = std::unique_ptr<const rd_kafka_metadata_t, void (*)(const rd_kafka_metadata_t*)>;

Error Unavailable(const std::string& brokers, const std::string& what, const std::string& why) {
  return Error(ErrorKind::kLogUnavailable,
               fmt::format("Kafka at {}: {}: {}; check that the brokers are running and "
                           "reachable from this host",
                           brokers, what, why));
}

int MsLeft(SteadyClock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 1, INT32_MAX));
}

KafkaHandle OpenAdmin(const std::string& brokers) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const char* name, const std::string& value) {
    if (rd_kafka_conf_set(conf, name, value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw Error(ErrorKind::kConfig,
                  fmt::format("bad Kafka client setting {}={}: {}", name, value, errstr));
    }
  };
  set("bootstrap.servers", brokers);
  set("client.id", "hgcluster-admin");
  set("log_level", "2");  // connection refusals while a cluster starts are expected
  set("allow.auto.create.topics", "false");
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    throw Error(ErrorKind::kConfig, fmt::format("cannot create a Kafka client: {}", errstr));
  }
  return KafkaHandle(rk);
}

// Cluster-wide metadata (all topics: naming one could auto-create it).
Metadata ReadMetadata(rd_kafka_t* rk, int timeout_ms, rd_kafka_resp_err_t* err) {
  const rd_kafka_metadata_t* md = nullptr;
  *err = rd_kafka_metadata(rk, 1, nullptr, &md, timeout_ms);
  return Metadata(*err ? nullptr : md, rd_kafka_metadata_destroy);
}

const rd_kafka_metadata_topic_t* FindTopic(const rd_kafka_metadata_t* md, const std::string& name) {
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (name == md->topics[i].topic && md->topics[i].err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
      return &md->topics[i];
  }
  return nullptr;
}

bool AllLed(const rd_kafka_metadata_topic_t* t, int partitions) {
  if (!t || t->partition_cnt < partitions) return false;
  for (int p = 0; p < t->partition_cnt; ++p) {
    if (t->partitions[p].leader < 0 || t->partitions[p].err) return false;
  }
  return true;
}

}  // namespace

std::vector<KafkaTopicSpec> ReferenceTopics(int pushdata_partitions) {
  return {{"pushdata", pushdata_partitions},
          {"replicatedpushdatapending", 1},
          {"replicatedpushdata", 1}};
}

int KafkaBrokerCount(const std::string& brokers, std::chrono::milliseconds timeout) {
  KafkaHandle rk = OpenAdmin(brokers);
  rd_kafka_resp_err_t err;
  Metadata md = ReadMetadata(rk.get(), static_cast<int>(timeout.count()), &err);
  if (!md) throw Unavailable(brokers, "cannot read cluster metadata", rd_kafka_err2str(err));
  return md->broker_cnt;
}

std::vector<std::string> KafkaReplicasOn(const std::string& brokers, int node,
                                         std::chrono::milliseconds timeout) {
  KafkaHandle rk = OpenAdmin(brokers);
  rd_kafka_resp_err_t err;
  Metadata md = ReadMetadata(rk.get(), static_cast<int>(timeout.count()), &err);
  if (!md) throw Unavailable(brokers, "cannot read cluster metadata", rd_kafka_err2str(err));
  std::vector<std::string> out;
  for (int t = 0; t < md->topic_cnt; ++t) {
    const rd_kafka_metadata_topic_t& topic = md->topics[t];
    for (int p = 0; p < topic.partition_cnt; ++p) {
      const rd_kafka_metadata_partition_t& part = topic.partitions[p];
      for (int r = 0; r < part.replica_cnt; ++r) {
        if (part.replicas[r] == node) {
          out.push_back(fmt::format("{}/{}", topic.topic, part.id));
          break;
        }
      }
    }
  }
  return out;
}

int KafkaPartitionLeader(const std::string& brokers, const std::string& topic, int partition,
                         std::chrono::milliseconds timeout) {
  KafkaHandle rk = OpenAdmin(brokers);
  rd_kafka_resp_err_t err;
  Metadata md = ReadMetadata(rk.get(), static_cast<int>(timeout.count()), &err);
  if (!md) return -1;
  const rd_kafka_metadata_topic_t* t = FindTopic(md.get(), topic);
  if (!t) return -1;
  for (int p = 0; p < t->partition_cnt; ++p) {
    if (t->partitions[p].id == partition) return t->partitions[p].leader;
  }
  return -1;
}

std::vector<KafkaTopicResult> CreateKafkaTopics(const std::string& brokers,
                                                const std::vector<KafkaTopicSpec>& topics,
                                                const KafkaTopicOptions& options) {
  auto deadline = SteadyClock::now() + options.timeout;
  KafkaHandle rk = OpenAdmin(brokers);
  rd_kafka_resp_err_t err;
  Metadata md = ReadMetadata(rk.get(), MsLeft(deadline), &err);
  if (!md) throw Unavailable(brokers, "cannot read cluster metadata", rd_kafka_err2str(err));

  int rf = options.replication_factor > 0 ? options.replication_factor
                                          : std::min(3, std::max(1, md->broker_cnt));
  int min_isr = options.min_insync_replicas > 0 ? options.min_insync_replicas : std::min(2, rf);
  std::vector<KafkaTopicResult> results;
  std::vector<rd_kafka_NewTopic_t*> create;
  auto free_new = [&] {
    for (rd_kafka_NewTopic_t* t : create) rd_kafka_NewTopic_destroy(t);
    create.clear();
  };
  for (const KafkaTopicSpec& spec : topics) {
    KafkaTopicResult r{spec.name, false, spec.partitions, rf};
    if (const rd_kafka_metadata_topic_t* have = FindTopic(md.get(), spec.name)) {
      if (have->partition_cnt < spec.partitions) {
        free_new();
        throw Error(
            ErrorKind::kConfig,
            fmt::format("Kafka topic '{}' on {} has {} partition(s) but {} are wanted; "
                        "add partitions (kafka-topics --alter --partitions {}) or lower "
                        "the configured count",
                        spec.name, brokers, have->partition_cnt, spec.partitions, spec.partitions));
      }
      r.partitions = have->partition_cnt;
      r.replication_factor = have->partition_cnt > 0 ? have->partitions[0].replica_cnt : 0;
      results.push_back(r);
      continue;
    }
    char errstr[512];
    rd_kafka_NewTopic_t* nt =
        rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions, rf, errstr, sizeof errstr);
    if (!nt) {
      free_new();
      throw Error(ErrorKind::kConfig,
                  fmt::format("cannot describe Kafka topic '{}': {}", spec.name, errstr));
    }
    rd_kafka_NewTopic_set_config(nt, "min.insync.replicas", std::to_string(min_isr).c_str());
    rd_kafka_NewTopic_set_config(nt, "retention.ms", std::to_string(options.retention_ms).c_str());
    rd_kafka_NewTopic_set_config(nt, "max.message.bytes",
                                 std::to_string(options.max_message_bytes).c_str());
    rd_kafka_NewTopic_set_config(nt, "unclean.leader.election.enable", "false");
    if (options.segment_ms > 0) {
      rd_kafka_NewTopic_set_config(nt, "segment.ms", std::to_string(options.segment_ms).c_str());
    }
    create.push_back(nt);
    r.created = true;
    results.push_back(r);
  }

  if (!create.empty()) {
    rd_kafka_queue_t* queue = rd_kafka_queue_new(rk.get());
    rd_kafka_AdminOptions_t* admin =
        rd_kafka_AdminOptions_new(rk.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
    char errstr[512];
    rd_kafka_AdminOptions_set_request_timeout(admin, MsLeft(deadline), errstr, sizeof errstr);
    rd_kafka_AdminOptions_set_operation_timeout(admin, MsLeft(deadline), errstr, sizeof errstr);
    rd_kafka_CreateTopics(rk.get(), create.data(), create.size(), admin, queue);
    rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, MsLeft(deadline) + 1000);
    rd_kafka_AdminOptions_destroy(admin);
    free_new();
    std::string failure;
    if (!ev) {
      failure = "CreateTopics got no answer in time";
    } else if (rd_kafka_event_error(ev)) {
      failure = fmt::format("CreateTopics failed: {}", rd_kafka_event_error_string(ev));
    } else {
      size_t cnt = 0;
      const rd_kafka_topic_result_t** res =
          rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt);
      for (size_t i = 0; i < cnt; ++i) {
        rd_kafka_resp_err_t e = rd_kafka_topic_result_error(res[i]);
        // Another `up` or operator created it meanwhile: just as good.
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
          continue;
        const char* msg = rd_kafka_topic_result_error_string(res[i]);
        failure += fmt::format("{}cannot create topic '{}': {}", failure.empty() ? "" : "; ",
                               rd_kafka_topic_result_name(res[i]), msg ? msg : rd_kafka_err2str(e));
      }
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(queue);
    if (!failure.empty()) throw Unavailable(brokers, "cannot create topics", failure);
  }

  // Creation is done by the controller; brokers learn of it (and elect the
  // partitions' leaders) a moment later, each on its own. Appends before
  // that would fail, and a client asking a broker that has not learned yet
  // would be told the topic does not exist: wait until every broker,
  // asked alone, lists every topic with its leaders.
  while (true) {
    md = ReadMetadata(rk.get(), MsLeft(deadline), &err);
    bool ready = md != nullptr;
    for (const KafkaTopicSpec& spec : topics) {
      ready = ready && AllLed(FindTopic(md.get(), spec.name), spec.partitions);
    }
    for (int b = 0; ready && b < md->broker_cnt; ++b) {
      std::string address = fmt::format("{}:{}", md->brokers[b].host, md->brokers[b].port);
      KafkaHandle one = OpenAdmin(address);
      rd_kafka_resp_err_t one_err;
      Metadata seen = ReadMetadata(one.get(), std::min(MsLeft(deadline), 5000), &one_err);
      for (const KafkaTopicSpec& spec : topics) {
        ready = ready && seen && AllLed(FindTopic(seen.get(), spec.name), spec.partitions);
      }
    }
    if (ready) return results;
    if (SteadyClock::now() >= deadline) {
      throw Unavailable(brokers, "topics created but not every partition has a leader",
                        fmt::format("waited {} ms", options.timeout.count()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace hgc
