// The leader hgrc: the hg config every leader repository includes (through
// its .hg/hgrc-not-shared), read by hg (the replication hooks, our
// extensions, aliases) and by hgcluster (ProducerConfig::Load, the read-only
// and read-your-writes settings of the hooks). LeaderHgrcSpec says what goes
// in; ToIni writes the text, the one writer of this file's format, beside
// ProducerConfig::Load, its reader.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

namespace hgc {

struct LeaderHgrcSpec {
  std::string path;        // where the file is written: the hooks name it
  std::string executable;  // the hgcluster the hooks and aliases run
  std::string log_url;
  int partitions = 8;  // of the pushdata topic, all mapped to every repository
  // The leader host's producer agent: hooks append through it ("" = each
  // hook opens the log); {host} is replaced by the host's name.
  std::string agent_socket;
  bool agent_runs_hooks = false;  // the hgclusterhooks extension hands hooks to it
  std::string push_bundle_store;  // with agent_runs_hooks: "" = no push bundles
  int64_t max_message_bytes = 0;  // 0 = the log's default
  std::string leader_dir;         // readonlyreason and master-state live here
  std::string repos;              // the leader's repositories: {moz}/ maps here
  std::string groups_file;        // the mirror groups read-your-writes waits for
  std::string hooks_extension;    // hgclusterhooks.py
  std::string serve_extension;    // hgclusterserve.py
  std::string replication_user;   // served unfiltered (the mirrors' SSH account)
};

std::string ToIni(const LeaderHgrcSpec& spec);

}  // namespace hgc
