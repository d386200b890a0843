// The mirror consumer's ini file (spec/replication.md §5.2), plus our keys:
// [consumer] log (a log URL; else `hosts` are Kafka brokers), workers (repos
// applied concurrently, default 4), state_dir (parked-repo state; default the
// config file's directory), hgrcpath (HGRCPATH for hg runs, default empty =
// only each repo's own hgrc), hg_runner (cmdserver: reuse hg command servers
// per repository, the default; process: one hg process per command).
// Thread-safety: immutable value.
#pragma once

#include <string>

#include "routing/repo_filter.h"
#include "routing/rewrites.h"

namespace hgc {

struct ConsumerConfig {
  std::string path;
  std::string hg = "hg";
  std::string log_url;
  std::string client_id;
  std::string topic;
  std::string group;
  double poll_timeout = 0.1;
  bool backup = false;
  std::string todelete_path;
  std::string state_dir;
  std::string hgrcpath;
  std::string hg_runner = "cmdserver";  // or "process": one hg process per command
  int workers = 4;
  int max_retries = 5;          // VCSREPLICATOR_RETRY_MAX_RETRIES
  double retry_base = 2.0;      // VCSREPLICATOR_RETRY_BASE_DELAY
  double parked_retry = 30;     // seconds between retries of a parked repo
                                // ([consumer] parked_retry, env HGCLUSTER_PARKED_RETRY)
  bool repair_parked = true;    // a parked repo is re-cloned from the leader once, then
                                // retried ([consumer] repair_parked,
                                // env HGCLUSTER_REPAIR_PARKED=0 turns it off)
  bool repair_diverged = true;  // a repo whose digest differs from the leader's
                                // (hg-repo-verify-1) is re-cloned from the leader
                                // ([consumer] repair_diverged,
                                // env HGCLUSTER_REPAIR_DIVERGED=0 turns it off)
  bool allow_symlinks = false;  // follow symbolic links below the repos root
                                // ([consumer] allow_symlinks); off: a message whose
                                // path passes through one is refused
  // Apply a changegroup event's own bundle (message/push_bundle.h) instead of
  // pulling the push from the leader; any problem with it falls back to the
  // pull. [consumer] apply_bundles, default true.
  bool apply_bundles = true;
  // The bundle store ([consumer] bundle_store): where the leader writes the
  // bundles too big for their event. Empty: such pushes are pulled.
  std::string bundle_store;
  RewriteRules path_rewrites;
  RewriteRules pull_url_rewrites;
  RepoFilter filter;

  static ConsumerConfig Load(const std::string& path, const std::string& section = "consumer");
};

// The [consumer] file Load reads back, as `hgcluster up` writes it for a
// mirror's consumer and heads consumer: log, client_id, topic, group,
// poll_timeout, workers, and bundle_store and hgrcpath when set, the path
// and pull URL rewrites; other keys keep their defaults. `comment` opens it
// as a `# ` line.
std::string ToIni(const ConsumerConfig& c, const std::string& comment);

}  // namespace hgc
