#include "leader/producer.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>

#include "common/clock.h"
#include "common/error.h"
#include "common/ini.h"
#include "leader/producer_agent.h"
#include "log/log_url.h"
#include "log/message_size.h"
#include "message/message.h"

namespace hgc {

ProducerConfig ProducerConfig::Load(const std::string& path) {
  IniFile ini = IniFile::Load(path);
  ProducerConfig c;
  c.path = path;
  const std::string s = "replicationproducer";
  if (ini.GetOr(s, "log", "").empty() && ini.GetOr(s, "hosts", "").empty()) {
    throw Error(ErrorKind::kConfig, "replicationproducer.hosts config option not set (in " + path +
                                        "; or set replicationproducer.log to a log URL)");
  }
  c.log_url = LogUrlFromSection(ini, s);
  c.client_id = ini.GetOr(s, "clientid", "");
  if (c.client_id.empty()) {
    throw Error(ErrorKind::kConfig,
                "replicationproducer.clientid config option not set (in " + path + ")");
  }
  c.topic = ini.GetOr(s, "topic", "");
  if (c.topic.empty()) {
    throw Error(ErrorKind::kConfig,
                "replicationproducer.topic config option not set (in " + path + ")");
  }
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& [k, v] : ini.Items(s)) {
    if (k.rfind("partitionmap.", 0) == 0) entries.emplace_back(k.substr(13), v);
  }
  if (entries.empty()) {
    throw Error(ErrorKind::kConfig,
                "replicationproducer.partitionmap.* config options not set (in " + path + ")");
  }
  c.partition_map = PartitionMap::FromEntries(entries);
  c.path_rewrites = ini.Items("replicationpathrewrites");
  c.master_state_dir = ini.GetOr("hgcluster", "masterstatedir", "");
  c.host = ini.GetOr("hgcluster", "host", "");
  c.agent_socket = ini.GetOr(s, "agentsocket", "");
  std::string max_bytes = ini.GetOr(s, "maxmessagebytes", "0");
  try {
    size_t used = 0;
    c.max_message_bytes = std::stoll(max_bytes, &used);
    if (used != max_bytes.size() || c.max_message_bytes < 0) throw std::invalid_argument("");
  } catch (const std::exception&) {
    throw Error(ErrorKind::kConfig,
                fmt::format("replicationproducer.maxmessagebytes = '{}' in {}: expected a number "
                            "of bytes, the topics' max.message.bytes (e.g. 104857600)",
                            max_bytes, path));
  }
  c.bundle_store = ini.GetOr(s, "bundlestore", "");
  c.bundle_inline_max = static_cast<int64_t>(ini.GetDouble(s, "pushbundleinlinemax", 0));
  c.bundle_store_days = static_cast<int>(ini.GetDouble(s, "bundlestoredays", 7));
  if (c.bundle_inline_max < 0 || c.bundle_store_days < 1) {
    throw Error(ErrorKind::kConfig,
                fmt::format("[replicationproducer] pushbundleinlinemax must be >= 0 and "
                            "bundlestoredays >= 1 (in {})",
                            path));
  }
  std::string timeout = ini.GetOr(s, "agenttimeout", "30");
  try {
    size_t used = 0;
    double seconds = std::stod(timeout, &used);
    if (used != timeout.size() || !(seconds > 0) || seconds > 3600) throw std::invalid_argument("");
    c.agent_timeout = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  } catch (const std::exception&) {
    throw Error(ErrorKind::kConfig,
                fmt::format("replicationproducer.agenttimeout = '{}' in {}: expected seconds "
                            "between 0 and 3600, e.g. 30",
                            timeout, path));
  }
  return c;
}

std::string ProducerConfig::AgentSocket(const std::string& for_host) const {
  std::string out = agent_socket;
  if (auto at = out.find("{host}"); at != std::string::npos) {
    out.replace(at, 6, for_host.empty() ? MasterHostName(host) : for_host);
  }
  return out;
}

Producer::Producer(ProducerConfig config)
    : config_(std::move(config)),
      gate_(MasterGate::ForProcess(config_.master_state_dir, config_.host)) {
  // Maintenance with the cluster's daemons stopped (`bootstrap cluster`):
  // write to the log from this process, not through the stopped agent.
  if (const char* direct = getenv("HGCLUSTER_DIRECT_PRODUCER"); direct && *direct == '1') {
    config_.agent_socket.clear();
  }
}

Producer::Producer(ProducerConfig config, Log* shared_log) : Producer(std::move(config)) {
  shared_log_ = shared_log;
}

Producer::~Producer() = default;

int64_t Producer::AppendValues(const std::vector<std::string>& values, int partition) {
  if (!config_.agent_socket.empty() && !shared_log_) {
    if (values.empty()) return -1;  // nothing to hand over
    if (!agent_) {
      agent_ = std::make_unique<AgentClient>(config_.AgentSocket(), config_.agent_timeout);
    }
    return agent_->Append(config_.topic, partition, values);
  }
  if (values.size() == 1) return log().Append(config_.topic, partition, values[0]);
  return log().AppendBatch(config_.topic, partition, values);
}

void Producer::Stamp(nlohmann::json& message) const {
  if (!message.contains("_created")) message["_created"] = WallNow();
  if (gate_) gate_->Stamp(message);
}

Log& Producer::log() {
  if (shared_log_) return *shared_log_;
  if (!log_) log_ = OpenLog(config_.log_url, "leader-" + config_.client_id);
  return *log_;
}

std::string Producer::WirePath(const std::string& repo_root) const {
  auto wire = LeaderRootToWirePath(config_.path_rewrites, repo_root);
  if (!wire) {
    throw Error(ErrorKind::kConfig,
                fmt::format("repository path not configured for replication\n"
                            "(add entry to [replicationpathrewrites] in {} for {})",
                            config_.path, repo_root));
  }
  return *wire;
}

int Producer::PartitionFor(const std::string& wire_path) const {
  return config_.partition_map.PartitionFor(wire_path);
}

void Producer::CheckValuesFit(const std::vector<std::string>& values,
                              const std::string& what) const {
  auto problem =
      OversizedValue(values, MessageLimitFor(config_.log_url, config_.max_message_bytes), what);
  if (problem) throw Error(ErrorKind::kTooLarge, *problem);
}

void Producer::CheckFits(const std::vector<nlohmann::json>& messages,
                         const std::string& what) const {
  std::vector<std::string> values;
  for (const auto& m : messages) values.push_back(EncodeMessage(m));
  CheckValuesFit(values, what);
}

int64_t Producer::Send(nlohmann::json message, int partition) {
  Stamp(message);
  std::vector<std::string> values{EncodeMessage(message)};
  CheckValuesFit(values, fmt::format("the {} event", message.value("name", "replication")));
  try {
    return AppendValues(values, partition);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kLogUnavailable || e.kind() == ErrorKind::kTooLarge) throw;
    throw Error(ErrorKind::kLogUnavailable, e.what());
  }
}

void Producer::SendHeartbeat(int partition) { Send(MakeHeartbeat(WallNow()), partition); }

int64_t Producer::SendBatch(std::vector<nlohmann::json> messages, int partition) {
  std::vector<std::string> values;
  for (auto& m : messages) {
    Stamp(m);
    values.push_back(EncodeMessage(m));
  }
  CheckValuesFit(values, fmt::format("the {} events", messages.size()));
  try {
    return AppendValues(values, partition);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kLogUnavailable || e.kind() == ErrorKind::kTooLarge) throw;
    throw Error(ErrorKind::kLogUnavailable, e.what());
  }
}

}  // namespace hgc
