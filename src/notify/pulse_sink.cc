// Pulse notifier sink. Thread-safety: see pulse_sink.h.
#include "notify/pulse_sink.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <filesystem>

#include "common/error.h"
#include "common/logline.h"

namespace hgc {

PulseConfig PulseConfig::Load(const IniFile& ini) {
  const char* s = "pulse";
  PulseConfig c;
  c.endpoint.host = ini.Require(s, "hostname");
  c.endpoint.port = static_cast<int>(ini.GetDouble(s, "port", 5671));
  c.endpoint.user = ini.Require(s, "userid");
  c.endpoint.password = ini.Require(s, "password");
  c.endpoint.vhost = ini.GetOr(s, "virtual_host", "/");
  c.endpoint.ssl = ini.GetBool(s, "ssl", true);
  const std::string system_cas = "/etc/ssl/certs/ca-certificates.crt";
  c.endpoint.ca_cert =
      ini.GetOr(s, "ca_certs", std::filesystem::exists(system_cas) ? system_cas : "");
  c.endpoint.connect_timeout = std::chrono::milliseconds(
      static_cast<int64_t>(ini.GetDouble(s, "connect_timeout", 5) * 1000));
  c.endpoint.confirm_timeout = std::chrono::milliseconds(
      static_cast<int64_t>(ini.GetDouble(s, "confirm_timeout", 30) * 1000));
  c.exchange = ini.Require(s, "exchange");
  c.exchange2 = ini.Require(s, "exchange2");
  c.routing_key_strip_prefix = ini.Require(s, "routing_key_strip_prefix");
  return c;
}

PulseSink::PulseSink(PulseConfig config) : config_(std::move(config)) {}

std::string PulseSink::UtcIsoNow() {
  auto now = std::chrono::system_clock::now();
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  // isoformat() leaves out a zero microsecond part.
  int64_t micros = us % 1000000;
  return micros == 0 ? std::string(buf) : fmt::format("{}.{:06d}", buf, micros);
}

std::string PulseSink::MessageBody(const OrderedJson& payload, const std::string& exchange,
                                   const std::string& routing_key, const std::string& sent) {
  OrderedJson meta = OrderedJson::object();
  meta["exchange"] = exchange;
  meta["routing_key"] = routing_key;
  meta["serializer"] = "json";
  meta["sent"] = sent;
  OrderedJson body = OrderedJson::object();
  body["payload"] = payload;
  body["_meta"] = std::move(meta);
  return PythonJsonDumpsOrdered(body);
}

void PulseSink::Send(const std::string& exchange, const std::string& repo_url,
                     const OrderedJson& payload) {
  const std::string& prefix = config_.routing_key_strip_prefix;
  if (!repo_url.starts_with(prefix)) {
    throw Error(ErrorKind::kConfig,
                fmt::format("repo URL does not begin with {}: {}", prefix, repo_url));
  }
  std::string routing_key = repo_url.substr(prefix.size());
  const AmqpEndpoint& e = config_.endpoint;
  LogLine(kPulseLogger, fmt::format("connecting to pulse at {}:{} as {}", e.host, e.port, e.user));
  AmqpPublisher publisher(e);
  publisher.DeclareTopicExchange(exchange);
  LogLine(kPulseLogger, fmt::format("publishing message to {}#{}", exchange, routing_key));
  LogLine(kPulseLogger, "payload: " + PythonJsonDumpsOrdered(payload));
  publisher.PublishConfirmed(exchange, routing_key,
                             MessageBody(payload, exchange, routing_key, UtcIsoNow()));
}

void PulseSink::Deliver(const PushNotification& n) {
  LogLine(kPulseLogger, "sending pulse notification for " + n.repo_url);
  std::set<std::string>& confirmed = confirmed_[n.event_key];
  if (n.type == "changegroup.1" && !confirmed.contains(config_.exchange)) {
    // v1 is frozen to its original keys.
    OrderedJson v1 = OrderedJson::object();
    for (const char* key : {"repo_url", "heads", "pushlog_pushes"}) {
      if (n.data.contains(key)) v1[key] = n.data[key];
    }
    Send(config_.exchange, n.repo_url, v1);
    confirmed.insert(config_.exchange);
  }
  if (!confirmed.contains(config_.exchange2)) {
    Send(config_.exchange2, n.repo_url, TypedPayload(n));
    confirmed.insert(config_.exchange2);
  }
  confirmed_.erase(n.event_key);
}

}  // namespace hgc
