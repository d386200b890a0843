// The aggregator's ini file (spec/replication.md §5.3): one [aggregator]
// section with hosts (Kafka brokers) or log (a log URL), client_id,
// connect_timeout, monitor_topic, monitor_groups_file, ack_group,
// aggregate_topic. The groups file it names is read by log/groups_file.h.
// Thread-safety: immutable value.
#pragma once

#include <string>
#include <vector>

namespace hgc {

struct AggregatorConfig {
  std::string path;
  std::string log_url;
  std::string client_id;
  std::string monitor_topic;
  std::string monitor_groups_file;
  std::string ack_group;
  std::string aggregate_topic;

  // Throws Error(kConfig) naming the missing key and the file.
  static AggregatorConfig Load(const std::string& path);
};

// The file Load reads back (what `hgcluster up` writes), after `comment`
// lines (each written as `# LINE`).
std::string ToIni(const AggregatorConfig& c, const std::string& comment);

}  // namespace hgc
