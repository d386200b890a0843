// Webhooks (beyond the reference): each notification is POSTed as JSON —
// the v2 Pulse payload {"type": ..., "data": ...} — to one target URL, with
// `X-Hgcluster-Signature: sha256=<hex HMAC-SHA256(secret, body)>` so the
// receiver can authenticate it, `X-Hgcluster-Event: <type>` and
// `X-Hgcluster-Delivery: <event id>` (the same for duplicate deliveries, so
// a receiver can drop them). Any 2xx answer confirms delivery.
// Thread-safety: one WebhookSink per thread.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/ini.h"
#include "notify/push_notification.h"

namespace hgc {

inline constexpr const char* kWebhooksLogger = "hgcluster.webhooks";

struct WebhookTarget {
  std::string name;
  std::string url;
};

struct WebhooksConfig {
  std::string secret;
  std::vector<WebhookTarget> targets;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds timeout{30000};

  // [webhooks]: `url.<name> = <http(s) url>` per target, `secret`, optional
  // `timeout` / `connect_timeout` (seconds). Throws Error(kConfig) without
  // a secret or a target.
  static WebhooksConfig Load(const IniFile& ini);
};

// The [webhooks] section Load reads back (timeouts in seconds).
std::string ToIni(const WebhooksConfig& c);

// "sha256=" + hex HMAC-SHA256 of `body` keyed with `secret`.
std::string WebhookSignature(const std::string& secret, const std::string& body);

class WebhookSink : public NotificationSink {
 public:
  WebhookSink(WebhookTarget target, const WebhooksConfig& config);
  void Deliver(const PushNotification& n) override;

 private:
  WebhookTarget target_;
  std::string secret_;
  std::chrono::milliseconds connect_timeout_;
  std::chrono::milliseconds timeout_;
};

}  // namespace hgc
