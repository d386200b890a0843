// cluster.json, typed: what `hgcluster up` set up (paths, ports, the log)
// and what the supervisor started (pids). The one owner of the file's
// format: setup writes a ClusterState, the supervisor records pids in it,
// every other command reads it through ClusterLayout::LoadState.
//
// The JSON keys are the fields' names (docs/formats.md); optional parts are
// absent when empty (`frontdoor`, a host's `agent_*`) or null
// (`webhooks_config`, `pull_http`), as operators' scripts have read them.
// Thread-safety: plain values.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hgc {

struct ClusterLogState {
  std::string backend;      // "embedded", "kafka", "kafka-mock"
  std::string url;          // what OpenLog takes
  std::string kafka_local;  // `--log kafka-local:N`: the brokers' directory ("" otherwise)
  std::string topic = "pushdata";
  int partitions = 8;
};

// The SSH front door (sshd + pash) on loopback.
struct FrontdoorState {
  int port = 0;
  std::string user;  // the developer account pushes log in as
  std::string key;
  std::string known_hosts;
  std::string ssh;    // ssh command line for `hg -e`
  std::string login;  // a full ssh command that logs in
  std::string push_url_prefix;
  std::string config;
  std::string users_file;
  std::string sshd_config;
  std::string sshd_log;
  int sshd_pid = 0;
  // How mirrors pull over SSH (`up --pull-over ssh`): user, key,
  // known_hosts, ssh, pull_url_prefix; null otherwise.
  nlohmann::json replication;
};

struct NotifierState {
  std::string kind;  // pulse, sns, webhooks
  std::string config;
  std::string log;
};

// A leader host (leader, standby): its master monitor and producer agent.
struct LeaderHostState {
  std::string name;
  std::string master_config;
  std::string master_log;
  std::string master_state;
  std::string master_file;  // "" with ZooKeeper
  std::string push_url_prefix;
  int monitor_pid = 0;
  std::string agent_socket;  // "" with --direct-producer (no agent)
  std::string agent_log;
  int agent_pid = 0;
  bool has_agent() const { return !agent_socket.empty(); }
};

struct LeaderState {
  std::string repos;
  std::string hgrc;
  std::string hgrcpath;
  std::string push_url_prefix;
  std::string ssh;
  std::string groups_file;
  std::string aggregator_pending_config;
  std::string aggregator_config;
  std::string webhooks_config;  // "" when no --webhook
  std::vector<NotifierState> notifiers;
  std::vector<LeaderHostState> hosts;
  std::string master_method = "file";  // or "zookeeper"
  std::string zookeeper;
  std::optional<FrontdoorState> frontdoor;
  std::string pull_over = "path";  // path, ssh, http
  int pull_http_port = 0;          // `--pull-over http`: the leader's endpoint
  std::string pull_http() const;   // its URL, "" without one
};

struct MirrorState {
  std::string name;
  std::string repos;
  std::string consumer_config;
  std::string consumer_log;
  std::string heads_config;
  std::string heads_log;
  std::string group;
  std::string http;  // the web front's URL, ending in '/'
  int http_port = 0;
  std::string web_config;
  std::string http_log;
  int http_pid = 0;
  int pid = 0;  // the consumer
  int heads_pid = 0;
};

struct ClusterState {
  std::string root;
  ClusterLogState log;
  LeaderState leader;
  std::vector<MirrorState> mirrors;
  int supervisor_pid = 0;

  const MirrorState* FindMirror(const std::string& name) const;
};

nlohmann::json ToJson(const ClusterLogState& s);
nlohmann::json ToJson(const FrontdoorState& s);
nlohmann::json ToJson(const LeaderHostState& s);
nlohmann::json ToJson(const LeaderState& s);
nlohmann::json ToJson(const MirrorState& s);
nlohmann::json ToJson(const ClusterState& s);
// Throws Error(kConfig) naming the field that is missing or of the wrong type.
ClusterState ClusterStateFromJson(const nlohmann::json& j);

}  // namespace hgc
