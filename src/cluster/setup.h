// Creates (or re-opens) a local cluster's directories, configuration files
// and log topics. Idempotent: running it again on an existing root keeps
// repositories, offsets and the log, and rewrites only generated config.
// Thread-safety: process-level.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "layout/cluster_layout.h"

namespace hgc {

struct SetupOptions {
  int mirrors = 2;
  std::string log_url;  // empty: embedded log under the root
  // The directory of the `hgcluster kafka-local` cluster `up` started for
  // `--log kafka-local:N` (log_url is then its kafka:// URL); `down` stops it.
  std::string kafka_local_dir;
  // retention.ms of the Kafka topics `up` creates (the reference keeps 72 h).
  int64_t kafka_retention_ms = 72LL * 3600 * 1000;
  int64_t kafka_segment_ms = 0;  // 0: the broker's
  // max.message.bytes of the topics, and the leader's maxmessagebytes (0:
  // log/message_size.h's default, the reference's 104857600).
  int64_t kafka_max_message_bytes = 0;
  int workers = 4;
  int partitions = 8;
  // Webhook targets ("name=url"); when given, a notify-webhooks daemon
  // announces fully replicated pushes to them.
  std::vector<std::string> webhooks;
  std::string webhook_secret = "hgcluster-local";
  // More notifiers as "KIND=INI" (KIND: pulse, sns, webhooks), INI written by
  // the operator in the reference's format with `log = ` this cluster's log.
  std::vector<std::string> notifiers;
  // The SSH front door's directory (src/frontdoor/): LDAP next to the users file.
  std::string ldap_url;
  std::string ldap_basedn;
  std::string ldap_groups_basedn;
  // The master role (src/master/): a second leader host "standby" sharing the
  // leader's repositories, and ZooKeeper (host:port,...) instead of the
  // master.<host> files to decide which host is master.
  bool standby = false;
  std::string zookeeper;
  int session_timeout_ms = 2000;
  // No producer agent: every hook process opens its own log producer (the
  // leader hgrc gets no agentsocket).
  bool direct_producer = false;
  // Hooks as processes (`hgcluster hook NAME`), not run by the producer
  // agent through the hgclusterhooks extension (no effect with
  // direct_producer, which has no agent).
  bool process_hooks = false;
  // Changegroup events without the push's bundle (mirrors pull every push
  // from the leader, as the reference's consumers do).
  bool no_push_bundles = false;
  // How mirrors pull from the leader: "path" (its repositories directory,
  // one host) or "ssh" (the SSH front door as the replication account, with
  // connections kept open between pulls).
  std::string pull_over = "path";
  // Every this many seconds the master asks mirrors to verify every
  // repository (`replicate verify --all`); 0: never.
  int verify_every = 3600;
};

// Returns the cluster state (also written to cluster.json).
ClusterState SetupCluster(const ClusterLayout& layout, const SetupOptions& options);

}  // namespace hgc
