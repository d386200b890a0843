// "Am I the master?" as one small JSON file per leader host, written by that
// host's master monitor and read by everything that writes to the log on the
// host's behalf (hg hooks, heartbeats, aggregators):
//
//   {"host": "hgssh1", "master": true, "epoch": 4294967345,
//    "method": "zookeeper", "lease_until": 1795000000.25, "since": ...}
//
// `epoch` is the fencing token: it grows with every acquisition of the role
// (ZooKeeper: the czxid of the ephemeral master node; file method: a counter
// beside the master files). Every event a master writes carries it as
// `_master_epoch` (and `_master_host`), and consumers drop an event whose
// epoch is lower than one they already saw on the same partition.
// `lease_until` (ZooKeeper only) is when the role stops being safe to use if
// the monitor stops renewing it: a paused or partitioned monitor's host stops
// writing before ZooKeeper can hand the role to another host.
// Thread-safety: plain values and file functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace hgc {

struct MasterState {
  std::string host;
  bool master = false;
  int64_t epoch = 0;
  std::string method;      // "file" or "zookeeper"
  double lease_until = 0;  // 0: no lease (file method)
  double since = 0;
  int monitor_pid = 0;

  // Master, and (ZooKeeper) the lease has not run out at `now`.
  bool Holds(double now) const { return master && (lease_until == 0 || now <= lease_until); }

  nlohmann::json ToJson() const;
  static MasterState FromJson(const nlohmann::json& j);
};

// This host's name for the master role: $HGCLUSTER_HOST, else `configured`,
// else the system's host name.
std::string MasterHostName(const std::string& configured = "");
// The same rule with `env_host` standing for $HGCLUSTER_HOST (another
// process's environment: a hook run by the producer agent).
std::string MasterHostNameFrom(const std::string& env_host, const std::string& configured);

// DIR/<host>.json.
std::string MasterStatePath(const std::string& state_dir, const std::string& host);

// nullopt when the file does not exist. Throws Error(kConfig) when it cannot
// be parsed.
std::optional<MasterState> ReadMasterState(const std::string& path);
void WriteMasterState(const std::string& path, const MasterState& state);

// Refuses writes from a host that does not hold the master role, and stamps
// the fencing token into the messages of one that does. Re-reads the state
// file on every call (a few hundred bytes), so a role lost a moment ago is
// seen by the next write.
class MasterGate {
 public:
  explicit MasterGate(std::string state_path) : path_(std::move(state_path)) {}

  // The gate for this process, if the role is configured: $HGCLUSTER_MASTER_STATE
  // (set by the master monitor for its services), else DIR/<host>.json from
  // `state_dir` (the leader hgrc's [hgcluster] masterstatedir).
  static std::optional<MasterGate> ForProcess(const std::string& state_dir = "",
                                              const std::string& configured_host = "");

  // Throws Error(kNotMaster) with a message for the pusher/operator.
  MasterState Check() const;
  // Check(), then sets `_master_epoch` and `_master_host`.
  void Stamp(nlohmann::json& message) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace hgc
