#include "consumer/consume_cmd.h"

#include <fmt/format.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <thread>

#include "common/error.h"
#include "common/logline.h"
#include "common/stop_signal.h"
#include "consumer/applier.h"
#include "consumer/consumer_config.h"
#include "consumer/consumer_state.h"
#include "consumer/heads_applier.h"
#include "consumer/offsets_table.h"
#include "consumer/scheduler.h"
#include "hg/cmdserver.h"
#include "hg/hg_runner.h"
#include "log/log.h"
#include "master/epoch_fence.h"
#include "message/message.h"

namespace hgc {
namespace {

using std::chrono::milliseconds;

struct ConsumeOptions {
  std::string config;
  std::optional<int> partition;
  bool skip = false;
  bool dump = false;
  bool onetime = false;
  bool wait_for_no_lag = false;
  int64_t start_from = 0;
  int wait_for_n = 0;
  double timeout = 0;  // for --wait-for-no-lag; 0 = forever
  bool heads = false;  // the heads consumer (writes .hg/replicated-data)
  bool accept_lost = false;
};

using ApplyFn = std::function<void(const Message&, int, int64_t)>;

const char* kLogger = "vcsreplicator.consumer";

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

int RunDaemon(Log& log, const ConsumerConfig& c, const std::map<int, int64_t>& start,
              const ApplyFn& apply, const Scheduler::RepairFn& repair, const ConsumeOptions& o) {
  std::string parts;
  if (o.partition)
    parts = fmt::format("[{}]", *o.partition);
  else
    parts = "all";
  LogLine(kLogger, fmt::format("starting consumer for topic={} group={} partitions={}", c.topic,
                               c.group, parts));
  SchedulerOptions so;
  so.workers = c.workers;
  so.max_retries = c.max_retries;
  so.retry_base_seconds = c.retry_base;
  so.parked_retry_seconds = c.parked_retry;
  so.state_file = ConsumerStateFile(c.state_dir, c.group, o.heads);
  so.logger = kLogger;
  so.topic = c.topic;
  so.config = o.config;
  Scheduler scheduler(
      so, apply,
      [&](int p, int64_t off) {
        log.Commit(c.group, c.topic, {{p, off}});
      },
      [&](const Message& m) -> std::optional<std::string> {
        auto d = c.filter.Evaluate(m.path);
        if (d.pass) return std::nullopt;
        return d.rule;
      });
  EpochFence fence(c.state_dir + (o.heads ? "/heads-" : "/consumer-") + c.group + "-epochs.json");
  scheduler.SetFence([&fence](const Message& m, int partition) -> std::optional<std::string> {
    auto verdict = fence.Admit(partition, m.body);
    if (verdict.drop) return verdict.line;
    if (!verdict.line.empty()) LogLine(kLogger, verdict.line);
    return std::nullopt;
  });
  if (repair) scheduler.SetRepair(repair);
  for (const auto& [p, off] : start) {
    scheduler.StartPartition(p, off);
    // Offline longer than the log's retention: what it deleted is unknown
    // and must not be skipped silently. (A gap found while running is seen
    // by the scheduler when the next record arrives.)
    int64_t low = log.GetWatermarks(c.topic, p).low;
    if (off < low) scheduler.MarkLost(p, off, low);
  }
  // Make the group visible (to the aggregator and the checks) from the
  // start, even on partitions that have nothing to consume yet.
  std::vector<int> assigned;
  for (const auto& [p, off] : start) assigned.push_back(p);
  auto committed = log.Committed(c.group, c.topic, assigned);
  std::map<int, int64_t> initial;
  for (const auto& [p, off] : start) {
    if (!committed.count(p)) initial[p] = off;
  }
  if (!initial.empty()) log.Commit(c.group, c.topic, initial);
  scheduler.WriteState();
  auto cursor = log.OpenCursor(Positions(c, start));
  constexpr size_t kReadAhead = 10000;
  auto poll = milliseconds(std::max<int64_t>(10, static_cast<int64_t>(c.poll_timeout * 1000)));
  int exit_code = 0;
  while (!StopRequested()) {
    if (scheduler.Outstanding() >= kReadAhead) {
      scheduler.WaitIdle(milliseconds(100));
      continue;
    }
    try {
      for (const auto& r : cursor->Poll(256, std::min(poll, milliseconds(500)))) {
        scheduler.Submit(r);
      }
    } catch (const Error& e) {
      LogLine(kLogger, fmt::format("error reading the replication log: {}; retrying", e.what()));
      std::this_thread::sleep_for(milliseconds(500));
    }
  }
  LogLine(kLogger, fmt::format("received signal {}", StopSignal()));
  LogLine(kLogger, "exiting from main consume loop");
  scheduler.Stop();
  LogLine(kLogger, "process exiting gracefully");
  return exit_code;
}

int RunConsume(const ConsumeOptions& o) {
  InstallStopSignals();
  try {
    ConsumerConfig c = ConsumerConfig::Load(o.config);
    // A fresh host has no state directory yet ([consumer] state_dir, e.g.
    // /var/lib/hgcluster/consumer): the state files and todelete go there.
    std::filesystem::create_directories(c.state_dir);
    auto log = OpenLog(c.log_url, c.client_id);
    if (o.wait_for_no_lag) return WaitForNoLag(*log, c, o);
    auto partitions = Partitions(*log, c, o);
    auto start = StartOffsets(*log, c, partitions);
    ApplyStartFrom(*log, c, start, o.start_from);
    if (o.wait_for_n > 0) return WaitForN(*log, c, start, o.wait_for_n);
    if (o.dump) return Dump(*log, c, start);
    if (o.skip) return Skip(*log, c, start);
    if (o.accept_lost) return AcceptLost(*log, c, partitions);
    std::vector<std::string> hg_config{"format.aggressivemergedeltas=false"};
    auto hg = c.hg_runner == "process" ? MakeProcessHgRunner(c.hg, c.hgrcpath, hg_config)
                                       : MakeCmdServerHgRunner(c.hg, c.hgrcpath, hg_config,
                                                               4 * static_cast<size_t>(c.workers));
    Applier applier(c, *hg);
    HeadsApplier heads(c);
    ApplyFn apply = [&](const Message& m, int p, int64_t off) {
      if (o.heads)
        heads.Apply(m, p, off);
      else
        applier.Apply(m, p, off);
    };
    if (o.onetime) return Onetime(*log, c, start, apply);
    Scheduler::RepairFn repair;
    if (!o.heads && c.repair_parked) repair = [&](const Message& m) { applier.Repair(m); };
    return RunDaemon(*log, c, start, apply, repair, o);
  } catch (const Error& e) {
    LogLine(kLogger, fmt::format("{}: {}", ErrorKindName(e.kind()), e.what()));
    LogLine(kLogger, "exiting main consume loop with error");
    return 1;
  }
}

}  // namespace

void RegisterConsumeCommands(CLI::App& app) {
  for (bool heads : {false, true}) {
    auto o = std::make_shared<ConsumeOptions>();
    o->heads = heads;
    auto* consume = heads
                        ? app.add_subcommand("heads",
                                             "write .hg/replicated-data from fully replicated "
                                             "heads messages (alias: vcsreplicator-headsconsumer)")
                        : app.add_subcommand("consume",
                                             "apply replication events to this mirror's "
                                             "repositories (alias: vcsreplicator-consumer)");
    consume->add_option("config", o->config, "consumer ini file")->required();
    consume->add_option("--partition", o->partition, "only this partition");
    consume->add_flag("--skip", o->skip, "commit past the next message without applying it");
    consume->add_flag("--dump", o->dump, "print pending messages as YAML; commits nothing");
    consume->add_flag("--onetime", o->onetime, "process at most one message, then exit");
    consume->add_flag("--accept-lost", o->accept_lost,
                      "commit past events the log's retention deleted before this group "
                      "applied them (after making up for them with hg replicatesync)");
    consume->add_option("--start-from", o->start_from,
                        "start N messages after the oldest stored one (split across partitions)");
    consume->add_flag("--wait-for-no-lag", o->wait_for_no_lag,
                      "exit once the group has consumed everything");
    consume->add_option("--wait-for-n", o->wait_for_n, "print the next N messages, then exit");
    consume->add_option("--timeout", o->timeout, "give up --wait-for-no-lag after SECONDS");
    consume->callback([o] { throw CLI::RuntimeError(RunConsume(*o)); });
  }

  auto config = std::make_shared<std::string>();
  auto groups = std::make_shared<std::string>();
  auto* offsets = app.add_subcommand("print-offsets",
                                     "print committed offsets and lag per partition (alias: "
                                     "vcsreplicator-print-offsets)");
  offsets->add_option("config", *config, "consumer ini file")->required();
  offsets->add_option("groups", *groups, "comma-separated groups (default: [consumer] group)");
  offsets->callback([config, groups] { throw CLI::RuntimeError(PrintOffsets(*config, *groups)); });
}

}  // namespace hgc
