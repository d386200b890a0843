// A deployment as operators run it, on hosts apart (issue 18): network
// namespaces (netns_hosts.h) for a leader, N mirrors, 3 Kafka brokers and a
// client; hgcluster from `cmake --install` (the package's layout); each
// host's /etc from the installed example configs (/etc/hgcluster/examples),
// with the example host names, paths and keys replaced by this run's; each
// daemon started as its systemd unit's ExecStart line would start it (not
// through `hgcluster up`), inside its host's namespace. Every host has its
// own files: its /etc at the usual paths (EtcDir below), and a directory for
// its /repo/hg, /var/lib, /var/log and /run. With `standby`, the two leader
// hosts share /repo/hg (as NFS would) and nothing else. Nothing works
// because processes share files. The client pushes to the
// leader's front door (sshd on ADDRESS:22) and clones from the mirrors'
// addresses (ADDRESS:80); mirrors pull from the leader over SSH.
// Differences from a real host, each written where it happens: everything
// runs as root (the units say User=hg), and the master file's start delay
// is 0 s.
// Thread-safety: one thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "netns_hosts.h"
#include "test_support.h"

namespace hgc::test {

struct DeploymentOptions {
  int mirrors = 2;
  // A second leader host "standby" sharing the leader's repositories (one
  // shared directory, as NFS would give), and a 3-node ZooKeeper ensemble on
  // the Kafka hosts (as the reference shares them) deciding which of the two
  // is master (master.ini method = zookeeper) instead of the master file.
  bool standby = false;
  // Mirrors pull from the leader host's HTTP endpoint for mirrors (the
  // example master.ini's [service pull-http], the mirror example's other
  // [pull_url_rewrites] line) instead of its SSH front door.
  bool pull_over_http = false;
  // A webhook receiver on the client host, and the leader hosts' webhooks
  // notifier (the example master.ini's [service webhooks]) announcing to it.
  bool webhooks = false;
};

class Deployment {
 public:
  explicit Deployment(DeploymentOptions options = {});
  ~Deployment();

  bool ok() const { return ok_; }
  NetnsHosts& net() { return *net_; }
  std::string HostDir(const std::string& host) const { return dir_ / ("hosts/" + host); }
  // The host's /etc: `ip netns exec` bind-mounts each entry of
  // /etc/netns/NAMESPACE over /etc, so every host reads the same paths
  // (/etc/mercurial/hgrc, /etc/hgcluster/...) and gets its own files, as on
  // separate machines. NetnsHosts owns it (removed with the namespaces).
  std::string EtcDir(const std::string& host) const { return net_->EtcDir(host); }
  std::string LeaderRepo(const std::string& name) const;
  std::string MirrorRepo(int mirror, const std::string& name) const;  // 1-based
  static std::string Mirror(int mirror) { return "mirror" + std::to_string(mirror); }

  // `hg init` on the leader host with its hgrc (the hooks log the creation).
  void CreateRepo(const std::string& name);
  // A shell command line in the client host (HGRCPATH empty, a fixed user).
  ProcessResult Client(const std::string& command);
  // ssh://root@LEADER/NAME and the client's ssh command for it.
  std::string PushUrl(const std::string& name, const std::string& host = "leader") const;
  // "ADDR:2181,..." of the ZooKeeper ensemble (with options.standby).
  std::string ZooKeeper() const;
  // An installed command (argv[0] a name in /usr/bin, e.g.
  // check_vcsreplicator_lag) run on `host`, as Nagios there would.
  ProcessResult Installed(const std::string& host, std::vector<std::string> argv);
  // check_zookeeper -H HOST:2181 -c ITS_ZOO.CFG run on ZooKeeper host
  // kafkaN, as an operator (or Nagios) there would.
  ProcessResult CheckZooKeeper(int node);
  std::string ClientSsh() const;
  std::string MirrorUrl(int mirror, const std::string& name) const;
  // Whether mirror `mirror` serves changeset `node` of `name` over HTTP, asked
  // from the client host.
  bool Serves(int mirror, const std::string& name, const std::string& node);
  // The keys of this run: client, mirror (the replication key) and
  // leader_host (the leader's sshd host key), each with its .pub.
  std::string KeyDir() const { return dir_ / "keys"; }
  // The last lines of every log of `host`.
  std::string Logs(const std::string& host) const;
  // With options.webhooks: the body of every POST the client host's
  // receiver got, one line each (newlines in a body become spaces).
  std::string Announcements() const;

 private:
  void Start();
  void Install();
  void StartKafka();
  void StartZooKeeper();
  void SetUpLeader(const std::string& host);
  void SetUpMirror(int mirror);
  void StartWebhookReceiver();
  // The example file `rel` (under examples/KIND/) rendered for `host`.
  std::string Render(const std::string& text, const std::string& host) const;
  void WriteEtc(const std::string& kind, const std::string& host);
  // Starts `unit`'s ExecStart (rendered for `host`, %i -> 0) inside `host`.
  void StartUnit(const std::string& unit, const std::string& host);

  ScratchDir dir_;
  std::string install_;
  DeploymentOptions options_;
  int mirrors_;
  std::unique_ptr<NetnsHosts> net_;
  bool ok_ = false;
};

}  // namespace hgc::test
