#include "layout/cluster_state.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/error.h"
#include "hg/repo_state.h"
#include "layout/cluster_layout.h"

namespace hgc {
namespace {

// cluster.json as `hgcluster up --standby --pull-over ssh --notifier ...
// --webhook ...` writes it, after the supervisor recorded its pids.
nlohmann::json Written() {
  return nlohmann::json::parse(R"({
  "root": "/r",
  "log": {"backend": "embedded", "url": "sqlite:///r/log/log.db", "kafka_local": "",
          "topic": "pushdata", "partitions": 8},
  "leader": {
    "repos": "/r/leader/repos", "hgrc": "/r/leader/hgrc",
    "hgrcpath": "/etc/mercurial/hgrc:/etc/mercurial/hgrc.d:/r/leader/hgrc",
    "push_url_prefix": "ssh://leader//r/leader/repos", "ssh": "/bin/hgcluster local-ssh",
    "groups_file": "/r/leader/pushdataaggregator_groups",
    "aggregator_pending_config": "/r/leader/pushdataaggregator-pending.ini",
    "aggregator_config": "/r/leader/pushdataaggregator.ini",
    "webhooks_config": "/r/leader/webhooks.ini",
    "notifiers": [{"kind": "pulse", "config": "/etc/pulse.ini", "log": "/r/leader/notify-pulse-0.log"}],
    "hosts": [
      {"name": "leader", "master_config": "/r/leader/hosts/leader/master.ini",
       "master_log": "/r/leader/hosts/leader/monitor.log",
       "master_state": "/r/leader/master-state/leader.json", "master_file": "/r/leader/master.leader",
       "push_url_prefix": "ssh://leader//r/leader/repos", "monitor_pid": 41,
       "agent_socket": "/r/leader/hosts/leader/agent.sock",
       "agent_log": "/r/leader/hosts/leader/producer-agent.log", "agent_pid": 42},
      {"name": "standby", "master_config": "/r/leader/hosts/standby/master.ini",
       "master_log": "/r/leader/hosts/standby/monitor.log",
       "master_state": "/r/leader/master-state/standby.json", "master_file": "",
       "push_url_prefix": "ssh://standby//r/leader/repos", "monitor_pid": 0}],
    "master_method": "file", "zookeeper": "",
    "frontdoor": {"port": 2222, "user": "dev@example.com", "key": "/r/k", "known_hosts": "/r/kh",
                  "ssh": "ssh -i /r/k", "login": "ssh -T", "push_url_prefix": "ssh://u@127.0.0.1:2222/",
                  "config": "/r/leader/frontdoor.ini", "users_file": "/r/leader/users.ini",
                  "sshd_config": "/r/leader/ssh/sshd_config", "sshd_log": "/r/leader/ssh/sshd.log",
                  "sshd_pid": 43,
                  "replication": {"user": "vcs-sync@mozilla.com", "key": "/r/mirror-ssh/id_ed25519"}},
    "pull_over": "ssh", "pull_http_port": 0, "pull_http": null},
  "mirrors": [
    {"name": "mirror1", "repos": "/r/mirrors/mirror1/repos",
     "consumer_config": "/r/mirrors/mirror1/consumer.ini", "consumer_log": "/r/mirrors/mirror1/consumer.log",
     "heads_config": "/r/mirrors/mirror1/heads.ini", "heads_log": "/r/mirrors/mirror1/heads.log",
     "group": "mirror1", "http": "http://127.0.0.1:8001/", "http_port": 8001,
     "web_config": "/r/mirrors/mirror1/web.ini", "http_log": "/r/mirrors/mirror1/http.log",
     "http_pid": 44, "pid": 45, "heads_pid": 46}],
  "supervisor_pid": 40
})");
}

TEST(ClusterState, RoundTripsWhatUpWrites) {
  nlohmann::json j = Written();
  ClusterState s = ClusterStateFromJson(j);
  EXPECT_EQ(ToJson(s), j) << ToJson(s).dump(2);
  EXPECT_EQ(s.leader.hosts.size(), 2u);
  EXPECT_TRUE(s.leader.hosts[0].has_agent());
  EXPECT_FALSE(s.leader.hosts[1].has_agent());
  ASSERT_TRUE(s.leader.frontdoor);
  EXPECT_EQ(s.leader.frontdoor->sshd_pid, 43);
  EXPECT_EQ(s.leader.frontdoor->replication["user"], "vcs-sync@mozilla.com");
  ASSERT_NE(s.FindMirror("mirror1"), nullptr);
  EXPECT_EQ(s.FindMirror("mirror1")->heads_pid, 46);
  EXPECT_EQ(s.FindMirror("mirror2"), nullptr);
}

TEST(ClusterState, OptionalPartsStayAbsentOrNull) {
  nlohmann::json j = Written();
  j["leader"].erase("frontdoor");
  j["leader"]["webhooks_config"] = nullptr;
  j["leader"]["pull_over"] = "http";
  j["leader"]["pull_http_port"] = 9000;
  j["leader"]["pull_http"] = "http://127.0.0.1:9000/";
  ClusterState s = ClusterStateFromJson(j);
  EXPECT_FALSE(s.leader.frontdoor);
  EXPECT_EQ(s.leader.webhooks_config, "");
  EXPECT_EQ(s.leader.pull_http(), "http://127.0.0.1:9000/");
  EXPECT_EQ(ToJson(s), j) << ToJson(s).dump(2);
}

TEST(ClusterState, DamageNamesTheField) {
  nlohmann::json j = Written();
  j["mirrors"][0]["http_port"] = "8001";
  try {
    ClusterStateFromJson(j);
    FAIL() << "a string port was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    EXPECT_NE(std::string(e.what()).find("mirrors[0].http_port is not an integer"),
              std::string::npos)
        << e.what();
  }
  j = Written();
  j["leader"]["hosts"][1]["name"] = 7;
  EXPECT_THROW(ClusterStateFromJson(j), Error);
  j = Written();
  j.erase("leader");
  EXPECT_THROW(ClusterStateFromJson(j), Error);
  EXPECT_THROW(ClusterStateFromJson(nlohmann::json::array()), Error);
}

TEST(ClusterState, LayoutSavesAndLoadsIt) {
  auto dir =
      std::filesystem::temp_directory_path() / ("cluster-state-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ClusterLayout layout{dir.string()};
  EXPECT_THROW(layout.LoadState(), Error);
  ClusterState s = ClusterStateFromJson(Written());
  s.mirrors[0].pid = 99;
  layout.SaveState(s);
  EXPECT_EQ(layout.LoadState().mirrors[0].pid, 99);
  WriteFileAtomic(layout.state_file(), "{not json");
  EXPECT_THROW(layout.LoadState(), Error);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hgc
