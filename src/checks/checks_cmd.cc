#include "checks/checks_cmd.h"

#include <chrono>
#include <iostream>
#include <memory>

#include "aggregator/aggregator_config.h"
#include "checks/heartbeat_check.h"
#include "checks/web_check.h"
#include "checks/zookeeper_check.h"
#include "common/clock.h"
#include "consumer/consumer_config.h"
#include "consumer/consumer_state.h"
#include "consumer/lag.h"
#include "log/groups_file.h"
#include "log/log.h"

namespace hgc {
namespace {

int ExitCode(CheckStatus status) { return static_cast<int>(status); }

struct LagOptions {
  std::string config;
  std::string section;
  LagThresholds thresholds;
  bool telegraf = false;
};

void AddLagCommand(CLI::App& app, const std::string& name, const std::string& alias,
                   const std::string& default_section) {
  auto o = std::make_shared<LagOptions>();
  o->section = default_section;
  auto* cmd =
      app.add_subcommand(name, "Nagios check: lag of a consumer group (alias: " + alias + ")");
  cmd->add_option("config", o->config, "consumer ini file")->required();
  cmd->add_option("--consumer-section", o->section, "ini section naming the consumer")
      ->capture_default_str();
  cmd->add_option("--warning-lag-count", o->thresholds.warning_count,
                  "messages behind that is a WARNING")
      ->capture_default_str();
  cmd->add_option("--warning-lag-time", o->thresholds.warning_time,
                  "seconds behind that is a WARNING")
      ->capture_default_str();
  cmd->add_option("--critical-lag-count", o->thresholds.critical_count,
                  "messages behind that is CRITICAL")
      ->capture_default_str();
  cmd->add_option("--critical-lag-time", o->thresholds.critical_time,
                  "seconds behind that is CRITICAL")
      ->capture_default_str();
  cmd->add_flag("--telegraf", o->telegraf, "print JSON for Telegraf instead; exit 0");
  cmd->callback([o] {
    throw CLI::RuntimeError(
        RunConsumerLagCheck(o->config, o->section, o->thresholds, o->telegraf, std::cout));
  });
}

struct AggregatorOptions {
  std::string config;
  AggregatorThresholds thresholds;
  bool telegraf = false;
};

void AddAggregatorCommand(CLI::App& app) {
  auto o = std::make_shared<AggregatorOptions>();
  auto* cmd = app.add_subcommand(
      "check-aggregator-lag",
      "Nagios check: messages fully replicated but not yet copied by the aggregator (aliases: "
      "check_pushdataaggregator_lag, check_vcsreplicator_aggregator_lag)");
  cmd->add_option("config", o->config, "aggregator ini file")->required();
  cmd->add_option("--warning-count", o->thresholds.warning_count,
                  "uncopied messages that is a WARNING")
      ->capture_default_str();
  cmd->add_option("--critical-count", o->thresholds.critical_count,
                  "uncopied messages that is CRITICAL")
      ->capture_default_str();
  cmd->add_option("--group-warning-count", o->thresholds.group_warning_count,
                  "messages a listed group (a mirror) has left to apply, with nothing left to "
                  "copy, that is a WARNING naming it")
      ->capture_default_str();
  cmd->add_option("--group-critical-count", o->thresholds.group_critical_count,
                  "the same, CRITICAL")
      ->capture_default_str();
  cmd->add_flag("--telegraf", o->telegraf, "print JSON for Telegraf instead; exit 0");
  cmd->callback([o] {
    throw CLI::RuntimeError(
        RunAggregatorLagCheck(o->config, o->thresholds, o->telegraf, std::cout));
  });
}

void AddHeartbeatCommand(CLI::App& app) {
  auto hgrc = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "check-heartbeat",
      "Nagios check: write a heartbeat to every partition of the leader's replication log "
      "(alias: check_kafka_hg_heartbeat)");
  cmd->add_option("--config", *hgrc, "the leader's hgrc (ROOT/leader/hgrc)");
  cmd->callback([hgrc] { throw CLI::RuntimeError(RunHeartbeatCheck(*hgrc, std::cout)); });
}

void AddZookeeperCommand(CLI::App& app) {
  auto o = std::make_shared<ZookeeperCheckOptions>();
  auto* cmd = app.add_subcommand(
      "check-zookeeper",
      "Nagios check: one ZooKeeper node (-H) and/or the ensemble of a zoo.cfg (-c) "
      "(alias: check_zookeeper)");
  cmd->add_option("-H,--host", o->host, "host:port to verify zookeeper is healthy on");
  cmd->add_option("-c,--config", o->config, "path to zoo.cfg to read");
  cmd->add_option("--max-average-latency", o->max_average_latency,
                  "maximum average latency (ms) before alerting")
      ->capture_default_str();
  cmd->add_option("--max-file-descriptor-percentage", o->max_file_descriptor_percentage,
                  "maximum percentage of file descriptors in use")
      ->capture_default_str();
  cmd->callback([o] { throw CLI::RuntimeError(RunZookeeperCheck(*o, std::cout)); });
}

void AddWebCommand(CLI::App& app) {
  auto o = std::make_shared<WebCheckOptions>();
  auto* cmd = app.add_subcommand(
      "check-web",
      "Nagios check: a mirror web front answers and its hg workers are ready and not being "
      "replaced");
  cmd->add_option("-H,--host", o->host, "the front's host")->capture_default_str();
  cmd->add_option("-p,--port", o->port, "the front's port ([web] listen)")->required();
  cmd->add_option("--replaced-window", o->replaced_window,
                  "seconds a replaced hg worker stays a WARNING")
      ->capture_default_str();
  cmd->add_option("--timeout", o->timeout, "seconds to connect and read")->capture_default_str();
  cmd->callback([o] { throw CLI::RuntimeError(RunWebCheck(*o, std::cout)); });
}

}  // namespace

