// Helpers for the master-role tests: what the log says about who wrote it,
// and which host's master-only services are running right now.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hgc::test {

struct WrittenEvent {
  int partition = 0;
  int64_t offset = 0;
  std::string name;
  int64_t epoch = -1;  // -1: no _master_epoch
  std::string host;
  std::vector<std::string> heads;
};

// Every record of `topic` in the log at `log_url`, in partition/offset order.
std::vector<WrittenEvent> ReadEvents(const std::string& log_url, const std::string& topic);

// "" when every epoch was written by one host and, per partition, epochs
// never go down; otherwise what broke the rule.
std::string SingleMasterViolation(const std::vector<WrittenEvent>& events);

// HGCLUSTER_HOST of each running process whose command line contains every
// one of `words` (read from /proc), keyed by pid.
std::map<int, std::string> RunningServiceHosts(const std::vector<std::string>& words);

// HGCLUSTER_HOST of this cluster's running aggregator processes.
std::vector<std::string> AggregatorHosts(const std::string& root);

// Both aggregators run, and both on `host`.
bool AggregatorsOn(const std::string& root, const std::string& host);

}  // namespace hgc::test
