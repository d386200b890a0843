// One announcement of a repository event (spec/hosting.md §2.3, §2.4) and
// the interface every destination implements (Pulse, SNS, webhooks).
// Thread-safety: PushNotification is a plain value; a sink is called from one
// thread at a time.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "notify/ordered_json.h"

namespace hgc {

struct PushNotification {
  std::string type;      // "changegroup.1", "newrepo.1", "obsolete.1"
  OrderedJson data;      // keys in the reference's order
  std::string repo_url;  // data["repo_url"]
  int partition = 0;     // in the notifier's topic
  int64_t offset = 0;    // in the notifier's topic
  // _original_created (else _created) of the message, as the JSON number it
  // was (an integer stays an integer when written back, as in Python).
  nlohmann::json created = 0.0;
  // Identity of the event, stable across duplicate copies of the record
  // (see event_identity.h); sinks key their partial-delivery state on it.
  std::string event_key;
};

class NotificationSink {
 public:
  virtual ~NotificationSink() = default;
  // Returns once the destination confirmed the notification; throws on any
  // failure (the caller retries the same notification).
  virtual void Deliver(const PushNotification& notification) = 0;
};

// {"type": <type>, "data": <data>}: the v2 Pulse payload, also the webhook
// body.
inline OrderedJson TypedPayload(const PushNotification& n) {
  OrderedJson payload = OrderedJson::object();
  payload["type"] = n.type;
  payload["data"] = n.data;
  return payload;
}

}  // namespace hgc
