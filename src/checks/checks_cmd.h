// The monitoring checks as subcommands (spec/replication.md §6), each also
// reachable under the reference's script name (aliases in src/cli/main.cc):
//   check-lag                 check_vcsreplicator_lag (also "pending lag")
//   check-pulsenotifier-lag   check_pulsenotifier_lag   ([pulseconsumer])
//   check-snsnotifier-lag     check_snsnotifier_lag     ([snsconsumer])
//   check-aggregator-lag      check_pushdataaggregator_lag,
//                             check_vcsreplicator_aggregator_lag
//   check-heartbeat           check_kafka_hg_heartbeat
//   check-zookeeper           check_zookeeper
//   check-web                 (ours: a mirror web front and its hg workers)
// Exit codes are Nagios': 0 OK, 1 WARNING, 2 CRITICAL.
// Thread-safety: process entry points.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "checks/aggregator_lag_check.h"
#include "checks/consumer_lag_check.h"

namespace hgc {

void RegisterCheckCommands(CLI::App& app);

// Consumer lag of the group in [`section`] of `config`; returns the exit code.
int RunConsumerLagCheck(const std::string& config, const std::string& section,
                        const LagThresholds& thresholds, bool telegraf, std::ostream& out);

// Aggregator lag for the [aggregator] section of `config`.
int RunAggregatorLagCheck(const std::string& config, const AggregatorThresholds& thresholds,
                          bool telegraf, std::ostream& out);

}  // namespace hgc