int RunConsumerLagCheck(const std::string& config, const std::string& section,
                        const LagThresholds& thresholds, bool telegraf, std::ostream& out) {
  ConsumerConfig c;
  std::vector<PartitionLag> lags;
  try {
    c = ConsumerConfig::Load(config, section);
    auto log = OpenLog(c.log_url, c.client_id);
    lags = ComputeLag(*log, c.topic, c.group, WallNow());
  } catch (const std::exception& e) {
    // The reference prints this, then dies with a traceback (exit 1).
    out << "WARNING - exception fetching offsets: " << OneLine(e.what()) << "\n\n";
    return ExitCode(CheckStatus::kWarning);
  }
  if (telegraf) {
    out << ConsumerLagTelegraf(lags) << "\n";
    return 0;
  }
  std::string state_file = ConsumerStateFile(c.state_dir, c.group);
  CheckReport report =
      EvaluateConsumerLag(lags, thresholds, ReadConsumerState(state_file), state_file);
  AddLostRanges(report, lags, ReadConsumerState(state_file), c.topic, config);
  std::string verify_file = VerifyStateFile(c.state_dir, c.group);
  AddVerifyVerdicts(report, ReadVerifyState(verify_file), verify_file);
  out << FormatReport(report);
  return ExitCode(report.status);
}

int RunAggregatorLagCheck(const std::string& config, const AggregatorThresholds& thresholds,
                          bool telegraf, std::ostream& out) {
  AggregatorView view;
  try {
    AggregatorConfig c = AggregatorConfig::Load(config);
    std::vector<std::string> groups = ReadGroupsFile(c.monitor_groups_file);
    if (groups.empty()) {
      CheckReport report = NoGroupsReport(c.monitor_groups_file);
      out << FormatReport(report);
      return ExitCode(report.status);
    }
    auto log = OpenLog(c.log_url, c.client_id);
    int n = log->PartitionCount(c.monitor_topic);
    std::map<std::string, CommittedOffsets> committed;
    view.partitions =
        ReadAggregationOffsets(*log, c.monitor_topic, n, groups, c.ack_group, &committed);
    bool has_records = false;
    std::map<int, int64_t> ends;
    for (int p = 0; p < n; ++p) {
      ends[p] = log->GetWatermarks(c.monitor_topic, p).high;
      has_records |= ends[p] > 0;
    }
    view.never_committed = NeverCommittedGroups(groups, committed, has_records);
    view.groups_behind = GroupsBehind(groups, committed, ends);
    view.groups_file = c.monitor_groups_file;
    view.topic = c.monitor_topic;
  } catch (const std::exception& e) {
    out << "WARNING - exception fetching data: " << OneLine(e.what()) << "\n\n";
    return ExitCode(CheckStatus::kWarning);
  }
  if (telegraf) {
    out << AggregatorLagTelegraf(view.partitions) << "\n";
    return 0;
  }
  CheckReport report = EvaluateAggregatorLag(view, thresholds);
  out << FormatReport(report);
  return ExitCode(report.status);
}

void RegisterCheckCommands(CLI::App& app) {
  AddLagCommand(app, "check-lag", "check_vcsreplicator_lag", "consumer");
  AddLagCommand(app, "check-pulsenotifier-lag", "check_pulsenotifier_lag", "pulseconsumer");
  AddLagCommand(app, "check-snsnotifier-lag", "check_snsnotifier_lag", "snsconsumer");
  AddAggregatorCommand(app);
  AddHeartbeatCommand(app);
  AddZookeeperCommand(app);
  AddWebCommand(app);
}

}  // namespace hgc
