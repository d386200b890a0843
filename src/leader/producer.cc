#include "leader/producer.h"

#include <fmt/format.h>

#include <chrono>

#include "common/error.h"
#include "common/ini.h"
#include "log/log_url.h"
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
  return c;
}

Producer::Producer(ProducerConfig config)
    : config_(std::move(config)),
      gate_(MasterGate::ForProcess(config_.master_state_dir, config_.host)) {}

void Producer::Stamp(nlohmann::json& message) const {
  if (!message.contains("_created")) message["_created"] = Now();
  if (gate_) gate_->Stamp(message);
}

Log& Producer::log() {
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

double Producer::Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int64_t Producer::Send(nlohmann::json message, int partition) {
  Stamp(message);
  try {
    return log().Append(config_.topic, partition, EncodeMessage(message));
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kLogUnavailable) throw;
    throw Error(ErrorKind::kLogUnavailable, e.what());
  }
}

void Producer::SendHeartbeat(int partition) { Send(MakeHeartbeat(Now()), partition); }

int64_t Producer::SendBatch(std::vector<nlohmann::json> messages, int partition) {
  std::vector<std::string> values;
  for (auto& m : messages) {
    Stamp(m);
    values.push_back(EncodeMessage(m));
  }
  try {
    return log().AppendBatch(config_.topic, partition, values);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kLogUnavailable) throw;
    throw Error(ErrorKind::kLogUnavailable, e.what());
  }
}

}  // namespace hgc
