#include "checks/consumer_lag_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "common/log_escape.h"
#include "message/message.h"

namespace hgc {
namespace {

// Appends the lines of one lagging partition; returns its worst status.
CheckStatus LaggingPartition(const PartitionLag& p, const LagThresholds& t, bool* drift_warned,
                             std::vector<std::string>* lines) {
  int64_t lag = p.available - p.offset;
  CheckStatus worst = StatusFor(static_cast<double>(lag), static_cast<double>(t.warning_count),
                                static_cast<double>(t.critical_count));
  lines->push_back(fmt::format("{} - partition {} is {} messages behind ({}/{})",
                               StatusLabel(worst), p.partition, lag, p.offset, p.available));
  if (!p.lag_seconds) {
    // The reference does not raise the status here either (a TODO there):
    // one unreadable record should not page anyone.
    lines->push_back(
        fmt::format("WARNING - could not determine lag time for partition {}", p.partition));
    return worst;
  }
  double seconds = *p.lag_seconds;
  CheckStatus by_time = StatusFor(seconds, t.warning_time, t.critical_time);
  worst = Worst(worst, by_time);
  lines->push_back(fmt::format("{} - partition {} is {:.3f} seconds behind", StatusLabel(by_time),
                               p.partition, seconds));
  if (seconds < 0.0 && !*drift_warned) {
    // A message "from the future": the producer's clock is ahead of ours.
    worst = Worst(worst, CheckStatus::kWarning);
    lines->push_back(fmt::format(
        "WARNING - clock drift of {:.3f} seconds between producer and consumer; check NTP sync",
        seconds));
    *drift_warned = true;
  }
  return worst;
}

std::string ParkedLine(const ParkedRepo& e) {
  return fmt::format(
      "CRITICAL - repository {} is stuck at partition {} offset {} after {} "
      "attempts: {}",
      EscapeControl(e.repo), e.partition, e.offset, e.attempts, OneLine(e.error));
}

}  // namespace

CheckReport EvaluateConsumerLag(const std::vector<PartitionLag>& lags,
                                const LagThresholds& thresholds, const ConsumerStateRead& parked,
                                const std::string& state_file) {
  CheckReport report;
  size_t good = 0;
  bool drift_warned = false;
  std::map<int, int64_t> committed;
  for (const auto& p : lags) {
    committed[p.partition] = p.offset;
    if (p.offset >= p.available) {
      report.details.push_back(fmt::format("OK - partition {} is completely in sync ({}/{})",
                                           p.partition, p.offset, p.available));
      ++good;
      continue;
    }
    report.status =
        Worst(report.status, LaggingPartition(p, thresholds, &drift_warned, &report.details));
  }
  for (const auto& e : parked.state.parked) {
    auto it = committed.find(e.partition);
    if (it == committed.end() || e.offset < it->second) continue;
    report.details.push_back(ParkedLine(e));
    report.status = CheckStatus::kCritical;
  }
  if (!parked.error.empty()) {
    report.details.push_back(fmt::format("WARNING - cannot read consumer state file {}: {}",
                                         state_file, OneLine(parked.error)));
    report.status = Worst(report.status, CheckStatus::kWarning);
  }
  size_t total = lags.size();
  size_t bad = total - good;
  if (report.status != CheckStatus::kOk) {
    report.summary =
        fmt::format("{} - {}/{} partitions out of sync", StatusLabel(report.status), bad, total);
  } else if (good == total) {
    report.summary = fmt::format("OK - {}/{} consumers completely in sync", good, total);
  } else {
    report.summary =
        fmt::format("OK - {}/{} consumers out of sync but within tolerances", bad, total);
  }
  return report;
}

void AddLostRanges(CheckReport& report, const std::vector<PartitionLag>& lags,
                   const ConsumerStateRead& state, const std::string& topic,
                   const std::string& config) {
  bool added = false;
  for (const LostRange& l : state.state.lost) {
    auto lag = std::find_if(lags.begin(), lags.end(),
                            [&](const PartitionLag& p) { return p.partition == l.partition; });
    if (lag == lags.end() || lag->offset >= l.to) continue;
    report.details.push_back("CRITICAL - " + DescribeLostRange(l, topic, config));
    report.status = CheckStatus::kCritical;
    added = true;
  }
  if (added && report.summary.rfind("CRITICAL", 0) != 0) {
    report.summary = "CRITICAL - events lost to the log's retention";
  }
}

void AddVerifyVerdicts(CheckReport& report, const VerifyStateRead& verify,
                       const std::string& verify_file) {
  bool added = false;
  for (const auto& [repo, v] : verify.state) {
    if (v.result != "diverged") continue;
    report.details.push_back(fmt::format(
        "CRITICAL - repository {} differs from the leader (verify at partition {} offset {}): {}",
        repo, v.partition, v.offset,
        v.differences.empty() ? std::string("?") : OneLine(v.differences.front())));
    report.status = CheckStatus::kCritical;
    added = true;
  }
  if (!verify.error.empty()) {
    report.details.push_back(fmt::format("WARNING - cannot read verify file {}: {}", verify_file,
                                         OneLine(verify.error)));
    report.status = Worst(report.status, CheckStatus::kWarning);
    added = true;
  }
  if (added && report.summary.rfind("OK", 0) == 0) {
    report.summary = fmt::format("{} - repositories differ from the leader",
                                 StatusLabel(report.status));
  }
}

std::string ConsumerLagTelegraf(const std::vector<PartitionLag>& lags) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : lags) {
    out.push_back({{"available", p.available},
                   {"lag_time", p.lag_seconds ? nlohmann::json(*p.lag_seconds) : nullptr},
                   {"offset", p.offset},
                   {"partition", p.partition}});
  }
  return PythonJsonDumps(out);
}

}  // namespace hgc
