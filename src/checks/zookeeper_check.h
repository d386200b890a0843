// check_zookeeper (spec/hosting.md §6.1): the reference's NRPE check of one
// ZooKeeper node (-H: ruok, isro, mntr latency and file descriptors) and of
// the ensemble a zoo.cfg names (-c: every member answers, one leads, the
// leader has all followers in sync), over four-letter words. Output lines,
// their order and the exit codes are the reference's; its bugs are fixed
// (docs/operations.md, "check_zookeeper").
// Thread-safety: pure functions and a process entry point.
#pragma once

#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <string_view>

namespace hgc {

struct ZookeeperCheckOptions {
  std::string host;    // -H host:port; empty: no node checks
  std::string config;  // -c zoo.cfg; empty: no ensemble checks
  double max_average_latency = 5000;
  double max_file_descriptor_percentage = 50;
};

// Sends one four-letter word to host:port and returns the whole reply;
// throws Error(kIo) on a socket error. The seam that lets the tests play a
// server (ZkFourLetterWord in production).
using ZkAsk = std::function<std::string(const std::string& host, int port, std::string_view word)>;

// `mntr` output: one `key<TAB>value` per line; values kept as text.
std::map<std::string, std::string> ParseMntr(const std::string& text);

// Runs the check; writes the report to `out` and returns the exit code
// (0 OK, 1 WARNING, 2 CRITICAL, 2 for a usage error). Never throws.
int RunZookeeperCheck(const ZookeeperCheckOptions& options, const ZkAsk& ask, std::ostream& out);
int RunZookeeperCheck(const ZookeeperCheckOptions& options, std::ostream& out);

}  // namespace hgc
