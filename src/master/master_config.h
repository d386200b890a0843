// The master monitor's configuration (one INI file per leader host):
//
//   [master]
//   host = hgssh1                  # default: $HGCLUSTER_HOST, else the host name
//   method = file                  # or zookeeper
//   masterfile = /repo/hg/master.hgssh1     # file method (the reference's file)
//   epochfile = /repo/hg/master-epoch        # file method: the shared epoch counter
//   interval = 15                  # file method: seconds between checks
//   startdelay = 30                # file method: wait before starting services
//   zookeeper = zk1:2181,zk2:2181,zk3:2181   # zookeeper method
//   znode = /hgcluster/master
//   sessiontimeout = 4000          # milliseconds
//   statedir = /var/lib/hgcluster/master     # <host>.json, read by hooks
//   stopgrace = 60                 # seconds before SIGKILL when stopping
//
//   [service pushdataaggregator]   # one per master-only daemon
//   command = hgcluster aggregate /etc/mercurial/pushdataaggregator.ini
//   log = /var/log/hgcluster/pushdataaggregator.log
//
//   [timer heartbeat]              # one-shot commands run every N seconds
//   command = hgcluster replicate --config /etc/mercurial/hgrc heartbeat
//   every = 30
//   log = /var/log/hgcluster/heartbeat.log
// Thread-safety: plain values.
#pragma once

#include <string>
#include <vector>

#include "common/daemon_set.h"

namespace hgc {

struct MasterConfig {
  std::string path;
  std::string host;
  std::string method;  // "file" or "zookeeper"
  std::string master_file;
  std::string epoch_file;
  double interval = 15;
  double start_delay = 30;
  std::string zookeeper;
  std::string znode = "/hgcluster/master";
  int session_timeout_ms = 4000;
  std::string state_dir;
  int stop_grace = 60;
  std::vector<DaemonSpec> services;

  std::string state_path() const;
  // Throws Error(kConfig) naming the file and what is wrong.
  static MasterConfig Load(const std::string& path);
};

// The file Load reads back (what `hgcluster up` writes for each leader
// host): [master] and a [service NAME] or [timer NAME] per entry of
// `services` (a DaemonSpec's name is its section), after a `# comment` line.
std::string ToIni(const MasterConfig& c, const std::string& comment);

}  // namespace hgc
