// Notifier command lines: config checks, --skip, signals, exit codes.
// Thread-safety: process entry points.
#include "notify/notify_cmd.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <iostream>
#include <memory>

#include "common/error.h"
#include "common/logline.h"
#include "common/stop_signal.h"
#include "log/log.h"
#include "notify/notification_builder.h"
#include "notify/notifier_loop.h"
#include "notify/pulse_sink.h"
#include "notify/sns_sink.h"
#include "notify/webhooks_runner.h"

namespace hgc {
namespace {

// A second signal: the reference's forceful exit.
void InstallSignalHandlers() {
  InstallStopSignals(
      "vcsreplicator.pushnotifications already received exit signal; forcefully aborting\n");
}

struct NotifyOptions {
  std::string config;
  bool skip = false;
  int64_t start_from = 0;
  std::string target;  // webhooks --skip
};

// Runs `body` with the reference's daemon epilogue: graceful exit on the
// first signal, error exit (and log) on an exception.
int RunDaemon(const std::function<int()>& body) {
  InstallSignalHandlers();
  int code = 0;
  try {
    code = body();
  } catch (const std::exception& e) {
    NotifyLog("exception in daemon loop function");
    NotifyLog(e.what());
    NotifyLog("executing loop exiting after error");
    NotifyLog("process exiting code 1");
    return 1;
  }
  if (StopSignal() != 0) {
    NotifyLog(fmt::format("received signal {}", StopSignal()));
    NotifyLog("exiting gracefully");
  }
  NotifyLog(code == 0 ? "executing loop exiting gracefully" : "executing loop exiting after error");
  NotifyLog(fmt::format("process exiting code {}", code));
  return code;
}

using SinkFactory = std::function<std::unique_ptr<NotificationSink>(const IniFile&)>;

int RunSingleSink(const NotifyOptions& o, const std::string& consumer_section,
                  const std::string& sink_section, const SinkFactory& make_sink) {
  try {
    IniFile ini = IniFile::Load(o.config);
    if (!ini.HasSection(sink_section)) {
      std::cout << "no [" << sink_section << "] config section" << std::endl;
      return 1;
    }
    NotifierConfig config = NotifierConfig::Load(ini, consumer_section);
    std::unique_ptr<NotificationSink> sink = make_sink(ini);
    auto log = OpenLog(config.log_url, config.client_id);
    log->EnsureTopic(config.topic, 1);
    if (o.skip) return SkipNextRecord(config, *log, config.group, o.start_from);
    return RunDaemon([&] {
      NotifierLoopOptions lo;
      lo.group = config.group;
      lo.start_from = o.start_from;
      NotifierLoop(config, *log, *sink, lo).Run(StopRequested());
      return 0;
    });
  } catch (const Error& e) {
    std::cerr << "hgcluster: " << e.what() << std::endl;
    return 1;
  }
}

int RunWebhooks(const NotifyOptions& o) {
  try {
    IniFile ini = IniFile::Load(o.config);
    if (!ini.HasSection("webhooks")) {
      std::cout << "no [webhooks] config section" << std::endl;
      return 1;
    }
    NotifierConfig config = NotifierConfig::Load(ini, "webhooksconsumer");
    WebhooksConfig webhooks = WebhooksConfig::Load(ini);
    auto log = OpenLog(config.log_url, config.client_id);
    log->EnsureTopic(config.topic, 1);
    if (o.skip) {
      for (const auto& t : webhooks.targets) {
        if (t.name == o.target)
          return SkipNextRecord(config, *log, WebhookGroup(config, t), o.start_from);
      }
      throw Error(ErrorKind::kUsage,
                  "--skip needs --target naming one of the [webhooks] url.* "
                  "targets");
    }
    return RunDaemon(
        [&] { return WebhooksRunner(config, webhooks, *log, o.start_from).Run(StopRequested()); });
  } catch (const Error& e) {
    std::cerr << "hgcluster: " << e.what() << std::endl;
    return 1;
  }
}

CLI::App* AddCommon(CLI::App& app, const std::string& name, const std::string& help,
                    const std::shared_ptr<NotifyOptions>& o) {
  auto* cmd = app.add_subcommand(name, help);
  cmd->add_option("config", o->config, "notifications ini file")->required();
  cmd->add_flag("--skip", o->skip, "commit past the next message without announcing it");
  cmd->add_option("--start-from", o->start_from,
                  "start at this absolute offset of the topic (0: the committed offset)");
  return cmd;
}

}  // namespace

void RegisterNotifyCommands(CLI::App& app) {
  auto pulse = std::make_shared<NotifyOptions>();
  AddCommon(app, "notify-pulse",
            "announce pushes on Pulse (AMQP) exchanges (alias: vcsreplicator-pulse-notifier)",
            pulse)
      ->callback([pulse] {
        throw CLI::RuntimeError(RunSingleSink(*pulse, "pulseconsumer", "pulse", [](auto& ini) {
          return std::make_unique<PulseSink>(PulseConfig::Load(ini));
        }));
      });
  auto sns = std::make_shared<NotifyOptions>();
  AddCommon(app, "notify-sns",
            "store pushes in S3 and announce them on SNS (alias: vcsreplicator-sns-notifier)", sns)
      ->callback([sns] {
        throw CLI::RuntimeError(RunSingleSink(*sns, "snsconsumer", "awsevents", [](auto& ini) {
          return std::make_unique<SnsSink>(AwsEventsConfig::Load(ini));
        }));
      });
  auto hooks = std::make_shared<NotifyOptions>();
  auto* cmd = AddCommon(app, "notify-webhooks",
                        "POST pushes to [webhooks] URLs, each target with its own offset", hooks);
  cmd->add_option("--target", hooks->target, "with --skip: the target whose offset moves");
  cmd->callback([hooks] { throw CLI::RuntimeError(RunWebhooks(*hooks)); });
}

}  // namespace hgc
