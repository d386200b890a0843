#include "aggregator/aggregator.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/crash_point.h"
#include "common/error.h"
#include "common/logline.h"
#include "log/aggregation_offsets.h"
#include "log/groups_file.h"
#include "message/message.h"

namespace hgc {
namespace {}  // namespace

Aggregator::Aggregator(AggregatorConfig config, hgc::Log& log, Clock& clock)
    : config_(std::move(config)),
      log_(log),
      clock_(clock),
      fence_(config_.path.empty() ? "" : config_.path + ".epochs.json"),
      gate_(MasterGate::ForProcess()) {}

void Aggregator::Log(const std::string& line) { LogLine("vcsreplicator.aggregator", line); }

void Aggregator::Recover() {
  readers_.clear();
  Watermarks w = log_.GetWatermarks(config_.aggregate_topic, 0);
  if (w.high <= w.low) return;
  int64_t from = std::max(w.low, w.high - kMaxBatch);
  auto cursor = log_.OpenCursor({{config_.aggregate_topic, 0, from}});
  std::map<int, int64_t> last;
  int64_t seen = from;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (seen < w.high && std::chrono::steady_clock::now() < deadline) {
    for (const auto& r : cursor->Poll(kMaxBatch, std::chrono::milliseconds(500))) {
      seen = r.offset + 1;
      try {
        Message m = DecodeMessage(r.value);
        const auto& from_field = m.body.value("_aggregated_from", nlohmann::json());
        if (from_field.is_object() && from_field.value("topic", "") == config_.monitor_topic) {
          int p = from_field.value("partition", -1);
          int64_t o = from_field.value("offset", int64_t{-1});
          if (p >= 0 && o >= 0) last[p] = std::max(last.count(p) ? last[p] : o, o);
        }
      } catch (const Error&) {
      }
    }
  }
  if (seen < w.high) {
    throw Error(ErrorKind::kLogUnavailable,
                fmt::format("could not read the tail of {} to recover", config_.aggregate_topic));
  }
  std::vector<int> parts;
  for (const auto& [p, o] : last) parts.push_back(p);
  auto acked = log_.Committed(config_.ack_group, config_.monitor_topic, parts);
  std::map<int, int64_t> fix;
  for (const auto& [p, o] : last) {
    if (!acked.count(p) || acked[p] <= o) fix[p] = o + 1;
  }
  if (fix.empty()) return;
  log_.Commit(config_.ack_group, config_.monitor_topic, fix);
  for (const auto& [p, o] : fix) {
    Log(
        fmt::format("partition {} offset {} was already copied to {} before a restart; "
                    "committed past it instead of copying it again",
                    p, o - 1, config_.aggregate_topic));
  }
}

int Aggregator::Iterate() {
  std::vector<std::string> groups = ReadGroupsFile(config_.monitor_groups_file);
  if (groups.empty()) {
    throw Error(ErrorKind::kConfig,
                fmt::format("no groups listed in {}: list every mirror's consumer group, one per "
                            "line",
                            config_.monitor_groups_file));
  }
  Clock::Instant now_steady = clock_.Now();
  if (partitions_ == 0 || now_steady - partitions_read_ >= kPartitionsReadEvery) {
    partitions_ = log_.PartitionCount(config_.monitor_topic);
    partitions_read_ = now_steady;
  }
  std::map<std::string, CommittedOffsets> committed;
  std::map<int, int64_t> fully;  // what every group applied
  std::map<int, int64_t> start;  // what was copied
  for (const auto& a : ReadAggregationOffsets(log_, config_.monitor_topic, partitions_, groups,
                                              config_.ack_group, &committed)) {
    fully[a.partition] = a.consumed;
    start[a.partition] = a.acked;
    acked_[a.partition] = a.acked;
  }
  std::set<std::string> never;
  for (const auto& [g, c] : committed) {
    if (c.empty()) never.insert(g);
  }
  for (const auto& g : never) {
    if (!never_committed_.count(g)) {
      Log(
          fmt::format("group {} listed in {} has never committed an offset on {}; aggregation "
                      "waits for it (remove it from the file if it is not a mirror)",
                      g, config_.monitor_groups_file, config_.monitor_topic));
    }
  }
  never_committed_ = never;
  int64_t total = 0;
  std::vector<int> behind;
  for (int p = 0; p < partitions_; ++p) {
    if (fully[p] > start[p]) {
      total += fully[p] - start[p];
      behind.push_back(p);
    }
  }
  if (total == 0) return 0;
  std::string list;
  for (int p : behind) list += (list.empty() ? "" : ", ") + std::to_string(p);
  Log(fmt::format("{} unacked messages in {} partition: [{}]", total, behind.size(), list));

  // One record past the copyable range, to see whether a changegroup's
  // heads message follows it.
  for (int p : behind) {
    Fill(p, start[p],
         std::min({fully[p] + 1, start[p] + kMaxBatch + 1,
                   log_.GetWatermarks(config_.monitor_topic, p).high}));
  }
  auto held = [&](int p) {
    const auto& b = readers_[p].buffered;
    if (b.size() < 2 || !b[0].changegroup || b[0].offset + 1 != fully[p]) return false;
    return b[1].heads && b[1].path == b[0].path;
  };
  // Merge partitions by produce time; a partition's own order always holds.
  std::vector<Pending> batch;
  while (static_cast<int>(batch.size()) < kMaxBatch) {
    int best = -1;
    for (int p : behind) {
      auto& b = readers_[p].buffered;
      if (b.empty() || b.front().offset >= fully[p] || held(p)) continue;
      if (best < 0 || b.front().created < readers_[best].buffered.front().created) best = p;
    }
    if (best < 0) break;
    batch.push_back(std::move(readers_[best].buffered.front()));
    readers_[best].buffered.pop_front();
  }
  std::vector<std::string> values;
  std::map<int, int64_t> commit;
  double now = clock_.WallSeconds();
  for (const auto& rec : batch) {
    try {
      Message m = DecodeMessage(rec.value);
      nlohmann::json body = m.body;
      commit[rec.partition] = rec.offset + 1;
      auto verdict = fence_.Admit(rec.partition, body);
      if (!verdict.line.empty()) Log(verdict.line);
      if (verdict.drop) continue;
      Log(fmt::format("copying {} from partition {}", DisplayMessage(m), rec.partition));
      if (!body.contains("_original_created")) body["_original_created"] = m.created;
      if (!body.contains("_original_partition")) body["_original_partition"] = rec.partition;
      body["_aggregated_from"] = {
          {"topic", config_.monitor_topic}, {"partition", rec.partition}, {"offset", rec.offset}};
      body["_created"] = now;
      values.push_back(EncodeMessage(body));
    } catch (const Error& e) {
      // Copied byte for byte so every downstream consumer sees (and can
      // skip) the same record; it cannot carry _aggregated_from.
      Log(fmt::format("copying undecodable record from partition {} offset {} unchanged: {}",
                      rec.partition, rec.offset, e.what()));
      values.push_back(rec.value);
    }
    commit[rec.partition] = rec.offset + 1;
  }
  if (values.empty()) {
    if (!commit.empty()) log_.Commit(config_.ack_group, config_.monitor_topic, commit);
    for (const auto& [p, o] : commit) acked_[p] = o;
    return static_cast<int>(batch.size());
  }
  if (gate_) gate_->Check();
  log_.AppendBatch(config_.aggregate_topic, 0, values);
  CrashPoint("aggregator-after-append");
  log_.Commit(config_.ack_group, config_.monitor_topic, commit);
  for (const auto& [p, o] : commit) acked_[p] = o;
  return static_cast<int>(batch.size());
}

void Aggregator::Fill(int p, int64_t start, int64_t end) {
  Reader& r = readers_[p];
  bool in_place =
      r.cursor && (r.buffered.empty() ? r.next == start : r.buffered.front().offset == start);
  if (!in_place) {
    r = Reader{};
    r.cursor = log_.OpenCursor({{config_.monitor_topic, p, start}});
    r.next = start;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (r.next < end && std::chrono::steady_clock::now() < deadline) {
    for (auto& rec :
         r.cursor->Poll(static_cast<size_t>(end - r.next), std::chrono::milliseconds(200))) {
      if (rec.offset != r.next) {
        // Formatted before erase(): `r` refers into readers_.
        std::string why =
            rec.offset > r.next
                ? fmt::format(
                      "offsets {} to {} of {} partition {} are gone from the log (deleted by its "
                      "retention?) before this aggregator copied them; every mirror had applied "
                      "them, but they can no longer be announced. To go on without them: "
                      "`hgcluster "
                      "kafka consumer-groups --bootstrap-server BROKERS --group {} --topic {}:{} "
                      "--reset-offsets --to-offset {} --execute` with this aggregator stopped",
                      r.next, rec.offset - 1, config_.monitor_topic, p, config_.ack_group,
                      config_.monitor_topic, p, rec.offset)
                : fmt::format("expected offset {} of partition {}, got {}", r.next, p, rec.offset);
        readers_.erase(p);
        throw Error(ErrorKind::kLogUnavailable, why);
      }
      Pending pending{p, rec.offset, "", 0, false, false, ""};
      try {
        Message m = DecodeMessage(rec.value);
        pending.created = m.created;
        pending.changegroup = m.type == MessageType::kChangegroup;
        pending.heads = m.type == MessageType::kHeads;
        pending.path = m.path;
      } catch (const Error&) {
      }
      pending.value = std::move(rec.value);
      r.buffered.push_back(std::move(pending));
      ++r.next;
    }
  }
}

}  // namespace hgc
