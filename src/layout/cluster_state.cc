#include "layout/cluster_state.h"

#include <fmt/format.h>

#include "common/error.h"

namespace hgc {
namespace {

using json = nlohmann::json;

// Reads fields of one JSON object, naming the field in every error.
class Fields {
 public:
  Fields(const json& j, std::string where) : j_(j), where_(std::move(where)) {
    if (!j_.is_object()) Fail("", "an object");
  }
  std::string Str(const char* key, const std::string& fallback = "") const {
    if (!j_.contains(key) || j_[key].is_null()) return fallback;
    if (!j_[key].is_string()) Fail(key, "a string");
    return j_[key].get<std::string>();
  }
  int Int(const char* key, int fallback = 0) const {
    if (!j_.contains(key) || j_[key].is_null()) return fallback;
    if (!j_[key].is_number_integer()) Fail(key, "an integer");
    return j_[key].get<int>();
  }
  const json& Array(const char* key) const {
    static const json kEmpty = json::array();
    if (!j_.contains(key) || j_[key].is_null()) return kEmpty;
    if (!j_[key].is_array()) Fail(key, "an array");
    return j_[key];
  }
  const json* Object(const char* key) const {
    if (!j_.contains(key) || j_[key].is_null()) return nullptr;
    if (!j_[key].is_object()) Fail(key, "an object");
    return &j_[key];
  }
  std::string Path(const char* key) const { return where_.empty() ? key : where_ + "." + key; }
  std::string Path(const char* key, size_t i) const { return fmt::format("{}[{}]", Path(key), i); }

