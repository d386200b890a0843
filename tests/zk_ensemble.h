// A real ZooKeeper ensemble for tests: N servers (default 3; Debian's
// ZooKeeper 3.8 run as QuorumPeerMain) on 127.0.0.1 only, with client,
// quorum and election ports picked at runtime, tickTime=500 (short session
// timeouts: min 1 s, max 10 s), each server in its own scratch directory
// with its output in zk.log there. Servers are numbered 0..N-1 here; server
// i has myid i+1. The constructor starts them all and waits (up to 60 s)
// until every one serves and one leads; the destructor SIGKILLs and reaps.
// Thread-safety: use from one test thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "test_support.h"

namespace hgc::test {

class ZkEnsemble {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  explicit ZkEnsemble(int size = 3);
  ~ZkEnsemble();
  ZkEnsemble(const ZkEnsemble&) = delete;
  ZkEnsemble& operator=(const ZkEnsemble&) = delete;

  int size() const { return static_cast<int>(servers_.size()); }
  // "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3" for zookeeper_init.
  std::string connect_string() const;
  int client_port(int i) const { return servers_[i]->client_port; }
  // "127.0.0.1:p" (check_zookeeper -H).
  std::string host_port(int i) const;
  // Server i's zoo.cfg (check_zookeeper -c). Its server.N lines name every
  // member's client address in ZooKeeper 3.5+ form: host:quorum:election;host:client.
  std::string config_path(int i) const;
  std::string log_path(int i) const;
  bool running(int i) const { return servers_[i]->pid > 0; }

  // SIGKILL and reap; no-op when not running.
  void Kill(int i);
  // SIGTERM and reap (SIGKILL after 20 s); no-op when not running.
  void Stop(int i);
  // Restarts a stopped or killed server with the same config and data.
  void Start(int i);

  // "leader", "follower", "standalone", ... from `srvr`; "" while the server
  // is unreachable or not serving. One probe, no waiting.
  std::string Mode(int i) const;
  // Polls until server i serves (`srvr` has a Mode: line; `ruok` answers
  // "imok" earlier, before it serves). False at the deadline.
  bool WaitServing(int i, Deadline deadline) const;
  // Polls until some running server says "Mode: leader"; returns its index,
  // or -1 at the deadline. Right after a kill, survivors keep their stale
  // mode for ~60 ms, so a caller waiting for a *new* leader should wait
  // until LeaderIndex() differs from the old one.
  int WaitLeader(Deadline deadline) const;
  // The index of a running server whose `srvr` says leader, else -1. One
  // probe of each server, no waiting.
  int LeaderIndex() const;

  // A deadline `d` from now.
  static Deadline In(std::chrono::milliseconds d) { return std::chrono::steady_clock::now() + d; }

 private:
  struct Server {
    ScratchDir dir;
    int client_port = 0;
    int quorum_port = 0;
    int election_port = 0;
    int pid = 0;
  };
  std::vector<std::unique_ptr<Server>> servers_;  // ScratchDir must not be copied
};

}  // namespace hgc::test
