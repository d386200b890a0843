#include "aggregator/aggregate_cmd.h"

#include <fmt/format.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <thread>

#include "aggregator/aggregator.h"
#include "aggregator/change_wait.h"
#include "common/error.h"
#include "common/logline.h"
#include "common/retry_policy.h"
#include "common/stop_signal.h"

namespace hgc {
namespace {

struct AggregateOptions {
  std::string config;
  bool onetime = false;
  int max_polls = 0;  // 0: unlimited (no leak to work around)
};

int RunAggregate(const AggregateOptions& o) {
  const char* kLogger = "vcsreplicator.aggregator";
  InstallStopSignals("");  // a second signal aborts at once
  // Retry delays: base × 2^n up to base × 32, never above a minute.
  RetryPolicy retry = RetryPolicy::FromEnv();
  retry.max_retries = 5;
  try {
    AggregatorConfig c = AggregatorConfig::Load(o.config);
    auto log = OpenLog(c.log_url, c.client_id);
    Aggregator aggregator(c, *log);
    ChangeWait change(*log, c.monitor_topic);
    LogLine(kLogger, fmt::format("aggregating {} into {} for the groups in {}", c.monitor_topic,
                                 c.aggregate_topic, c.monitor_groups_file));
    bool need_recover = true;
    int failures = 0;
    int polls = 0;
    while (!StopRequested()) {
      try {
        if (need_recover) {
          aggregator.Recover();
          need_recover = false;
        }
        int copied = aggregator.Iterate();
        failures = 0;
        if (o.onetime) break;
        if (o.max_polls > 0 && ++polls >= o.max_polls) {
          LogLine(kLogger, "hit max polls threshold; exiting");
          break;
        }
        if (copied == 0) change.Wait(aggregator.acked());
      } catch (const Error& e) {
        // A failed copy may have appended without committing: recover
        // (dedupe) before the next attempt. Keep running — the log or the
        // groups file coming back is the normal way out.
        need_recover = true;
        auto delay =
            std::min<std::chrono::milliseconds>(std::chrono::minutes(1), retry.Delay(failures));
        ++failures;
        LogLine(kLogger, fmt::format("exception in daemon loop function: {}: {}; retrying in {}s",
                                     ErrorKindName(e.kind()), e.what(),
                                     std::chrono::duration<double>(delay).count()));
        if (o.onetime) return 1;
        WaitUnlessStopped(delay, StopRequested());
      }
    }
    if (StopRequested()) {
      LogLine(kLogger, fmt::format("received signal {}", StopSignal()));
      LogLine(kLogger, "exiting gracefully");
    }
    LogLine(kLogger, "executing loop exiting gracefully");
    LogLine(kLogger, "process exiting code 0");
    return 0;
  } catch (const Error& e) {
    LogLine(kLogger, fmt::format("{}: {}", ErrorKindName(e.kind()), e.what()));
    LogLine(kLogger, "process exiting code 1");
    return 1;
  }
}

}  // namespace

void RegisterAggregateCommand(CLI::App& app) {
  auto o = std::make_shared<AggregateOptions>();
  auto* cmd = app.add_subcommand("aggregate",
                                 "copy events every mirror has applied to the next topic (alias: "
                                 "vcsreplicator-aggregator)");
  cmd->add_option("config", o->config, "aggregator ini file")->required();
  cmd->add_flag("--onetime", o->onetime, "run one iteration, then exit");
  cmd->add_option("--max-polls", o->max_polls,
                  "exit after N iterations (accepted for compatibility; not needed)");
  cmd->callback([o] { throw CLI::RuntimeError(RunAggregate(*o)); });
}

}  // namespace hgc
