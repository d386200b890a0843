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
#include "consumer/operator_modes.h"
#include "consumer/scheduler.h"
#include "hg/cmdserver.h"
#include "hg/hg_runner.h"
#include "log/log.h"
#include "master/epoch_fence.h"
#include "message/message.h"

namespace hgc {
namespace {

using namespace consume;

using std::chrono::milliseconds;

const char* kLogger = "vcsreplicator.consumer";

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
