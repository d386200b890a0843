#include "consumer/operator_modes.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/error.h"
#include "common/logline.h"
#include "common/stop_signal.h"
#include "consumer/lag.h"
#include "message/message.h"

namespace hgc::consume {
namespace {

using std::chrono::milliseconds;

const char* kLogger = "vcsreplicator.consumer";

}  // namespace

std::vector<int> Partitions(Log& log, const ConsumerConfig& c, const ConsumeOptions& o) {
  int n = log.PartitionCount(c.topic);
  if (o.partition) {
    // A typo must not read as "nothing pending" (`--dump` printing [],
    // `--skip` saying there is nothing to skip).
    if (*o.partition < 0 || *o.partition >= n) {
      throw Error(ErrorKind::kUsage, fmt::format("partition {} does not exist: topic {} has {} "
                                                 "partitions (0-{})",
                                                 *o.partition, c.topic, n, n - 1));
    }
    return {*o.partition};
  }
  std::vector<int> out;
  for (int i = 0; i < n; ++i) out.push_back(i);
  return out;
}

// Where each partition starts: the group's committed offset, or the oldest
// stored record for a group that never committed.
std::map<int, int64_t> StartOffsets(Log& log, const ConsumerConfig& c,
                                    const std::vector<int>& partitions) {
  auto committed = log.Committed(c.group, c.topic, partitions);
  std::map<int, int64_t> start;
  for (int p : partitions) {
    auto it = committed.find(p);
    start[p] = it != committed.end() ? it->second : log.GetWatermarks(c.topic, p).low;
  }
  return start;
}

void ApplyStartFrom(Log& log, const ConsumerConfig& c, std::map<int, int64_t>& start, int64_t n) {
  if (n == 0) return;
  int64_t count = static_cast<int64_t>(start.size());
  int64_t i = 0;
  for (auto& [p, off] : start) {
    int64_t share = n / count + (i < n % count ? 1 : 0);
    off = log.GetWatermarks(c.topic, p).low + share;
    ++i;
  }
}

std::vector<TopicPartitionOffset> Positions(const ConsumerConfig& c,
                                            const std::map<int, int64_t>& start) {
  std::vector<TopicPartitionOffset> out;
  for (const auto& [p, off] : start) out.push_back({c.topic, p, off});
  return out;
}

int WaitForNoLag(Log& log, const ConsumerConfig& c, const ConsumeOptions& o) {
  auto deadline =
      std::chrono::steady_clock::now() + milliseconds(static_cast<int64_t>(o.timeout * 1000));
  int n = log.PartitionCount(c.topic);
  std::vector<int> all;
  for (int i = 0; i < n; ++i) all.push_back(i);
  while (true) {
    auto committed = log.Committed(c.group, c.topic, all);
    bool lag = false;
    for (int p : all) {
      int64_t high = log.GetWatermarks(c.topic, p).high;
      if (committed[p] < high) lag = true;
    }
    if (!lag) return 0;
    if (o.timeout > 0 && std::chrono::steady_clock::now() > deadline) {
      std::cerr << "timed out waiting for group " << c.group << " to catch up" << std::endl;
      return 1;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
}

// Reads every record up to the high watermark seen at the start.
std::vector<LogRecord> ReadToEnd(Log& log, const ConsumerConfig& c,
                                 const std::map<int, int64_t>& start) {
  std::map<int, int64_t> end;
  size_t expected = 0;
  for (const auto& [p, off] : start) {
    end[p] = log.GetWatermarks(c.topic, p).high;
    if (end[p] > off) expected += static_cast<size_t>(end[p] - off);
  }
  auto cursor = log.OpenCursor(Positions(c, start));
  std::vector<LogRecord> out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (out.size() < expected && std::chrono::steady_clock::now() < deadline) {
    for (auto& r : cursor->Poll(1000, milliseconds(200))) {
      if (r.offset < end[r.partition]) out.push_back(std::move(r));
    }
  }
  // Reference order: grouped by partition, ascending.
  std::stable_sort(out.begin(), out.end(), [](const LogRecord& a, const LogRecord& b) {
    return a.partition < b.partition;
  });
  return out;
}

int Dump(Log& log, const ConsumerConfig& c, const std::map<int, int64_t>& start) {
  std::vector<nlohmann::json> bodies;
  for (const auto& r : ReadToEnd(log, c, start)) {
    try {
      bodies.push_back(DecodeMessage(r.value).body);
    } catch (const Error& e) {
      bodies.push_back(
          {{"_undecodable", e.what()}, {"offset", r.offset}, {"partition", r.partition}});
    }
  }
  std::cout << DumpYaml(bodies) << std::endl;
  return 0;
}

int Skip(Log& log, const ConsumerConfig& c, const std::map<int, int64_t>& start) {
  // The value is never decoded, so even an undecodable record can be skipped.
  for (const auto& [p, off] : start) {
    if (off < log.GetWatermarks(c.topic, p).high) {
      log.Commit(c.group, c.topic, {{p, off + 1}});
      std::cout << "skipped message in partition " << p << " for group " << c.group << std::endl;
      return 0;
    }
  }
  std::cout << "no message available; nothing to skip" << std::endl;
  return 1;
}

// Commits the oldest stored offset for every partition whose committed
// offset the log's retention already deleted: the operator accepts that
// those events are gone (after `hg replicatesync` made up for them).
int AcceptLost(Log& log, const ConsumerConfig& c, const std::vector<int>& partitions) {
  auto committed = log.Committed(c.group, c.topic, partitions);
  int accepted = 0;
  for (int p : partitions) {
    auto it = committed.find(p);
    if (it == committed.end()) continue;
    int64_t low = log.GetWatermarks(c.topic, p).low;
    if (it->second >= low) continue;
    log.Commit(c.group, c.topic, {{p, low}});
    std::cout << fmt::format(
                     "partition {} of {}: accepted the loss of offsets {} to {} ({} "
                     "events) for group {}; the consumer starts at offset {}",
                     p, c.topic, it->second, low - 1, low - it->second, c.group, low)
              << std::endl;
    ++accepted;
  }
  if (accepted == 0) {
    std::cout << "no partition of " << c.topic << " lost events for group " << c.group
              << "; nothing to accept" << std::endl;
    return 1;
  }
  return 0;
}

int WaitForN(Log& log, const ConsumerConfig& c, const std::map<int, int64_t>& start, int n) {
  auto cursor = log.OpenCursor(Positions(c, start));
  int got = 0;
  while (got < n && !StopRequested()) {
    for (const auto& r : cursor->Poll(static_cast<size_t>(n - got), milliseconds(100))) {
      try {
        std::cout << "got a " << DisplayMessage(DecodeMessage(r.value)) << " message" << std::endl;
      } catch (const Error& e) {
        std::cout << "got an undecodable message: " << e.what() << std::endl;
      }
      ++got;
    }
  }
  return 0;
}

int Onetime(Log& log, const ConsumerConfig& c, const std::map<int, int64_t>& start,
            const ApplyFn& apply) {
  auto cursor = log.OpenCursor(Positions(c, start));
  auto records = cursor->Poll(1, milliseconds(static_cast<int64_t>(c.poll_timeout * 1000)));
  if (records.empty()) return 0;
  const LogRecord& r = records.front();
  Message m = DecodeMessage(r.value);
  LogLine(kLogger, fmt::format("processing {} from partition {} offset {}", DisplayMessage(m),
                               r.partition, r.offset));
  auto decision = c.filter.Evaluate(m.path);
  if (!m.path.empty() && !decision.pass) {
    LogLine(kLogger, fmt::format("repo {} filtered by rule {}", m.path, decision.rule));
  } else {
    apply(m, r.partition, r.offset);
  }
  log.Commit(c.group, c.topic, {{r.partition, r.offset + 1}});
  return 0;
}

}  // namespace hgc::consume
