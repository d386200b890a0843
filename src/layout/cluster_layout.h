// Where a local cluster keeps everything under its root directory, and the
// cluster.json that records what `hgcluster up` set up and started.
//
//   ROOT/cluster.json             state (log URL, mirrors, pids)
//   ROOT/log/log.db               embedded log (unless --log kafka://...)
//   ROOT/leader/hgrc              producer config + hooks, %included by repos
//   ROOT/leader/repos/NAME        leader repositories
//   ROOT/leader/pushdataaggregator_groups   mirrors the aggregators wait for
//   ROOT/leader/pushdataaggregator{-pending,}.ini, aggregator{-pending,}.log
//   ROOT/leader/hosts/HOST/master.ini, monitor.log   master monitor per leader host
//   ROOT/leader/master.HOST, master-epoch            file method: who is master
//   ROOT/leader/master-state/HOST.json               each host's role and epoch
//   ROOT/mirrors/NAME/consumer.ini, consumer.log, heads.ini, heads.log, repos/
//   ROOT/mirrors/NAME/web.ini, http.log, web.pid, hg-workers.log   HTTP front
//   ROOT/bundles/REPO/<tip>.<type>.hg, index.html, bundles.json, lastrun
// Thread-safety: plain values and file functions.
#pragma once

#include <string>
#include <vector>

#include "layout/cluster_state.h"

namespace hgc {

struct ClusterLayout {
  std::string root;

  // Resolves $HGCLUSTER_ROOT / cwd. Changes nothing in the environment:
  // operator commands that write as the cluster's master host call
  // ClusterLayoutAsMaster (master/act_as_master.h) instead.
  static ClusterLayout At(const std::string& root_option);
  std::string state_file() const { return root + "/cluster.json"; }
  std::string leader_dir() const { return root + "/leader"; }
  std::string leader_hgrc() const { return root + "/leader/hgrc"; }
  std::string leader_repos() const { return root + "/leader/repos"; }
  std::string embedded_log() const { return root + "/log/log.db"; }
  std::string mirror_dir(const std::string& name) const { return root + "/mirrors/" + name; }
  std::string mirror_repos(const std::string& name) const { return mirror_dir(name) + "/repos"; }
  std::string mirror_config(const std::string& name) const {
    return mirror_dir(name) + "/consumer.ini";
  }
  std::string mirror_log(const std::string& name) const {
    return mirror_dir(name) + "/consumer.log";
  }
  std::string mirror_heads_config(const std::string& name) const {
    return mirror_dir(name) + "/heads.ini";
  }
  // The mirror's HTTP front config (`hgcluster web`).
  std::string mirror_web_config(const std::string& name) const {
    return mirror_dir(name) + "/web.ini";
  }
  std::string hgext_path() const { return root + "/lib/replicatedserved.py"; }
  std::string hooks_ext_path() const { return root + "/lib/hgclusterhooks.py"; }
  std::string serve_ext_path() const { return root + "/lib/hgclusterserve.py"; }
  std::string pull_ext_path() const { return root + "/lib/hgclusterpull.py"; }
  std::string web_ext_path() const { return root + "/lib/hgclusterweb.py"; }
  // The replication account's key and known_hosts, with which mirrors pull
  // from the leader over SSH (`up --pull-over ssh`).
  std::string mirror_ssh_dir() const { return root + "/mirror-ssh"; }
  // Push bundles too big for their event (leader writes, mirrors read).
  std::string push_bundle_store() const { return root + "/pushbundles"; }
  std::string groups_file() const { return root + "/leader/pushdataaggregator_groups"; }
  std::string aggregator_pending_config() const {
    return root + "/leader/pushdataaggregator-pending.ini";
  }
  std::string aggregator_config() const { return root + "/leader/pushdataaggregator.ini"; }
  // Clone bundles (`hgcluster bundles generate`), served by every web front.
  std::string bundles_dir() const { return root + "/bundles"; }
  std::string supervisor_log() const { return root + "/supervisor.log"; }
  // The master role: one monitor config per leader host, the reference's
  // master.<host> files, and each host's state file (<host>.json).
  std::string host_dir(const std::string& host) const { return root + "/leader/hosts/" + host; }
  std::string master_config(const std::string& host) const {
    return host_dir(host) + "/master.ini";
  }
  std::string master_file(const std::string& host) const { return root + "/leader/master." + host; }
  std::string master_state_dir() const { return root + "/leader/master-state"; }

  // Throws Error(kNotFound) with a hint to run `hgcluster up` when absent,
  // Error(kConfig) naming the field when it is damaged.
  ClusterState LoadState() const;
  void SaveState(const ClusterState& state) const;
};

// HGRCPATH that makes a plain `hg` act as the leader (hooks, aliases).
std::string LeaderHgrcPath(const ClusterLayout& layout);

bool ProcessAlive(int pid);

}  // namespace hgc
