// check_vcsreplicator_lag (spec/replication.md §6.1) as pure functions: from
// the per-partition lag of a consumer group and its parked repositories to
// the Nagios report, or to the --telegraf JSON. The pulse/SNS notifier and
// heads-consumer ("pending lag") checks are the same logic on another group.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "consumer/consumer_state.h"
#include "common/check_report.h"
#include "consumer/lag.h"
#include "consumer/verify_state.h"

namespace hgc {

struct LagThresholds {
  int64_t warning_count = 150;
  double warning_time = 150.0;
  int64_t critical_count = 600;
  double critical_time = 600.0;
};

// Lines and exit status exactly as the reference prints them (partitions in
// the order given, which ComputeLag makes ascending), plus one CRITICAL line
// per parked repository. A parked entry whose offset the group has already
// committed past is stale (the state file outlived a --skip) and is ignored.
// An unreadable state file (`parked.error`) is a WARNING line.
CheckReport EvaluateConsumerLag(const std::vector<PartitionLag>& lags,
                                const LagThresholds& thresholds, const ConsumerStateRead& parked,
                                const std::string& state_file);

// Adds one CRITICAL line per range of a partition the log deleted before the
// group applied it (the consumer stopped that partition), unless the group
// has since committed past it (recovered). `config` goes into the recovery
// commands the line gives.
void AddLostRanges(CheckReport& report, const std::vector<PartitionLag>& lags,
                   const ConsumerStateRead& state, const std::string& topic,
                   const std::string& config);

// Adds one CRITICAL line per repository whose last verify found it different
// from the leader and could not repair it (`diverged`; a repaired one is
// fine now), and a WARNING line for an unreadable verify file.
void AddVerifyVerdicts(CheckReport& report, const VerifyStateRead& verify,
                       const std::string& verify_file);

// [{"available": A, "lag_time": T|null, "offset": O, "partition": P}, ...]
// byte for byte as Python's json.dumps(..., sort_keys=True).
std::string ConsumerLagTelegraf(const std::vector<PartitionLag>& lags);

}  // namespace hgc
