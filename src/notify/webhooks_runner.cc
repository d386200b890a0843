// Webhook targets, one thread each. Thread-safety: see webhooks_runner.h.
#include "notify/webhooks_runner.h"

#include <fmt/format.h>

#include <thread>
#include <vector>

#include "common/error.h"
#include "common/logline.h"
#include "notify/notifier_loop.h"

namespace hgc {

std::string WebhookGroup(const NotifierConfig& config, const WebhookTarget& target) {
  return config.group + "-" + target.name;
}

WebhooksRunner::WebhooksRunner(const NotifierConfig& config, const WebhooksConfig& webhooks,
                               Log& log, int64_t start_from)
    : config_(config), webhooks_(webhooks), log_(log), start_from_(start_from) {}

int WebhooksRunner::Run(std::atomic<bool>& stop) {
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (const auto& target : webhooks_.targets) {
    threads.emplace_back([&, target] {
      try {
        WebhookSink sink(target, webhooks_);
        NotifierLoopOptions o;
        o.group = WebhookGroup(config_, target);
        o.start_from = start_from_;
        o.label = target.name;
        NotifierLoop(config_, log_, sink, o).Run(stop);
      } catch (const std::exception& e) {
        LogLine(kWebhooksLogger,
                fmt::format("[{}] stopping all targets: {}", target.name, e.what()));
        failed = true;
        stop = true;
      }
    });
  }
  for (auto& t : threads) t.join();
  return failed ? 1 : 0;
}

}  // namespace hgc
