// Runs the webhook targets independently: one thread, one NotifierLoop, one
// consumer group (`<group>-<target name>`) and so one committed offset per
// target. A target that is slow or failing retries on its own, and the
// others keep delivering at their own pace. A fatal error in one target (an
// undecodable record, which every target meets) stops them all.
// Thread-safety: Run() from one thread; it owns the target threads.
#pragma once

#include <atomic>
#include <string>

#include "log/log.h"
#include "notify/notifier_config.h"
#include "notify/webhook_sink.h"

namespace hgc {

// The consumer group of one target.
std::string WebhookGroup(const NotifierConfig& config, const WebhookTarget& target);

class WebhooksRunner {
 public:
  WebhooksRunner(const NotifierConfig& config, const WebhooksConfig& webhooks, Log& log,
                 int64_t start_from = 0);

  // Returns when `stop` is set (0) or a target failed fatally (1, after
  // stopping the others; the error is logged).
  int Run(std::atomic<bool>& stop);

 private:
  const NotifierConfig& config_;
  const WebhooksConfig& webhooks_;
  Log& log_;
  int64_t start_from_;
};

}  // namespace hgc
