#include "master/master_state.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdlib>

#include "common/clock.h"
#include "common/error.h"
#include "hg/repo_state.h"

namespace hgc {

nlohmann::json MasterState::ToJson() const {
  return {{"host", host},
          {"master", master},
          {"epoch", epoch},
          {"method", method},
          {"lease_until", lease_until},
          {"since", since},
          {"monitor_pid", monitor_pid}};
}

MasterState MasterState::FromJson(const nlohmann::json& j) {
  MasterState s;
  s.host = j.value("host", "");
  s.master = j.value("master", false);
  s.epoch = j.value("epoch", int64_t{0});
  s.method = j.value("method", "");
  s.lease_until = j.value("lease_until", 0.0);
  s.since = j.value("since", 0.0);
  s.monitor_pid = j.value("monitor_pid", 0);
  return s;
}

std::string MasterHostName(const std::string& configured) {
  const char* env = getenv("HGCLUSTER_HOST");
  return MasterHostNameFrom(env ? env : "", configured);
}

std::string MasterHostNameFrom(const std::string& env_host, const std::string& configured) {
  if (!env_host.empty()) return env_host;
  if (!configured.empty()) return configured;
  char buf[HOST_NAME_MAX + 1] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

std::string MasterStatePath(const std::string& state_dir, const std::string& host) {
  return state_dir + "/" + host + ".json";
}

std::optional<MasterState> ReadMasterState(const std::string& path) {
  if (access(path.c_str(), F_OK) != 0) return std::nullopt;
  std::string text = ReadFileOrEmpty(path);
  try {
    return MasterState::FromJson(nlohmann::json::parse(text));
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::kConfig,
                fmt::format("master state file {} is not valid JSON ({}); it is written by "
                            "`hgcluster master-monitor`, which rewrites it when restarted",
                            path, e.what()));
  }
}

void WriteMasterState(const std::string& path, const MasterState& state) {
  WriteFileAtomic(path, state.ToJson().dump() + "\n");
}

std::optional<MasterGate> MasterGate::ForProcess(const std::string& state_dir,
                                                 const std::string& configured_host) {
  if (const char* env = getenv("HGCLUSTER_MASTER_STATE"); env && *env) return MasterGate(env);
  if (state_dir.empty()) return std::nullopt;
  return MasterGate(MasterStatePath(state_dir, MasterHostName(configured_host)));
}

MasterState MasterGate::Check() const {
  auto state = ReadMasterState(path_);
  if (!state) {
    throw Error(ErrorKind::kNotMaster,
                fmt::format("this host is not the master: no master monitor has run here ({} "
                            "does not exist); start `hgcluster master-monitor`",
                            path_));
  }
  if (!state->master) {
    throw Error(
        ErrorKind::kNotMaster,
        fmt::format("this host ({}) is not the master; writes go to the master host", state->host));
  }
  if (state->lease_until > 0 && WallNow() > state->lease_until) {
    throw Error(ErrorKind::kNotMaster,
                fmt::format("this host ({}) cannot confirm it is still the master: its master "
                            "monitor has not renewed the role since {:.3f} (is it running?)",
                            state->host, state->lease_until));
  }
  return *state;
}

void MasterGate::Stamp(nlohmann::json& message) const {
  MasterState s = Check();
  message["_master_epoch"] = s.epoch;
  message["_master_host"] = s.host;
}

}  // namespace hgc