 private:
  [[noreturn]] void Fail(const std::string& key, const char* what) const {
    std::string name = key.empty() ? where_ : Path(key.c_str());
    throw Error(ErrorKind::kConfig,
                fmt::format("cluster.json: {} is not {}; it is written by `hgcluster up`, "
                            "run it again to rewrite the file",
                            name.empty() ? "the document" : name, what));
  }
  const json& j_;
  std::string where_;
};

ClusterLogState LogFrom(const json& j) {
  Fields f(j, "log");
  ClusterLogState s;
  s.backend = f.Str("backend");
  s.url = f.Str("url");
  s.kafka_local = f.Str("kafka_local");
  s.topic = f.Str("topic", "pushdata");
  s.partitions = f.Int("partitions", 8);
  return s;
}

FrontdoorState FrontdoorFrom(const json& j) {
  Fields f(j, "leader.frontdoor");
  FrontdoorState s;
  s.port = f.Int("port");
  s.user = f.Str("user");
  s.key = f.Str("key");
  s.known_hosts = f.Str("known_hosts");
  s.ssh = f.Str("ssh");
  s.login = f.Str("login");
  s.push_url_prefix = f.Str("push_url_prefix");
  s.config = f.Str("config");
  s.users_file = f.Str("users_file");
  s.sshd_config = f.Str("sshd_config");
  s.sshd_log = f.Str("sshd_log");
  s.sshd_pid = f.Int("sshd_pid");
  if (const json* r = f.Object("replication")) s.replication = *r;
  return s;
}

LeaderHostState HostFrom(const json& j, const std::string& where) {
  Fields f(j, where);
  LeaderHostState s;
  s.name = f.Str("name");
  s.master_config = f.Str("master_config");
  s.master_log = f.Str("master_log");
  s.master_state = f.Str("master_state");
  s.master_file = f.Str("master_file");
  s.push_url_prefix = f.Str("push_url_prefix");
  s.monitor_pid = f.Int("monitor_pid");
  s.agent_socket = f.Str("agent_socket");
  s.agent_log = f.Str("agent_log");
  s.agent_pid = f.Int("agent_pid");
  return s;
}

LeaderState LeaderFrom(const json& j) {
  Fields f(j, "leader");
  LeaderState s;
  s.repos = f.Str("repos");
  s.hgrc = f.Str("hgrc");
  s.hgrcpath = f.Str("hgrcpath");
  s.push_url_prefix = f.Str("push_url_prefix");
  s.ssh = f.Str("ssh");
  s.groups_file = f.Str("groups_file");
  s.aggregator_pending_config = f.Str("aggregator_pending_config");
  s.aggregator_config = f.Str("aggregator_config");
  s.webhooks_config = f.Str("webhooks_config");
  const json& notifiers = f.Array("notifiers");
  for (size_t i = 0; i < notifiers.size(); ++i) {
    Fields n(notifiers[i], f.Path("notifiers", i));
    s.notifiers.push_back({n.Str("kind"), n.Str("config"), n.Str("log")});
  }
  const json& hosts = f.Array("hosts");
  for (size_t i = 0; i < hosts.size(); ++i) {
    s.hosts.push_back(HostFrom(hosts[i], f.Path("hosts", i)));
  }
  s.master_method = f.Str("master_method", "file");
  s.zookeeper = f.Str("zookeeper");
  if (const json* fd = f.Object("frontdoor")) s.frontdoor = FrontdoorFrom(*fd);
  s.pull_over = f.Str("pull_over", "path");
  s.pull_http_port = f.Int("pull_http_port");
  return s;
}

MirrorState MirrorFrom(const json& j, const std::string& where) {
  Fields f(j, where);
  MirrorState s;
  s.name = f.Str("name");
  s.repos = f.Str("repos");
  s.consumer_config = f.Str("consumer_config");
  s.consumer_log = f.Str("consumer_log");
  s.heads_config = f.Str("heads_config");
  s.heads_log = f.Str("heads_log");
  s.group = f.Str("group", s.name);
  s.http = f.Str("http");
  s.http_port = f.Int("http_port");
  s.web_config = f.Str("web_config");
  s.http_log = f.Str("http_log");
  s.http_pid = f.Int("http_pid");
  s.pid = f.Int("pid");
  s.heads_pid = f.Int("heads_pid");
  if (s.name.empty()) {
    throw Error(ErrorKind::kConfig,
                fmt::format("cluster.json: {}.name is missing; it is written by `hgcluster up`, "
                            "run it again to rewrite the file",
                            where));
  }
  return s;
}

json OrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

}  // namespace

std::string LeaderState::pull_http() const {
  return pull_http_port ? fmt::format("http://127.0.0.1:{}/", pull_http_port) : "";
}

const MirrorState* ClusterState::FindMirror(const std::string& name) const {
  for (const auto& m : mirrors) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

json ToJson(const ClusterLogState& s) {
  return {{"backend", s.backend},
          {"url", s.url},
          {"kafka_local", s.kafka_local},
          {"topic", s.topic},
          {"partitions", s.partitions}};
}

json ToJson(const FrontdoorState& s) {
  json j = {{"port", s.port},
            {"user", s.user},
            {"key", s.key},
            {"known_hosts", s.known_hosts},
            {"ssh", s.ssh},
            {"login", s.login},
            {"push_url_prefix", s.push_url_prefix},
            {"config", s.config},
            {"users_file", s.users_file},
            {"sshd_config", s.sshd_config},
            {"sshd_log", s.sshd_log},
            {"sshd_pid", s.sshd_pid}};
  if (!s.replication.is_null()) j["replication"] = s.replication;
  return j;
}

json ToJson(const LeaderHostState& s) {
  json j = {{"name", s.name},
            {"master_config", s.master_config},
            {"master_log", s.master_log},
            {"master_state", s.master_state},
            {"master_file", s.master_file},
            {"push_url_prefix", s.push_url_prefix},
            {"monitor_pid", s.monitor_pid}};
  if (s.has_agent()) {
    j["agent_socket"] = s.agent_socket;
    j["agent_log"] = s.agent_log;
    j["agent_pid"] = s.agent_pid;
  }
  return j;
}

json ToJson(const LeaderState& s) {
  json notifiers = json::array();
  for (const auto& n : s.notifiers) {
    notifiers.push_back({{"kind", n.kind}, {"config", n.config}, {"log", n.log}});
  }
  json hosts = json::array();
  for (const auto& h : s.hosts) hosts.push_back(ToJson(h));
  json j = {{"repos", s.repos},
            {"hgrc", s.hgrc},
            {"hgrcpath", s.hgrcpath},
            {"push_url_prefix", s.push_url_prefix},
            {"ssh", s.ssh},
            {"groups_file", s.groups_file},
            {"aggregator_pending_config", s.aggregator_pending_config},
            {"aggregator_config", s.aggregator_config},
            {"webhooks_config", OrNull(s.webhooks_config)},
            {"notifiers", notifiers},
            {"hosts", hosts},
            {"master_method", s.master_method},
            {"zookeeper", s.zookeeper},
            {"pull_over", s.pull_over},
            {"pull_http_port", s.pull_http_port},
            {"pull_http", OrNull(s.pull_http())}};
  if (s.frontdoor) j["frontdoor"] = ToJson(*s.frontdoor);
  return j;
}

json ToJson(const MirrorState& s) {
  return {{"name", s.name},
          {"repos", s.repos},
          {"consumer_config", s.consumer_config},
          {"consumer_log", s.consumer_log},
          {"heads_config", s.heads_config},
          {"heads_log", s.heads_log},
          {"group", s.group},
          {"http", s.http},
          {"http_port", s.http_port},
          {"web_config", s.web_config},
          {"http_log", s.http_log},
          {"http_pid", s.http_pid},
          {"pid", s.pid},
          {"heads_pid", s.heads_pid}};
}

json ToJson(const ClusterState& s) {
  json mirrors = json::array();
  for (const auto& m : s.mirrors) mirrors.push_back(ToJson(m));
  return {{"root", s.root},
          {"log", ToJson(s.log)},
          {"leader", ToJson(s.leader)},
          {"mirrors", mirrors},
          {"supervisor_pid", s.supervisor_pid}};
}

ClusterState ClusterStateFromJson(const json& j) {
  Fields f(j, "");
  ClusterState s;
  s.root = f.Str("root");
  const json* log = f.Object("log");
  const json* leader = f.Object("leader");
  if (!log || !leader) {
    throw Error(ErrorKind::kConfig,
                fmt::format("cluster.json: no '{}' object; it is written by `hgcluster up`, run "
                            "it again to rewrite the file",
                            log ? "leader" : "log"));
  }
  s.log = LogFrom(*log);
  s.leader = LeaderFrom(*leader);
  const json& mirrors = f.Array("mirrors");
  for (size_t i = 0; i < mirrors.size(); ++i) {
    s.mirrors.push_back(MirrorFrom(mirrors[i], f.Path("mirrors", i)));
  }
  s.supervisor_pid = f.Int("supervisor_pid");
  return s;
}

}  // namespace hgc
