// check_kafka_hg_heartbeat (spec/hosting.md §6.2, replication.md §6.3): is the
// leader's replication log writable? Appends heartbeat-1 to every partition
// of the [replicationproducer] topic, as pretxnopen does before every push.
// Thread-safety: RunHeartbeatCheck is a process entry point; the formatting
// function is pure.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace hgc {

struct HeartbeatFailure {
  int partition = 0;
  std::string message;
};

// The report once every partition was tried: the OK line, or one CRITICAL
// line per failed partition and the reference's explanation. Returns the
// exit code (0 or 2) and writes the text to `out`.
int ReportHeartbeats(int partitions, const std::vector<HeartbeatFailure>& failures,
                     std::ostream& out);

// `hgrc` is the leader's hgrc (ROOT/leader/hgrc); empty means not given.
// Returns the Nagios exit code; never throws.
int RunHeartbeatCheck(const std::string& hgrc, std::ostream& out);

}  // namespace hgc
