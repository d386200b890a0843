#include "leader/served_wait.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "common/error.h"
#include "log/groups_file.h"
#include "message/message.h"

namespace hgc {
namespace {

using SteadyClock = std::chrono::steady_clock;

const char* kPendingTopic = "replicatedpushdatapending";

// "1", "true", "yes", "on" / "0", "false", "no", "off" (hg's booleans).
std::optional<bool> ParseBool(std::string v) {
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off") return false;
  return std::nullopt;
}

std::chrono::milliseconds Since(SteadyClock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start);
}

}  // namespace

std::optional<ServedWaitConfig> ServedWaitFor(const IniFile& leader, const IniFile* repo,
                                              const std::string& pushvar) {
  const std::string s = "readyourwrites";
  bool enabled = leader.GetBool(s, "enabled", false);
  if (repo) enabled = repo->GetBool(s, "enabled", enabled);
  if (!pushvar.empty()) {
    auto v = ParseBool(pushvar);
    if (!v) {
      throw Error(ErrorKind::kConfig,
                  fmt::format("--pushvars READYOURWRITES={}: expected 1 (wait until every mirror "
                              "serves the push) or 0",
                              pushvar));
    }
    enabled = *v;
  }
  if (!enabled) return std::nullopt;
  double seconds = leader.GetDouble(s, "timeout", 30);
  if (repo) seconds = repo->GetDouble(s, "timeout", seconds);
  if (!(seconds > 0) || seconds > 3600) {
    throw Error(
        ErrorKind::kConfig,
        fmt::format("[readyourwrites] timeout = {}: expected seconds between 0 and 3600", seconds));
  }
  std::string groups_file = leader.GetOr(s, "groupsfile", "");
  if (groups_file.empty()) {
    throw Error(ErrorKind::kConfig,
                "[readyourwrites] groupsfile is not set in the leader hgrc: point it at the "
                "aggregators' groups file (one mirror consumer group per line)");
  }
  ServedWaitConfig config;
  config.groups = ReadGroupsFile(groups_file);
  config.timeout = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  return config;
}

ServedWait::ServedWait(Log& log, ServedWaitConfig config)
    : log_(log), config_(std::move(config)), start_(SteadyClock::now()) {
  pending_start_ = log_.GetWatermarks(kPendingTopic, 0).high;
}

ServedResult ServedWait::Wait(const std::string& topic, int partition, int64_t heads_offset) {
  auto deadline = start_ + config_.timeout;
  std::optional<int64_t> copy;  // offset of our heads event in the pending topic
  auto cursor = log_.OpenCursor({{kPendingTopic, 0, pending_start_}});
  ServedResult result;
  auto serving_now = [&](int64_t at) {
    std::vector<std::string> serving;
    for (const auto& g : config_.groups) {
      auto committed = log_.Committed(g, kPendingTopic, {0});
      auto it = committed.find(0);
      if (it != committed.end() && it->second > at) serving.push_back(g);
    }
    return serving;
  };
  while (true) {
    if (!copy) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
      auto wait = std::clamp(left, std::chrono::milliseconds(1), std::chrono::milliseconds(100));
      for (const auto& record : cursor->Poll(500, wait)) {
        try {
          Message m = DecodeMessage(record.value);
          const auto& from = m.body.value("_aggregated_from", nlohmann::json());
          if (from.is_object() && from.value("topic", "") == topic &&
              from.value("partition", -1) == partition &&
              from.value("offset", int64_t{-1}) == heads_offset) {
            copy = record.offset;
            break;
          }
        } catch (const std::exception&) {
          // Not ours (another writer's or an undecodable record).
        }
      }
    }
    if (copy) {
      result.serving = serving_now(*copy);
      if (result.serving.size() == config_.groups.size()) break;
    }
    if (SteadyClock::now() >= deadline) break;
    if (copy) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  result.elapsed = Since(start_);
  for (const auto& g : config_.groups) {
    if (std::find(result.serving.begin(), result.serving.end(), g) != result.serving.end()) {
      continue;
    }
    std::string why = "applied, not serving yet";
    if (!copy) {
      // Not every mirror applied it: say which did not.
      auto committed = log_.Committed(g, topic, {partition});
      auto it = committed.find(partition);
      if (it == committed.end() || it->second <= heads_offset) why = "not applied yet";
    }
    result.late.emplace_back(g, why);
  }
  return result;
}

std::vector<std::string> DescribeServed(const ServedResult& result, size_t total,
                                        std::chrono::milliseconds timeout) {
  if (result.late.empty()) {
    return {fmt::format("served by {}/{} mirrors in {} ms", result.serving.size(), total,
                        result.elapsed.count())};
  }
  std::string late;
  for (const auto& [group, why] : result.late) {
    late += fmt::format("{}{} ({})", late.empty() ? "" : ", ", group, why);
  }
  return {fmt::format("served by {}/{} mirrors after {:.1f} s; late: {}", result.serving.size(),
                      total, static_cast<double>(timeout.count()) / 1000, late),
          "(the push is on the leader and will reach every mirror; a mirror serves a push once "
          "every mirror has it)"};
}

}  // namespace hgc
