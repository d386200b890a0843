// Webhook sink. Thread-safety: see webhook_sink.h.
#include "notify/webhook_sink.h"

#include <fmt/format.h>

#include "common/digest.h"
#include "common/error.h"
#include "common/logline.h"
#include "notify/http_client.h"

namespace hgc {

WebhooksConfig WebhooksConfig::Load(const IniFile& ini) {
  const char* s = "webhooks";
  WebhooksConfig c;
  c.secret = ini.Require(s, "secret");
  if (c.secret.empty()) throw Error(ErrorKind::kConfig, "[webhooks] secret must not be empty");
  for (const auto& [key, value] : ini.Items(s)) {
    if (!key.starts_with("url.")) continue;
    WebhookTarget t{key.substr(4), value};
    if (t.name.empty()) throw Error(ErrorKind::kConfig, "[webhooks] url. needs a target name");
    SplitUrl(t.url);  // rejects anything but an absolute http(s) URL now
    c.targets.push_back(std::move(t));
  }
  if (c.targets.empty()) {
    throw Error(ErrorKind::kConfig,
                "[webhooks] names no target (url.<name> = <url>) in " + ini.origin());
  }
  c.connect_timeout = std::chrono::milliseconds(
      static_cast<int64_t>(ini.GetDouble(s, "connect_timeout", 10) * 1000));
  c.timeout =
      std::chrono::milliseconds(static_cast<int64_t>(ini.GetDouble(s, "timeout", 30) * 1000));
  return c;
}

std::string ToIni(const WebhooksConfig& c) {
  auto seconds = [](std::chrono::milliseconds ms) { return ms.count() / 1000.0; };
  std::string out = fmt::format("[webhooks]\nsecret = {}\n", c.secret);
  for (const auto& t : c.targets) out += fmt::format("url.{} = {}\n", t.name, t.url);
  out += fmt::format("connect_timeout = {}\ntimeout = {}\n", seconds(c.connect_timeout),
                     seconds(c.timeout));
  return out;
}

std::string WebhookSignature(const std::string& secret, const std::string& body) {
  return "sha256=" + HexEncode(HmacSha256(secret, body));
}

WebhookSink::WebhookSink(WebhookTarget target, const WebhooksConfig& config)
    : target_(std::move(target)),
      secret_(config.secret),
      connect_timeout_(config.connect_timeout),
      timeout_(config.timeout) {}

void WebhookSink::Deliver(const PushNotification& n) {
  HttpRequest request;
  request.method = "POST";
  request.url = target_.url;
  request.body = PythonJsonDumpsOrdered(TypedPayload(n));
  request.headers = {{"Content-Type", "application/json"},
                     {"User-Agent", "hgcluster-webhooks"},
                     {"X-Hgcluster-Event", n.type},
                     {"X-Hgcluster-Delivery", n.event_key},
                     {"X-Hgcluster-Signature", WebhookSignature(secret_, request.body)}};
  request.connect_timeout = connect_timeout_;
  request.timeout = timeout_;
  LogLine(kWebhooksLogger, fmt::format("[{}] sending {} for {} (offset {}) to {}", target_.name,
                                       n.type, n.repo_url, n.offset, target_.url));
  HttpResponse response = SendHttp(request);
  if (!response.ok()) {
    throw Error(ErrorKind::kIo, fmt::format("webhook {} answered HTTP {}: {}", target_.name,
                                            response.status, response.body.substr(0, 200)));
  }
  LogLine(kWebhooksLogger, fmt::format("[{}] delivered offset {} (HTTP {})", target_.name, n.offset,
                                       response.status));
}

}  // namespace hgc
