// The leader's side of replication: reads the producer configuration
// ([replicationproducer], [replicationpathrewrites] of the leader hgrc, keys
// as in spec/replication.md §5.1) and writes framed messages to the log.
// `log = <url>` selects the backend (sqlite:///path or kafka://brokers);
// without it, `hosts` names Kafka brokers as in the reference.
// `agentsocket = PATH` hands every append to the leader host's producer
// agent (producer_agent.h) instead of opening a producer in this process;
// HGCLUSTER_DIRECT_PRODUCER=1 in the environment overrides it (maintenance
// while the daemons are stopped: `bootstrap cluster`).
// Thread-safety: one Producer per thread.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "log/log.h"
#include "master/master_state.h"
#include "routing/partition_map.h"
#include "routing/rewrites.h"

namespace hgc {

struct ProducerConfig {
  std::string path;  // file it was read from
  std::string log_url;
  std::string client_id;
  std::string topic;
  PartitionMap partition_map;
  RewriteRules path_rewrites;
  // [hgcluster] masterstatedir / host: when set, only the host holding the
  // master role may write, and every message carries its fencing epoch
  // (src/master/master_state.h).
  std::string master_state_dir;
  std::string host;
  // [replicationproducer] agentsocket / agenttimeout (producer_agent.h):
  // empty = this process opens the log itself.
  std::string agent_socket;
  std::chrono::milliseconds agent_timeout{30000};
  // [replicationproducer] maxmessagebytes: the largest record the log takes
  // (0: the default of log/message_size.h, the topics' max.message.bytes).
  int64_t max_message_bytes = 0;
  // [replicationproducer] bundlestore: the directory where a push's bundle
  // too big for its event is written (every mirror reads it: [consumer]
  // bundle_store); empty: such pushes are pulled. pushbundleinlinemax:
  // bundles larger than this many bytes go to the store (0: any bundle the
  // log's record takes travels inline). bundlestoredays: files older than
  // this are deleted.
  std::string bundle_store;
  int64_t bundle_inline_max = 0;
  int bundle_store_days = 7;

  // The agent socket path for leader host `host` (empty: this process's
  // host, as the master role names it); "" when no agent is configured.
  std::string AgentSocket(const std::string& host = "") const;

  // Throws Error(kConfig) with the reference's messages
  // ("replicationproducer.topic config option not set", ...).
  static ProducerConfig Load(const std::string& path);
};

class AgentClient;

class Producer {
 public:
  explicit Producer(ProducerConfig config);
  // Appends to `shared_log` (not owned; the producer agent's) instead of an
  // agent or a log of its own; null behaves as the constructor above.
  Producer(ProducerConfig config, Log* shared_log);
  ~Producer();

  const ProducerConfig& config() const { return config_; }

  // Wire path of a leader repo root. Throws Error(kConfig, "repository path
  // not configured for replication") when no rewrite matches.
  std::string WirePath(const std::string& repo_root) const;
  int PartitionFor(const std::string& wire_path) const;

  // Stamps `_created` if absent (and the master epoch when the role is
  // configured), frames and appends the message; returns the offset. Throws
  // Error(kLogUnavailable), or Error(kNotMaster) on a host without the role.
  int64_t Send(nlohmann::json message, int partition);
  void SendHeartbeat(int partition);
  // Appends several messages to one partition in one log operation (atomic on
  // the embedded log: all or none). Returns the first offset.
  int64_t SendBatch(std::vector<nlohmann::json> messages, int partition);
  // Send and SendBatch first check that every message fits in one record of
  // the log and throw Error(kTooLarge) naming `what` and the sizes when one
  // does not — before anything is appended. CheckFits is that check alone,
  // for a hook that must refuse a push before its transaction commits.
  void CheckFits(const std::vector<nlohmann::json>& messages, const std::string& what) const;

 private:
  Log& log();
  // Appends through the agent when configured, else the log.
  int64_t AppendValues(const std::vector<std::string>& values, int partition);
  void Stamp(nlohmann::json& message) const;
  void CheckValuesFit(const std::vector<std::string>& values, const std::string& what) const;
  ProducerConfig config_;
  std::optional<MasterGate> gate_;
  std::unique_ptr<Log> log_;
  Log* shared_log_ = nullptr;
  std::unique_ptr<AgentClient> agent_;
};

}  // namespace hgc
