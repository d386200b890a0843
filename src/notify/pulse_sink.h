// The Pulse notifier's sink (spec/hosting.md §2.5): publishes each
// notification to the v1 exchange (changegroup.1 only, payload limited to
// repo_url/heads/pushlog_pushes) and then to the v2 exchange
// ({"type", "data"}), as persistent JSON messages on topic exchanges, with
// routing key = repo URL minus `routing_key_strip_prefix`. Each publish
// waits for the broker's confirm.
//
// Unlike the reference, a retry after v1 was confirmed and v2 failed does
// not publish v1 again: confirmed exchanges are remembered per event until
// the event is fully delivered. What remains: a crash after a confirm and
// before the offset commit re-publishes on restart (at least once).
// Thread-safety: one PulseSink per thread.
#pragma once

#include <map>
#include <set>
#include <string>

#include "common/ini.h"
#include "notify/amqp_publisher.h"
#include "notify/push_notification.h"

namespace hgc {

inline constexpr const char* kPulseLogger = "vcsreplicator.pulsenotifier";

struct PulseConfig {
  AmqpEndpoint endpoint;
  std::string exchange;   // v1
  std::string exchange2;  // v2
  std::string routing_key_strip_prefix;

  // [pulse]; throws Error(kConfig) for a missing key.
  static PulseConfig Load(const IniFile& ini);
};

class PulseSink : public NotificationSink {
 public:
  explicit PulseSink(PulseConfig config);
  void Deliver(const PushNotification& n) override;

  // {"payload": ..., "_meta": {exchange, routing_key, serializer, sent}} in
  // kombu's key order.
  static std::string MessageBody(const OrderedJson& payload, const std::string& exchange,
                                 const std::string& routing_key, const std::string& sent);

  // datetime.utcnow().isoformat(): 2024-01-02T03:04:05.123456.
  static std::string UtcIsoNow();

 private:
  void Send(const std::string& exchange, const std::string& repo_url, const OrderedJson& payload);

  PulseConfig config_;
  std::map<std::string, std::set<std::string>> confirmed_;  // event key -> exchanges
};

}  // namespace hgc
