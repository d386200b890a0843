#include "checks/aggregator_lag_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "message/message.h"

namespace hgc {

std::vector<std::string> NeverCommittedGroups(const std::vector<std::string>& listed,
                                              const std::map<std::string, CommittedOffsets>& groups,
                                              bool topic_has_records) {
  std::vector<std::string> out;
  if (!topic_has_records) return out;
  for (const auto& g : listed) {
    auto it = groups.find(g);
    bool seen = std::find(out.begin(), out.end(), g) != out.end();
    if ((it == groups.end() || it->second.empty()) && !seen) out.push_back(g);
  }
  return out;
}

std::vector<std::pair<std::string, int64_t>> GroupsBehind(
    const std::vector<std::string>& listed, const std::map<std::string, CommittedOffsets>& groups,
    const std::map<int, int64_t>& ends) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (const auto& g : listed) {
    if (std::any_of(out.begin(), out.end(), [&](const auto& e) { return e.first == g; })) continue;
    auto it = groups.find(g);
    int64_t behind = 0;
    for (const auto& [p, end] : ends) {
      int64_t committed = it == groups.end() ? 0 : OffsetOr0(it->second, p);
      behind += std::max<int64_t>(0, end - committed);
    }
    if (behind > 0) out.push_back({g, behind});
  }
  return out;
}

CheckReport EvaluateAggregatorLag(const AggregatorView& view,
                                  const AggregatorThresholds& thresholds) {
  const double warning = static_cast<double>(thresholds.warning_count);
  const double critical = static_cast<double>(thresholds.critical_count);
  int64_t total = 0;
  int behind = 0;
  for (const auto& p : view.partitions) {
    if (p.consumed > p.acked) {
      total += p.consumed - p.acked;
      ++behind;
    }
  }
  CheckReport report;
  if (total > 0) report.status = StatusFor(static_cast<double>(total), warning, critical);
  for (const auto& g : view.never_committed) {
    report.details.push_back(
        fmt::format("WARNING - group {} in {} has never committed an offset "
                    "on {}; aggregation waits for it",
                    g, view.groups_file, view.topic));
    report.status = Worst(report.status, CheckStatus::kWarning);
  }
  // Only while the aggregator itself has nothing left to copy: that is when
  // the reference's check says OK (and its output stays the reference's
  // whenever it does not).
  std::string waiting;  // the groups named below
  for (const auto& [g, behind] : view.groups_behind) {
    if (total > 0) break;
    if (std::find(view.never_committed.begin(), view.never_committed.end(), g) !=
        view.never_committed.end()) {
      continue;  // reported above
    }
    CheckStatus label =
        StatusFor(static_cast<double>(behind), static_cast<double>(thresholds.group_warning_count),
                  static_cast<double>(thresholds.group_critical_count));
    if (label == CheckStatus::kOk) continue;
    waiting += (waiting.empty() ? "" : ", ") + g;
    report.details.push_back(fmt::format(
        "{} - group {} in {} has {} messages of {} left to apply; aggregation waits for it",
        StatusLabel(label), g, view.groups_file, behind, view.topic));
    report.status = Worst(report.status, label);
  }
  for (const auto& p : view.partitions) {
    int64_t unacked = p.consumed - p.acked;
    if (unacked <= 0) {
      report.details.push_back(fmt::format("OK - partition {} is completely in sync ({}/{})",
                                           p.partition, p.acked, p.consumed));
      continue;
    }
    // The reference reuses whatever label was computed last here; a
    // partition below the warning count is simply OK.
    CheckStatus label = StatusFor(static_cast<double>(unacked), warning, critical);
    report.details.push_back(fmt::format("{} - partition {} is {} messages behind ({}/{})",
                                         StatusLabel(label), p.partition, unacked, p.acked,
                                         p.consumed));
  }
  if (total == 0) {
    report.summary = fmt::format("{} - aggregator has copied all fully replicated messages",
                                 StatusLabel(report.status));
  } else {
    report.summary = fmt::format("{} - {} messages from {} partitions behind",
                                 StatusLabel(report.status), total, behind);
  }
  if (!waiting.empty()) report.summary += "; waiting for group " + waiting;
  return report;
}

CheckReport NoGroupsReport(const std::string& groups_file) {
  CheckReport report;
  report.status = CheckStatus::kCritical;
  report.summary = fmt::format("CRITICAL - no groups listed in {}", groups_file);
  return report;
}

std::string AggregatorLagTelegraf(const std::vector<AggregatorPartition>& partitions) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : partitions) {
    out.push_back(
        {{"acked_offset", p.acked}, {"consumed_offset", p.consumed}, {"partition", p.partition}});
  }
  return PythonJsonDumps(out);
}

}  // namespace hgc
