// Replication message -> notification. Thread-safety: see header.
#include "notify/notification_builder.h"

#include <filesystem>

#include "common/error.h"
#include "common/logline.h"
#include "notify/obsolete_data.h"
#include "notify/pushlog_reader.h"

namespace hgc {
namespace {

OrderedJson ChangegroupData(const Message& m, const std::string& local, const std::string& url) {
  OrderedJson data = OrderedJson::object();
  data["repo_url"] = url;
  data["heads"] = m.heads;
  data["source"] = m.source;
  data["pushlog_pushes"] = PushlogPushesForHeads(local, url, m.heads, kPushNotificationsLogger);
  return data;
}

}  // namespace

nlohmann::json OriginalCreated(const Message& message) {
  auto it = message.body.find("_original_created");
  if (it != message.body.end() && it->is_number()) return *it;
  auto created = message.body.find("_created");
  if (created != message.body.end() && created->is_number()) return *created;
  return message.created;
}

std::optional<PushNotification> BuildNotification(const Message& m, int partition, int64_t offset,
                                                  const NotifierConfig& config) {
  if (m.type == MessageType::kHeartbeat) {
    NotifyLog(m.name + " message not relevant; ignoring");
    return std::nullopt;
  }
  auto url = config.PublicUrl(m.path);
  if (!url) {
    NotifyLog("no public URL could be resolved for " + m.path + "; not sending notification");
    return std::nullopt;
  }
  if (config.Ignored(m.path)) {
    NotifyLog("ignoring repo because path in ignore list: " + m.path);
    return std::nullopt;
  }
  std::string local;
  try {
    local = config.LocalPath(m.path);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kRefused) throw;
    NotifyLog(std::string(e.what()) + "; not sending notification");
    return std::nullopt;
  }
  if (!std::filesystem::exists(local)) {
    NotifyLog("repository " + local + " does not exist; ignoring notification");
    return std::nullopt;
  }
  PushNotification n;
  n.repo_url = *url;
  n.partition = partition;
  n.offset = offset;
  n.created = OriginalCreated(m);
  switch (m.type) {
    case MessageType::kChangegroup:
      n.type = "changegroup.1";
      n.data = ChangegroupData(m, local, *url);
      return n;
    case MessageType::kRepoInit:
      n.type = "newrepo.1";
      n.data = OrderedJson::object();
      n.data["repo_url"] = *url;
      return n;
    case MessageType::kPushkey:
      if (m.ns != "obsolete") {
        NotifyLog(m.ns + " pushkey namespace not handled; ignoring");
        return std::nullopt;
      }
      n.type = "obsolete.1";
      n.data = ObsoleteData(config.hg, local, *url, m.new_value, kPushNotificationsLogger);
      return n;
    default:
      NotifyLog(m.name + " message not relevant to push notifier; ignoring");
      return std::nullopt;
  }
}

void NotifyLog(const std::string& line) { LogLine(kPushNotificationsLogger, line); }

}  // namespace hgc
