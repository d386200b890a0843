// The aggregator's ini file (spec/replication.md §5.3): one [aggregator]
// section with hosts (Kafka brokers) or log (a log URL), client_id,
// connect_timeout, monitor_topic, monitor_groups_file, ack_group,
// aggregate_topic. Also reads the groups file (§5.4): one consumer group per
// line, surrounding whitespace stripped, blank lines ignored.
// Thread-safety: immutable value; ReadGroupsFile is a pure function of the
// file.
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

// Throws Error(kConfig) if the file cannot be read.
std::vector<std::string> ReadGroupsFile(const std::string& path);

}  // namespace hgc
