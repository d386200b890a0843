#include "cluster/status.h"

#include <fmt/format.h>

#include <chrono>
#include <climits>
#include <map>

#include "common/clock.h"
#include "common/error.h"
#include "common/log_escape.h"
#include "consumer/consumer_state.h"
#include "consumer/lag.h"
#include "consumer/verify_state.h"
#include "hg/repo_state.h"
#include "log/aggregation_offsets.h"
#include "log/log.h"
#include "master/master_state.h"

namespace hgc {

namespace {

// Messages behind on `topic` for consumer group `group`, with each
// partition's offsets and lag time; nulls and the error when the log cannot say.
nlohmann::json LagOf(Log* log, const std::string& topic, const std::string& group, double now) {
  nlohmann::json lag = {{"messages", nullptr}, {"seconds", nullptr}, {"partitions", nullptr}};
  if (!log) return lag;
  try {
    int64_t behind = 0;
    double seconds = 0;
    nlohmann::json parts = nlohmann::json::array();
    for (const auto& p : ComputeLag(*log, topic, group, now)) {
      behind += std::max<int64_t>(0, p.available - p.offset);
      if (p.lag_seconds) seconds = std::max(seconds, *p.lag_seconds);
      parts.push_back(
          {{"partition", p.partition},
           {"offset", p.offset},
           {"available", p.available},
           {"lag_time", p.lag_seconds ? nlohmann::json(*p.lag_seconds) : nlohmann::json(nullptr)}});
    }
    lag = {{"messages", behind}, {"seconds", seconds}, {"partitions", parts}};
  } catch (const Error& e) {
    lag["error"] = e.what();
  }
  return lag;
}

// One mirror: its daemons, lag, parked and lost events, verify verdicts.
nlohmann::json MirrorStatus(const ClusterLayout& layout, const ClusterState& cluster,
                            const MirrorState& m, Log* log, double now) {
  nlohmann::json mirror = ToJson(m);
  mirror["running"] = ProcessAlive(m.pid);
  mirror["lag"] = LagOf(log, cluster.log.topic, m.group, now);
  auto state = ReadConsumerState(ConsumerStateFile(layout.mirror_dir(m.name), m.group));
  nlohmann::json parked = nlohmann::json::array();
  for (const auto& p : state.state.parked) parked.push_back(ParkedRepoToJson(p));
  mirror["parked"] = parked;
  nlohmann::json lost = nlohmann::json::array();
  for (const auto& l : state.state.lost) lost.push_back(LostRangeToJson(l));
  mirror["lost"] = lost;
  if (!state.error.empty()) mirror["state_error"] = state.error;
  auto verify = ReadVerifyState(VerifyStateFile(layout.mirror_dir(m.name), m.group));
  nlohmann::json verified = nlohmann::json::object();
  for (const auto& [repo, r] : verify.state) verified[repo] = VerifyResultToJson(r);
  mirror["verify"] = verified;
  if (!verify.error.empty()) mirror["verify_error"] = verify.error;
  mirror["heads_running"] = ProcessAlive(m.heads_pid);
  if (!m.http.empty()) {
    mirror["web"] = {
        {"url", m.http},
        {"running", ProcessAlive(m.http_pid)},
        {"config", m.web_config.empty() ? nlohmann::json(nullptr) : nlohmann::json(m.web_config)}};
  }
  if (log) {
    nlohmann::json heads = LagOf(log, "replicatedpushdatapending", m.group, now);
    mirror["heads_lag"] = {{"messages", heads["messages"]}};
    if (heads.contains("error")) mirror["heads_lag"]["error"] = heads["error"];
  }
  return mirror;
}

// Leader hosts: which one is master (its monitor runs the aggregators,
// notifiers and timers). Fills out["leader"]["hosts"][i]; returns the
// master's name, "" when none holds the role.
std::string LeaderHostsStatus(const ClusterState& cluster, nlohmann::json& out, double now) {
  std::string master_host;
  for (size_t i = 0; i < cluster.leader.hosts.size(); ++i) {
    const LeaderHostState& host = cluster.leader.hosts[i];
    nlohmann::json& h = out["leader"]["hosts"][i];
    auto st = ReadMasterState(host.master_state);
    bool alive = ProcessAlive(host.monitor_pid);
    bool master = alive && st && st->Holds(now);
    h["monitor_running"] = alive;
    if (host.has_agent()) h["agent_running"] = ProcessAlive(host.agent_pid);
    h["master"] = master;
    h["epoch"] = master ? nlohmann::json(st->epoch) : nlohmann::json(nullptr);
    if (master) master_host = host.name;
  }
  return master_host;
}

// The two aggregator stages: how many fully applied events wait to be
// copied ("behind") and whether the daemon runs (on the master host).
nlohmann::json AggregatorsStatus(const ClusterState& cluster, Log* log, bool running) {
  nlohmann::json out = nlohmann::json::array();
  struct Stage {
    const char* name;
    const char* monitor;
    std::string config;
  };
  for (const Stage& st :
       {Stage{"pending", "pushdata", cluster.leader.aggregator_pending_config},
        Stage{"final", "replicatedpushdatapending", cluster.leader.aggregator_config}}) {
    if (st.config.empty()) continue;
    nlohmann::json a = {{"stage", st.name},
                        {"monitor_topic", st.monitor},
                        {"config", st.config},
                        {"running", running}};
    if (log) {
      try {
        std::vector<std::string> groups;
        for (const auto& m : cluster.mirrors) groups.push_back(m.group);
        int64_t behind = 0;  // with no mirror, nothing waits
        if (!groups.empty()) {
          for (const auto& p :
               ReadAggregationOffsets(*log, st.monitor, log->PartitionCount(st.monitor), groups,
                                      "pushdataaggregator")) {
            behind += p.behind();
          }
        }
        a["behind"] = behind;
      } catch (const Error& e) {
        a["behind"] = nullptr;
        a["error"] = e.what();
      }
    }
    out.push_back(a);
  }
  return out;
}

}  // namespace

nlohmann::json ClusterStatus(const ClusterLayout& layout) {
  ClusterState cluster = layout.LoadState();
  nlohmann::json out;
  out["root"] = layout.root;
  out["log"] = ToJson(cluster.log);
  out["leader"] = ToJson(cluster.leader);
  if (cluster.leader.frontdoor) {
    out["leader"]["frontdoor"]["running"] = ProcessAlive(cluster.leader.frontdoor->sshd_pid);
  }
  int sup = cluster.supervisor_pid;
  out["supervisor"] = {{"pid", sup}, {"running", ProcessAlive(sup)}};
  std::unique_ptr<Log> log;
  std::string log_error;
  try {
    log = OpenLog(cluster.log.url, "hgcluster-status");
  } catch (const Error& e) {
    log_error = e.what();
  }
  out["log"]["available"] = log != nullptr;
  if (!log) out["log"]["error"] = log_error;
  double now = WallNow();
  out["mirrors"] = nlohmann::json::array();
  for (const MirrorState& m : cluster.mirrors) {
    out["mirrors"].push_back(MirrorStatus(layout, cluster, m, log.get(), now));
  }
  std::string master_host = LeaderHostsStatus(cluster, out, now);
  out["leader"]["master"] =
      master_host.empty() ? nlohmann::json(nullptr) : nlohmann::json(master_host);
  out["aggregators"] = AggregatorsStatus(cluster, log.get(), !master_host.empty());
  return out;
}

std::string FormatStatus(const nlohmann::json& s) {
  std::string out = fmt::format("cluster at {}\n", s["root"].get<std::string>());
  out += fmt::format("log: {} ({}){}\n", s["log"]["backend"].get<std::string>(),
                     s["log"]["url"].get<std::string>(),
                     s["log"].value("available", false) ? "" : " UNAVAILABLE");
  const auto& leader = s["leader"];
  out += fmt::format("leader: {}\n", leader["repos"].get<std::string>());
  out += fmt::format("  create a repo: hgcluster repo create --root {} NAME\n",
                     s["root"].get<std::string>());
  out +=
      fmt::format("  push:          hg push --ssh '{}' {}/NAME\n", leader["ssh"].get<std::string>(),
                  leader["push_url_prefix"].get<std::string>());
  if (leader.contains("frontdoor")) {
    const auto& fd = leader["frontdoor"];
    out += fmt::format("  ssh push:      hg push -e '{}' {}NAME   (sshd {}, user {})\n",
                       fd["ssh"].get<std::string>(), fd["push_url_prefix"].get<std::string>(),
                       fd.value("running", false) ? "running" : "STOPPED",
                       fd["user"].get<std::string>());
  }
  for (const auto& h : leader.value("hosts", nlohmann::json::array())) {
    out += fmt::format("leader host {}: {}\n", h["name"].get<std::string>(),
                       !h.value("monitor_running", false) ? std::string("master monitor STOPPED")
                       : h.value("master", false)
                           ? fmt::format("master (epoch {}), runs the aggregators and notifiers",
                                         h["epoch"].get<int64_t>())
                           : std::string("standby"));
    if (h.contains("agent_running")) {
      out +=
          h["agent_running"].get<bool>()
              ? fmt::format("  producer agent running ({})\n", h["agent_socket"].get<std::string>())
              : fmt::format(
                    "  producer agent STOPPED: pushes through this host are refused "
                    "until it runs ({})\n",
                    h["agent_socket"].get<std::string>());
    }
  }
  if (leader.contains("hosts") && leader["master"].is_null()) {
    out += "  NO MASTER: pushes are refused until a leader host holds the master role\n";
  }
  out += fmt::format("supervisor: {}\n",
                     s["supervisor"]["running"].get<bool>()
                         ? fmt::format("running (pid {})", s["supervisor"]["pid"].get<int>())
                         : std::string("not running"));
  for (const auto& m : s["mirrors"]) {
    std::string lag = "lag unknown";
    if (!m["lag"]["messages"].is_null()) {
      lag = fmt::format("{} messages behind", m["lag"]["messages"].get<int64_t>());
    }
    out +=
        fmt::format("{}: consumer {}, {}\n", m["name"].get<std::string>(),
                    m["running"].get<bool>() ? fmt::format("running (pid {})", m["pid"].get<int>())
                                             : std::string("STOPPED"),
                    lag);
    if (m.contains("heads_lag")) {
      out += fmt::format("  heads consumer {}, {} messages behind\n",
                         m.value("heads_running", false) ? "running" : "STOPPED",
                         m["heads_lag"]["messages"].is_null()
                             ? std::string("?")
                             : std::to_string(m["heads_lag"]["messages"].get<int64_t>()));
    }
    if (m["http"].is_string()) {
      out +=
          fmt::format("  clone: hg clone {}NAME   (web front {})\n", m["http"].get<std::string>(),
                      ProcessAlive(m.value("http_pid", 0)) ? "running" : "STOPPED");
    }
    for (const auto& p : m["parked"]) {
      out += fmt::format("  STUCK {} parked at partition {} offset {} after {} attempts: {}\n",
                         EscapeControl(p["repo"].get<std::string>()), p["partition"].get<int>(),
                         p["offset"].get<int64_t>(), p["attempts"].get<int>(),
                         EscapeControl(p["error"].get<std::string>()));
    }
    for (const auto& l : m.value("lost", nlohmann::json::array())) {
      out += fmt::format(
          "  LOST partition {}: offsets {} to {} were deleted by the log's retention "
          "before this mirror applied them; it stopped applying that partition "
          "(check_vcsreplicator_lag says how to recover)\n",
          l["partition"].get<int>(), l["from"].get<int64_t>(), l["to"].get<int64_t>() - 1);
    }
    const nlohmann::json verify = m.value("verify", nlohmann::json::object());
    for (const auto& [repo, v] : verify.items()) {
      std::string result = v["result"].get<std::string>();
      if (result != "diverged" && result != "repaired") continue;
      std::string first =
          v["differences"].empty() ? std::string("?") : v["differences"][0].get<std::string>();
      out += fmt::format("  {} {} at partition {} offset {}: {}\n",
                         result == "diverged" ? "DIVERGED" : "repaired", repo,
                         v["partition"].get<int>(), v["offset"].get<int64_t>(), first);
    }
  }
  for (const auto& a : s.value("aggregators", nlohmann::json::array())) {
    out += fmt::format("aggregator {} -> {}: {}, {} fully applied messages not yet copied\n",
                       a["monitor_topic"].get<std::string>(),
                       a["stage"] == "pending" ? "replicatedpushdatapending" : "replicatedpushdata",
                       a["running"].get<bool>() ? "running" : "STOPPED",
                       a.contains("behind") && !a["behind"].is_null()
                           ? std::to_string(a["behind"].get<int64_t>())
                           : std::string("?"));
  }
  return out;
}

}  // namespace hgc
