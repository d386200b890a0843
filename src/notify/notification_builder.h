// Turns one replication message into the notification to announce, or into
// nothing, logging why exactly as the reference does (spec/hosting.md §2.3):
// heartbeats, repos without a public URL, ignored paths, repos missing on
// disk, message types and pushkey namespaces that announce nothing.
// Thread-safety: stateless; reads the repository's files.
#pragma once

#include <optional>

#include "message/message.h"
#include "notify/notifier_config.h"
#include "notify/push_notification.h"

namespace hgc {

inline constexpr const char* kPushNotificationsLogger = "vcsreplicator.pushnotifications";

// One line of that logger, as the notifiers write them.
void NotifyLog(const std::string& line);

// `partition`/`offset` locate the record in the notifier's topic. Throws
// Error on a failure worth retrying (unreadable pushlog, hg failing).
std::optional<PushNotification> BuildNotification(const Message& message, int partition,
                                                  int64_t offset, const NotifierConfig& config);

// _original_created of the message, else its _created.
nlohmann::json OriginalCreated(const Message& message);

}  // namespace hgc
